"""Login, session reuse, identities and re-login, against a fake 24SO at the HTTP edge."""
from __future__ import annotations

import logging

import pytest

from sevenoffice.errors import IdentityBlocked, IdentityRequired, LoginFailed, NotAuthenticated
from sevenoffice.types import Credential

from .fake_http import IDENTITY_A, IDENTITY_B, fault, result


def _companies_ok(fake):
    def handler(element, session):
        return fake.require_session(session) or result("GetCompanies", "<Company><Id>7</Id><Name>Kunde AS</Name></Company>")

    fake.handlers["GetCompanies"] = handler


def test_one_login_serves_many_calls_and_client_instances(fake, make_client):
    _companies_ok(fake)
    for _ in range(3):
        client = make_client()
        assert client.get_companies(company_id=7)[0].name == "Kunde AS"
    assert len(fake.calls("Login")) == 1
    assert len(fake.calls("GetCompanies")) == 3


def test_session_cookie_on_every_data_call_and_not_on_login(fake, make_client):
    _companies_ok(fake)
    make_client().get_companies(company_id=7)
    login, data = fake.calls("Login")[0], fake.calls("GetCompanies")[0]
    assert "Cookie" not in login.headers
    assert data.headers["Cookie"].startswith("ASP.NET_SessionId=sess-")


def test_login_sends_credential_in_vendor_order_without_identity_when_none_chosen(fake, make_client):
    _companies_ok(fake)
    make_client().get_companies(company_id=7)
    body = fake.calls("Login")[0].body.decode()
    assert "IdentityId" not in body
    positions = [body.index(f"{name}>") for name in ("ApplicationId", "Password", "Username")]
    assert positions == sorted(positions)


def test_wrong_password_raises_login_failed(fake, make_client):
    with pytest.raises(LoginFailed) as caught:
        make_client(Credential("user@example.com", "nope")).get_companies(company_id=7)
    assert caught.value.retryable is False
    assert "nope" not in str(caught.value)


def test_several_identities_without_choice_raise_identity_required(fake, make_client):
    fake.identities = [(IDENTITY_A, "Demo AS", 1001), (IDENTITY_B, "Demo Konsulent AS", 1002)]
    _companies_ok(fake)
    client = make_client()
    with pytest.raises(IdentityRequired) as caught:
        client.get_companies(company_id=7)
    message = str(caught.value)
    assert IDENTITY_A in message and IDENTITY_B in message
    assert "Demo AS" in message and "Demo Konsulent AS" in message
    assert [i.id for i in caught.value.identities] == [IDENTITY_A, IDENTITY_B]
    # the admin's "Test connection" still lists them, on the same session
    assert [i.client_name for i in client.test_connection()] == ["Demo AS", "Demo Konsulent AS"]
    assert len(fake.calls("Login")) == 1
    assert not fake.calls("GetCompanies")


def test_chosen_identity_logs_in_with_identity_id(fake, make_client):
    fake.identities = [(IDENTITY_A, "Demo AS", 1001), (IDENTITY_B, "Demo Konsulent AS", 1002)]
    _companies_ok(fake)
    client = make_client(Credential("user@example.com", "pw", IDENTITY_B.upper()))
    client.get_companies(company_id=7)
    assert f"IdentityId>{IDENTITY_B}<" in fake.calls("Login")[0].body.decode()
    assert client.identity.client_name == "Demo Konsulent AS"
    assert not fake.calls("SetIdentityById")  # Login already put the session there


def test_session_on_another_identity_is_switched(fake, make_client):
    fake.identities = [(IDENTITY_A, "Demo AS", 1001), (IDENTITY_B, "Demo Konsulent AS", 1002)]
    fake.handlers["Login"] = lambda el, s: _login_ignoring_identity(fake, el, s)
    _companies_ok(fake)
    make_client(Credential("user@example.com", "pw", IDENTITY_B)).get_companies(company_id=7)
    assert f">{IDENTITY_B}<" in fake.calls("SetIdentityById")[0].body.decode()


def _login_ignoring_identity(fake, element, session):
    answer = fake.op_Login(element, session)
    for sid in fake.live_sessions:
        fake.current_identity[sid] = IDENTITY_A
    return answer


def test_blocked_identity_fault_raises_identity_blocked(fake, make_client):
    fake.handlers["Login"] = lambda el, s: fault("Provided IdentityId is blocked. Call GetIdentitiesWithCredential.")
    with pytest.raises(IdentityBlocked):
        make_client(Credential("user@example.com", "pw", IDENTITY_B)).get_companies(company_id=7)


def test_expired_session_logs_in_again_once_and_repeats_the_call(fake, make_client):
    _companies_ok(fake)
    client = make_client()
    client.get_companies(company_id=7)
    fake.live_sessions.clear()  # 24SO forgot the session
    assert client.get_companies(company_id=7)[0].id == 7
    assert len(fake.calls("Login")) == 2
    assert len(fake.calls("HasSession")) == 1
    assert len(fake.calls("GetCompanies")) == 3  # ok, refused, repeated


def test_refused_again_after_fresh_login_raises_not_authenticated(fake, make_client):
    def always_expired(element, session):
        fake.live_sessions.clear()
        return fault("Client is not authenticated on this identity.")

    fake.handlers["GetCompanies"] = always_expired
    with pytest.raises(NotAuthenticated) as caught:
        make_client().get_companies(company_id=7)
    assert caught.value.retryable is False
    assert len(fake.calls("Login")) == 2  # exactly one transparent re-login
    assert len(fake.calls("GetCompanies")) == 2


def test_refused_with_live_session_switches_identity_back_once(fake, make_client):
    fake.handlers["GetCompanies"] = lambda el, s: fault("Client is not authenticated on this identity.")
    with pytest.raises(NotAuthenticated):
        make_client().get_companies(company_id=7)
    assert len(fake.calls("Login")) == 1  # HasSession said the session lives: no second login
    assert len(fake.calls("SetIdentityById")) == 1
    assert len(fake.calls("GetCompanies")) == 2


def test_password_and_session_id_never_logged(fake, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    _companies_ok(fake)
    client = make_client(Credential("user@example.com", "pw-Sekret-123"))
    fake.password = "pw-Sekret-123"
    client.get_companies(company_id=7)
    fake.live_sessions.clear()
    client.get_companies(company_id=7)
    text = caplog.text
    assert "pw-Sekret-123" not in text
    assert "secretcookie" not in text
    assert "GetCompanies" in text  # the choke point does log each call
    assert "pw-Sekret-123" not in repr(client.credential)


def test_each_wsdl_is_read_once_per_process_not_per_client_or_call(fake, make_client):
    _companies_ok(fake)
    for _ in range(3):
        make_client().get_companies(company_id=7)
        make_client(Credential("other@example.com", "pw")).get_companies(company_id=7)
    assert fake.wsdl_loads() == 2  # Authenticate and CompanyService, once each
    assert len(fake.calls("Login")) == 2  # one per account


def test_threads_sharing_a_credential_log_in_once(fake, make_client):
    import threading

    _companies_ok(fake)
    client = make_client()
    threads = [threading.Thread(target=client.get_companies, kwargs={"company_id": 7}) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.calls("Login")) == 1
    assert len(fake.calls("GetCompanies")) == 8
