"""Per-process cache of 24SO login sessions, keyed by credential.

24SO throttles repeated logins with the same credentials, so a session lives here and is reused by
every client instance and Celery task in the process until 24SO refuses it. The key holds the
username, identity and API URL in clear and the password only as a keyed hash (the key is random
per process), so the cache never keeps a password around and a password change means a new login.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field

from .types import Credential, Identity


@dataclass(frozen=True)
class SessionState:
    """One logged-in session; replaced as a whole so readers never see half an update."""

    session_id: str
    identities: tuple[Identity, ...]
    identity: Identity | None  # the identity data calls run in
    ready: bool  # False while several identities exist and none was chosen


@dataclass
class SessionEntry:
    state: SessionState | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)  # one login at a time per credential


class SessionCache:
    def __init__(self) -> None:
        self._entries: dict[tuple, SessionEntry] = {}
        self._lock = threading.Lock()
        self._secret = os.urandom(32)

    def key(self, credential: Credential, api_url: str) -> tuple:
        digest = hashlib.blake2b(credential.password.encode("utf-8"), key=self._secret, digest_size=16).hexdigest()
        return (credential.username.strip().lower(), digest, credential.identity_id, api_url.rstrip("/"))

    def entry(self, credential: Credential, api_url: str) -> SessionEntry:
        key = self.key(credential, api_url)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = SessionEntry()
            return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return sum(1 for e in self._entries.values() if e.state is not None)


_cache = SessionCache()


def get_session_cache() -> SessionCache:
    return _cache


def _reset_after_fork() -> None:
    # A forked worker starts with its own cache: locks held at fork time would never be released.
    global _cache
    _cache = SessionCache()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
