"""The real client against the real sandbox over loopback HTTP: sessions, identities and faults."""
from __future__ import annotations

import logging
import threading
import time
from decimal import Decimal

import pytest

from sevenoffice.client import SevenOfficeClient
from sevenoffice.errors import (
    IdentityBlocked,
    IdentityRequired,
    LoginFailed,
    RateLimited,
    RemoteFault,
    RemoteUnavailable,
)
from sevenoffice.sessions import SessionCache
from sevenoffice.types import Company, Credential, InvoiceOrder, InvoiceRow, OrderStatus, Product

pytestmark = pytest.mark.django_db(databases=[])


@pytest.fixture
def so_sessions() -> SessionCache:
    # The sandbox is reset per test, so each test starts with an empty per-process cache too.
    return SessionCache()


@pytest.fixture
def connect(sandbox, so_sessions):
    def make(username=None, password=None, identity_id=sandbox.IDENTITY_ID, **kwargs) -> SevenOfficeClient:
        credential = Credential(username or sandbox.USERNAME, password or sandbox.PASSWORD, identity_id)
        kwargs.setdefault("application_id", sandbox.APPLICATION_ID)
        return SevenOfficeClient(credential, sessions=so_sessions, **kwargs)

    return make


def _account_stats(sandbox, username=None) -> dict:
    return sandbox.stats()["accounts"][(username or sandbox.USERNAME).lower()]


def test_one_login_for_many_calls_across_client_instances(sandbox, connect):
    for _ in range(4):
        client = connect()
        client.get_companies(name="nobody")
        client.get_product_categories()
    stats = _account_stats(sandbox)
    assert stats["logins"] == 1
    assert stats["calls"]["GetCompanies"] == 4


def test_wrong_password_raises_login_failed(sandbox, connect):
    with pytest.raises(LoginFailed):
        connect(password="wrong").get_companies(name="x")


def test_several_identities_and_none_chosen_raise_identity_required(sandbox, connect):
    client = connect(identity_id=None)
    with pytest.raises(IdentityRequired) as caught:
        client.get_companies(name="x")
    message = str(caught.value)
    assert sandbox.IDENTITY_ID in message and sandbox.SECOND_IDENTITY_ID in message
    assert "Demo AS" in message and "Demo Konsulent AS" in message
    assert {i.id for i in client.test_connection()} == {sandbox.IDENTITY_ID, sandbox.SECOND_IDENTITY_ID}


def test_chosen_identity_works_and_data_stays_in_that_client(sandbox, connect):
    second = connect(identity_id=sandbox.SECOND_IDENTITY_ID)
    saved = second.save_company(Company(name="Kunde i Konsulent", external_id="hub-k1"))
    assert second.identity.client_id == sandbox.SECOND_CLIENT_ID
    assert [c.id for c in second.get_companies(external_id="hub-k1")] == [saved.id]
    assert connect().get_companies(external_id="hub-k1") == []


def test_single_identity_is_used_without_choosing(sandbox, connect):
    sandbox.add_account("solo@sandbox.local", "solo", [{"id": "5d1e0a00-24a0-4c0e-8000-0000000000aa",
                                                        "name": "Solo AS", "client_id": 3001}])
    client = connect(username="solo@sandbox.local", password="solo", identity_id=None)
    assert client.get_companies(name="x") == []
    assert client.identity.client_name == "Solo AS"


def test_blocked_identity_raises_identity_blocked(sandbox, connect):
    blocked = "5d1e0a00-24a0-4c0e-8000-0000000000bb"
    sandbox.add_account("blocked@sandbox.local", "pw", [
        {"id": "5d1e0a00-24a0-4c0e-8000-0000000000ba", "name": "Open AS", "client_id": 3101},
        {"id": blocked, "name": "Blocked AS", "client_id": 3102, "blocked": True},
    ])  # fmt: skip
    with pytest.raises(IdentityBlocked):
        connect(username="blocked@sandbox.local", password="pw", identity_id=blocked).get_companies(name="x")


def test_session_expiry_means_one_transparent_relogin(sandbox, connect):
    client = connect()
    client.get_companies(name="x")
    # the session has served GetIdentities and GetCompanies; it dies on the 4th call
    sandbox.control(session_expiry_calls=3)
    for _ in range(2):
        assert client.get_companies(name="x") == []
    stats = _account_stats(sandbox)
    assert stats["logins"] == 2
    # HasSession on a dead session is counted under no account
    assert sum(a["calls"].get("HasSession", 0) for a in sandbox.stats()["accounts"].values()) == 1
    assert stats["calls"]["GetCompanies"] == 4  # ok, ok, refused, repeated


@pytest.mark.parametrize(
    "knobs, error, ambiguous",
    [
        ({"http_500_rate": 1.0}, RemoteUnavailable, True),
        ({"soap_fault_rate": 1.0}, RemoteFault, True),
        ({"drop_after_commit_rate": 1.0}, RemoteUnavailable, True),
        ({"timeout_rate": 1.0, "timeout_seconds": 1.5}, RemoteUnavailable, True),
    ],
    ids=["http-500", "soap-fault", "drop-after-commit", "read-timeout"],
)
def test_injected_faults_map_to_error_classes(sandbox, connect, knobs, error, ambiguous):
    client = connect(timeout=0.5)
    client.get_companies(name="x")  # logged in before the faults start
    sandbox.control(operations=["SaveCompanies"], **knobs)
    started = time.monotonic()
    with pytest.raises(error) as caught:
        client.save_companies([Company(name="Kunde AS")])
    assert type(caught.value) is error
    assert caught.value.ambiguous is ambiguous and caught.value.retryable
    assert time.monotonic() - started < 1.4  # the 0.5 s read time-out was honoured


