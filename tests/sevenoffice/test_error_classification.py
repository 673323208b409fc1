"""Each way a 24SO call can fail maps to the right hub error class and ambiguity."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
import urllib3.exceptions

from sevenoffice.errors import (
    IdentityBlocked,
    IdentityRequired,
    RateLimited,
    RecordRejected,
    RemoteFault,
    RemoteUnavailable,
    quota_retry_after,
)
from sevenoffice.types import Identity

from .fake_http import fault, result


def _raise(exc):
    def handler(element, session):
        raise exc

    return handler


def _refused_connection():
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/x", reason=reason))


def _dropped_connection():
    reason = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    return requests.ConnectionError(reason)


@pytest.mark.parametrize(
    "answer, ambiguous",
    [
        (_raise(requests.ConnectTimeout("connect timed out")), False),
        (_refused_connection, False),
        (_raise(requests.ReadTimeout("read timed out")), True),
        (_dropped_connection, True),
        (lambda el, s: (500, b"<html>oops", {"Content-Type": "text/html"}), True),
        (lambda el, s: (502, b"Bad Gateway", {"Content-Type": "text/plain"}), True),
        (lambda el, s: (200, b"not xml at all", {"Content-Type": "text/plain"}), True),
        (lambda el, s: (200, b"<soap:Envelope><broken", {"Content-Type": "text/xml"}), True),
    ],
    ids=["connect-timeout", "refused", "read-timeout", "dropped", "500-html", "502-text", "200-text", "broken-xml"],
)
def test_transport_failures_are_remote_unavailable(fake, make_client, answer, ambiguous):
    if answer in (_refused_connection, _dropped_connection):
        answer = _raise(answer())
    fake.handlers["GetCompanies"] = answer
    with pytest.raises(RemoteUnavailable) as caught:
        make_client().get_companies(company_id=1)
    error = caught.value
    assert type(error) is RemoteUnavailable
    assert error.retryable is True
    assert error.ambiguous is ambiguous
    assert error.operation == "GetCompanies"


def test_http_429_is_rate_limited_with_retry_after(fake, make_client):
    fake.handlers["GetCompanies"] = lambda el, s: (429, b"Too many requests", {"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        make_client().get_companies(company_id=1)
    assert caught.value.retry_after == 7
    assert caught.value.ambiguous is False and caught.value.retryable is True


def test_hourly_quota_fault_is_rate_limited(fake, make_client):
    fake.handlers["GetCompanies"] = lambda el, s: fault(
        "Limit exceeded by 3. Request is blocked. Quarantine ends at 2999-01-01 10:00:00 UTC"
    )
    with pytest.raises(RateLimited) as caught:
        make_client().get_companies(company_id=1)
    assert caught.value.retry_after > 0


def test_blocked_identity_fault(fake, make_client):
    fake.handlers["GetCompanies"] = lambda el, s: fault("Provided IdentityId is blocked.")
    with pytest.raises(IdentityBlocked) as caught:
        make_client().get_companies(company_id=1)
    assert caught.value.retryable is False


def test_other_fault_is_remote_fault_retryable_and_ambiguous(fake, make_client):
    fake.handlers["GetCompanies"] = lambda el, s: fault("Server was unable to process request. ---> boom")
    with pytest.raises(RemoteFault) as caught:
        make_client().get_companies(company_id=1)
    assert caught.value.retryable and caught.value.ambiguous
    assert "boom" in str(caught.value)
    assert caught.value.code and "Server" in caught.value.code


def test_fault_text_is_scrubbed_of_session_id(fake, make_client):
    fake.handlers["GetCompanies"] = lambda el, s: fault(f"session {s} broke")
    with pytest.raises(RemoteFault) as caught:
        make_client().get_companies(company_id=1)
    assert "secretcookie" not in str(caught.value)


def test_time_outs_are_passed_on_every_call(fake, make_client):
    fake.handlers["GetCompanies"] = lambda el, s: result("GetCompanies", "")
    make_client(timeout=2.5, connect_timeout=0.5).get_companies(company_id=1)
    assert {c.timeout for c in fake.calls()} == {(0.5, 2.5)}


def test_quota_message_parsing():
    now = datetime(2025, 3, 1, 9, 59, 0, tzinfo=timezone.utc)
    text = "Limit exceeded by 12. Request is blocked. Quarantine ends at 2025-03-01 10:00:00 UTC"
    assert quota_retry_after(text, now=now) == 60
    assert quota_retry_after("Limit exceeded by 1. Request is blocked. Quarantine ends at 2025-03-01T10:00:30Z", now=now) == 90
    # unreadable timestamp: wait for the next full hour
    assert quota_retry_after("Limit exceeded by 1. Request is blocked. Quarantine ends at soon", now=now) == 60
    assert quota_retry_after("Server was unable to process request", now=now) is None


def test_identity_required_lists_ids_and_names():
    error = IdentityRequired([Identity("a-1", "User", 1, "Alpha AS"), Identity("b-2", "User", 2, "Beta AS")])
    assert "a-1 (Alpha AS)" in str(error) and "b-2 (Beta AS)" in str(error)
    assert not error.retryable


def test_record_rejected_keeps_type_and_message():
    error = RecordRejected("ValidationException", "CustomerId 99 does not exist")
    assert (error.type, error.record_message, error.retryable) == ("ValidationException", "CustomerId 99 does not exist", False)
