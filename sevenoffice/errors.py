"""The hub's own error tree for talking to 24SevenOffice.

Callers decide whether to retry from the class (and its ``retryable`` / ``ambiguous``
attributes), never from message text. Messages never carry passwords or session ids.

    SevenOfficeError                 base; ``retryable``
    ├── RemoteUnavailable            retryable; ``ambiguous`` = the request may have been applied
    │   └── RateLimited              HTTP 429 or the hourly quota answer; ``retry_after`` seconds
    ├── RemoteFault                  a SOAP fault nothing else explains; retryable, ambiguous
    ├── CredentialsError             not retryable until someone changes the credential
    │   ├── LoginFailed              Login answered an empty session id
    │   ├── IdentityRequired         several identities, none chosen; ``identities``
    │   ├── IdentityBlocked          the chosen identity is blocked or unknown
    │   └── NotAuthenticated         the session is refused even right after a fresh login
    ├── RecordRejected               24SO refused one record (APIException); keeps type and message
    └── InvalidRequest               the hub built a request the contract refuses; nothing was sent
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .types import Identity


class SevenOfficeError(Exception):
    """Base of every error the 24SO client raises."""

    retryable: bool = False

    def __init__(self, message: str = "", *, operation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation

    def __str__(self) -> str:
        if self.operation:
            return f"{self.operation}: {self.message}"
        return self.message


class RemoteUnavailable(SevenOfficeError):
    """24SO could not be reached or gave no usable answer (timeouts, refused, 5xx, non-XML).

    ``ambiguous`` is True when the request may have reached 24SO and been applied (read timeout,
    connection dropped after sending, 5xx after sending). A caller must reconcile before resending
    a write that failed ambiguously. Connect errors are never ambiguous.
    """

    retryable = True

    def __init__(
        self,
        message: str = "",
        *,
        ambiguous: bool,
        status_code: int | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation)
        self.ambiguous = ambiguous
        self.status_code = status_code


class RateLimited(RemoteUnavailable):
    """24SO throttled the call: HTTP 429 or "Limit exceeded by N. Request is blocked. Quarantine ends at <ts>".

    A blocked request was not applied, so a rate-limit answer is never ambiguous.
    ``retry_after`` is in seconds when known.
    """

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message, ambiguous=False, status_code=status_code, operation=operation)
        self.retry_after = retry_after


class RemoteFault(SevenOfficeError):
    """A SOAP fault the client has no better class for. Retried (capped) by callers; may have applied."""

    retryable = True
    ambiguous = True

    def __init__(self, message: str = "", *, code: str | None = None, operation: str | None = None) -> None:
        super().__init__(message, operation=operation)
        self.code = code


class CredentialsError(SevenOfficeError):
    """The account's credential or identity needs a person's attention; retrying will not help."""


class LoginFailed(CredentialsError):
    """Login returned an empty session id: wrong username or password (or no usable identity)."""


class IdentityRequired(CredentialsError):
    """The user reaches several clients (identities) and the credential chose none of them."""

    def __init__(self, identities: Sequence[Identity], *, operation: str | None = None) -> None:
        self.identities = list(identities)
        listing = "; ".join(f"{i.id} ({i.label})" for i in self.identities)
        super().__init__(
            f"this user reaches {len(self.identities)} 24SevenOffice clients; choose one identity: {listing}",
            operation=operation,
        )


class IdentityBlocked(CredentialsError):
    """24SO refuses the chosen identity ("Provided IdentityId is blocked ...")."""


class NotAuthenticated(CredentialsError):
    """A data call is refused as not authenticated even after one fresh login."""


class RecordRejected(SevenOfficeError):
    """24SO refused one record with an APIException inside an HTTP 200 answer. Not retryable as is."""

    def __init__(self, type: str | None, message: str | None, *, operation: str | None = None) -> None:
        self.type = type
        self.record_message = message
        super().__init__(f"{type or 'APIException'}: {message or ''}".strip(), operation=operation)


class InvalidRequest(SevenOfficeError):
    """The request could not be built against the service contract (a bug or bad input); nothing was sent."""


# --- Fault and answer classification (text matching stays inside this package) -----------------

_QUOTA_RE = re.compile(
    r"Limit exceeded by\s*(?P<n>\d+)\.?\s*Request is blocked\.?\s*Quarantine ends at\s*(?P<ts>[^\r\n<]+)",
    re.IGNORECASE,
)
_NOT_AUTHENTICATED = ("not authenticated", "not logged in", "session has expired", "session expired")
_BLOCKED_IDENTITY = "identityid is blocked"
_TS_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y %H:%M:%S",
)


def is_not_authenticated(message: str | None) -> bool:
    """A data service refused the session (expired, or on another identity)."""
    text = (message or "").lower()
    return any(marker in text for marker in _NOT_AUTHENTICATED)


def is_identity_blocked(message: str | None) -> bool:
    return _BLOCKED_IDENTITY in (message or "").lower()


def quota_retry_after(message: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds until the quarantine in a quota answer ends; None when ``message`` is no quota answer.

    The timestamp's format is not documented; when it cannot be read, fall back to the next full
    hour, since the hourly quota resets then.
    """
    match = _QUOTA_RE.search(message or "")
    if not match:
        return None
    now = now or datetime.now(timezone.utc)
    ends = _parse_timestamp(match.group("ts").strip().rstrip("."))
    if ends is None:
        ends = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(0.0, (ends - now).total_seconds())


def _parse_timestamp(text: str) -> datetime | None:
    for suffix in (" UTC", " GMT"):
        text = text.removesuffix(suffix)
    candidates = [text, text.replace("Z", "+00:00")]
    for candidate in candidates:
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    for fmt in _TS_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)  # 24SO answers in UTC
        except ValueError:
            continue
    return None