def test_read_timeout_setting_is_honoured(sandbox, connect, settings):
    settings.SEVENOFFICE_TIMEOUT = 0.5
    client = connect()
    client.get_companies(name="x")
    sandbox.control(timeout_rate=1.0, timeout_seconds=3, operations=["SaveCompanies"])
    started = time.monotonic()
    with pytest.raises(RemoteUnavailable) as caught:
        client.save_companies([Company(name="Kunde AS")])  # a write: sent once, so one time-out
    assert caught.value.ambiguous is True
    assert time.monotonic() - started < 1.5


def test_connect_error_is_not_ambiguous(settings, so_sessions):
    client = SevenOfficeClient(
        Credential("demo@sandbox.local", "demo"), api_url="http://127.0.0.1:9", webservices_url="http://127.0.0.1:9",
        sessions=so_sessions, timeout=1, connect_timeout=1,
    )  # fmt: skip
    with pytest.raises(RemoteUnavailable) as caught:
        client.get_companies(name="x")
    assert caught.value.ambiguous is False


def test_concurrency_cap_answers_429_as_rate_limited(sandbox, connect):
    client = connect()
    client.get_companies(name="x")
    sandbox.control(max_concurrent_per_account=1, latency_ms=300)
    errors, threads = [], []

    def call():
        try:
            client.get_companies(name="x")
        except RateLimited as exc:
            errors.append(exc)

    for _ in range(4):
        threads.append(threading.Thread(target=call))
        threads[-1].start()
    for thread in threads:
        thread.join()
    assert errors and all(e.status_code == 429 and not e.ambiguous for e in errors)


def test_hourly_quota_answer_is_rate_limited_with_retry_after(sandbox, connect):
    client = connect()
    client.get_companies(name="x")
    sandbox.control(hourly_quota=1)
    with pytest.raises(RateLimited) as caught:
        client.get_companies(name="x")
    assert 0 < caught.value.retry_after <= 3600


def test_per_record_error_surfaces_while_other_records_save(sandbox, connect):
    client = connect()
    customer = client.save_company(Company(name="Kunde AS", external_id="hub-1"))
    category = client.save_product_categories([_category()])[0].unwrap()
    product = client.save_product(Product(name="Konsulenttime", category_id=category.id, price=Decimal("1000")))
    row = InvoiceRow(product_id=product.id, quantity=Decimal("2"), price=Decimal("1000"))
    results = client.save_invoices(
        [
            InvoiceOrder(customer_id=customer.id, order_status=OrderStatus.INVOICED, rows=(row,)),
            InvoiceOrder(customer_id=987654, order_status=OrderStatus.INVOICED, rows=(row,)),
            InvoiceOrder(customer_id=customer.id, order_status=OrderStatus.INVOICED, rows=(row,)),
        ]
    )
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error.message
    invoice_ids = [r.record.invoice_id for r in results if r.ok]
    assert all(invoice_ids) and len(set(invoice_ids)) == 2
    found = client.get_invoices(invoice_ids=invoice_ids)
    assert sorted(i.invoice_id for i in found) == sorted(invoice_ids)
    assert all(i.order_total_inc_vat and i.order_total_inc_vat > 0 for i in found)


def test_passwords_and_session_ids_stay_out_of_logs_and_errors(sandbox, connect, caplog):
    caplog.set_level(logging.DEBUG)
    client = connect()
    client.get_companies(name="x")
    session_id = client._entry.state.session_id
    sandbox.control(soap_fault_rate=1.0, operations=["GetCompanies"])
    with pytest.raises(RemoteFault) as caught:
        client.get_companies(name="x")
    with pytest.raises(LoginFailed) as failed:
        connect(password="not-the-demo-password").get_companies(name="x")
    for text in (caplog.text, str(caught.value), str(failed.value), repr(client), repr(client.credential)):
        assert sandbox.PASSWORD not in text.replace("demo@sandbox", "")
        assert "not-the-demo-password" not in text
        assert session_id not in text


def _category():
    from sevenoffice.types import ProductCategory

    return ProductCategory(name="Tjenester", no="T1")


def test_reads_are_repeated_after_a_fault_but_writes_never(sandbox, connect):
    client = connect()
    client.get_companies(name="x")
    sandbox.control(http_500_rate=1.0, operations=["GetCompanies", "SaveCompanies"])
    with pytest.raises(RemoteUnavailable):
        client.get_companies(name="x")
    with pytest.raises(RemoteUnavailable):
        client.save_companies([Company(name="Kunde AS")])
    calls = _account_stats(sandbox)["calls"]
    assert calls["GetCompanies"] == 1 + 3  # the warm-up, then three tries
    assert calls["SaveCompanies"] == 1


def test_a_passing_read_fault_is_absorbed(sandbox, connect):
    client = connect()
    client.get_companies(name="x")
    sandbox.control(http_500_rate=0.5, operations=["GetCompanies"], seed=3)
    for _ in range(6):
        assert client.get_companies(name="x") == []
    stats = _account_stats(sandbox)
    assert sum(stats["faults_injected"].values()) > 0  # faults did hit, and every read still answered


def test_concurrent_calls_per_account_stay_within_the_cap(sandbox, connect, settings):
    import threading

    settings.SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT = 2
    client = connect()
    client.get_companies(name="x")
    sandbox.control(latency_ms=80, max_concurrent_per_account=2)
    errors = []

    def call():
        try:
            connect().get_companies(name="x")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = _account_stats(sandbox)
    assert errors == []
    assert stats["rejected_concurrency"] == 0
    assert stats["max_concurrency"] == 2  # used the allowance, never more
