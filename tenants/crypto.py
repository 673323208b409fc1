"""Encryption of 24SO secrets at rest, with rotatable keys.

Hand-written on `cryptography`'s MultiFernet rather than an encrypted-field package: the
maintained one (django-fernet-encrypted-fields) returns the ciphertext when decryption fails,
which would send ciphertext to 24SO as a password instead of failing loudly, and derives its
keys from SECRET_KEY, tying credential keys to session signing.
"""

import functools
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """No configured key decrypts this secret (a key was removed before rotation)."""


def _development_key() -> bytes:
    # Development only: one key generated on first use and kept under var/, so the demo
    # needs no configuration and no key is committed.
    path = settings.CREDENTIALS_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("CREDENTIALS_KEYS holds a value that is not a Fernet key") from exc


def current_fernet() -> MultiFernet:
    keys = tuple(settings.CREDENTIALS_KEYS) or (_development_key().decode(),)
    return _fernet(keys)


def encrypt(plaintext: str) -> str:
    return current_fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return current_fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("no configured CREDENTIALS_KEYS key decrypts this secret") from exc


def reencrypt(token: str) -> str:
    """Re-encrypt under the newest key (MultiFernet.rotate keeps the original timestamp)."""
    try:
        return current_fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("no configured CREDENTIALS_KEYS key decrypts this secret") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()
