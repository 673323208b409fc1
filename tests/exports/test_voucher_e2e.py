"""Vouchers end to end: the API, real worker processes and the sandbox over HTTP."""

import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from exports.amounts import invoice_amounts
from exports.demo import demo_seed
from exports.invoice_series import invoice_series_check
from exports.models import Invoice, SeriesState
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants.services import api_key_create
from tests.exports.test_export_e2e import wait_finished
from tests.exports.voucher_helpers import IDENTITIES, make_invoice, vouchers_in

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def voucher_tenant(workers, sandbox):
    tenant = demo_seed(username=sandbox_accounts.DEFAULT_USERNAME, password=sandbox_accounts.DEFAULT_PASSWORD,
                       identities=list(IDENTITIES), invoices=45)
    _, key = api_key_create(tenant=tenant, is_admin=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.patch("/api/v1/settings", {"posting_mode": "voucher"}, format="json")
    assert response.status_code == 200, response.json()
    # As the docs ask before the first export: each 24SO client's series starts at the hub's first number.
    for identity, codes in ((IDENTITIES[0], ["OSLO", "BERGEN"]), (IDENTITIES[1], ["TRONDHEIM"])):
        first = tenant.invoices.filter(department__code__in=codes).order_by("number").first()
        sandbox.set_invoice_series(first.number, identity_id=identity)
    return tenant, client


def export(client, invoices):
    response = client.post("/api/v1/exports", {"invoices": [i.external_id for i in invoices]}, format="json")
    assert response.status_code == 202, response.json()
    return response.json()["id"]


def posted(sandbox):
    """Voucher number -> its ledger lines, over both 24SO clients (numbers never repeat across them here)."""
    found = {}
    for identity in IDENTITIES:
        for number, lines in vouchers_in(sandbox, identity).items():
            assert number not in found
            found[number] = lines
    return found


def test_mixed_rates_and_credit_notes_post_balanced_vouchers_once(voucher_tenant, sandbox, workers):
    tenant, client = voucher_tenant
    invoices = list(Invoice.objects.filter(tenant=tenant).exclude(department__code="STAVANGER")
                    .prefetch_related("lines").order_by("number"))
    assert {r for i in invoices for r in (line.vat_rate.normalize() for line in i.lines.all())} == {25, 15, 12, 0}
    assert any(i.is_credit_note for i in invoices)

    body = wait_finished(client, export(client, invoices), workers=workers)
    assert body["counts"]["done"] == len(invoices), [i["message"] for i in body["items"] if i["status"] != "done"][:3]
    assert {(i["sent_as"], i["sevenoffice_transaction_no"]) for i in body["items"]} == {
        ("voucher", i.number) for i in invoices}

    ledger = posted(sandbox)
    assert set(ledger) == {i.number for i in invoices}  # one voucher each, nothing else
    for invoice in invoices:
        lines = ledger[invoice.number]
        amounts = [Decimal(str(line["Amount"])) for line in lines]
        assert sum(amounts) == 0 and all(a == a.quantize(Decimal("0.01")) for a in amounts), invoice
        [receivable] = [line for line in lines if line["AccountNo"] == 1500]
        assert Decimal(str(receivable["Amount"])) == invoice_amounts(invoice).total
        assert receivable["SystemType"] == ("CreditnoteCustomer" if invoice.is_credit_note else "InvoiceCustomer")
        assert Decimal(str(receivable["Amount"])) < 0 if invoice.is_credit_note else Decimal(str(receivable["Amount"])) > 0
        vat = sum(Decimal(str(line["Amount"])) for line in lines if line["AccountNo"] == 2700)
        assert vat == -invoice_amounts(invoice).vat

    # Both clients' series moved exactly past the hub's vouchers.
    checks = {c.departments: c for c in invoice_series_check(tenant=tenant)}
    assert {c.state for c in checks.values()} == {SeriesState.OK}, [c.message for c in checks.values()]

    again = wait_finished(client, export(client, invoices[:5]), workers=workers)
    assert again["counts"]["duplicate"] == 5 and set(posted(sandbox)) == set(ledger)


def test_missing_year_fails_with_nothing_written_and_a_collision_is_reported(voucher_tenant, sandbox, workers):
    tenant, client = voucher_tenant
    next_year = date.today().year + 1
    stranger = tenant.customers.create(external_id="c-new", name="Helt Ny AS")
    late = make_invoice(tenant, 9001, [("1", "100", "0", "25")], invoice_date=date(next_year, 1, 2), customer=stranger)

    body = wait_finished(client, export(client, [late]), workers=workers)
    [item] = body["items"]
    assert item["status"] == "failed" and f"no accounting year {next_year}" in item["message"], item
    data = sandbox.data()
    assert data.get("transactions", []) == [] and all(c["Name"] != "Helt Ny AS" for c in data.get("companies", []))

    # The hub's next invoice in OSLO/BERGEN is its lowest unsent number; 24SO was set one further on.
    sandbox.set_invoice_series(9000 + 50)
    check = {c.departments: c for c in invoice_series_check(tenant=tenant)}["BERGEN, OSLO"]
    first = tenant.invoices.filter(department__code__in=["OSLO", "BERGEN"]).order_by("number").first().number
    assert check.state == SeriesState.COLLISION and f"to {first}." in check.message


def test_lost_answers_and_faults_never_post_a_voucher_twice(voucher_tenant, sandbox, workers):
    tenant, client = voucher_tenant
    invoices = list(Invoice.objects.filter(tenant=tenant, department__code__in=["OSLO", "BERGEN"]).order_by("number"))
    # Every SaveBundleList commits and then loses its answer: the retry must find the vouchers.
    sandbox.control(drop_after_commit_rate=1.0, operations=["SaveBundleList"])
    body = wait_finished(client, export(client, invoices), timeout=120, workers=workers)
    assert body["counts"]["done"] == len(invoices), [i["message"] for i in body["items"] if i["status"] != "done"][:3]
    assert all("earlier attempt" in i["message"] for i in body["items"])
    chunks = len({i.kind for i in invoices})  # invoices and credit notes go in separate chunks
    assert sandbox.stats()["accounts"][sandbox.USERNAME]["calls"]["SaveBundleList"] == chunks == 2
    assert set(posted(sandbox)) == {i.number for i in invoices}
    sandbox.control(drop_after_commit_rate=0.0, operations=None)

    # The drill's mix on the remaining client, with a worker killed mid-export.
    rest = list(Invoice.objects.filter(tenant=tenant, department__code="TRONDHEIM"))
    sandbox.control(http_500_rate=0.1, soap_fault_rate=0.03, drop_after_commit_rate=0.1, session_expiry_calls=9,
                    seed=11)
    export_id = export(client, rest)
    time.sleep(0.5)
    workers.kill(next(p for p in workers.processes if p.poll() is None))
    workers.start()
    body = wait_finished(client, export_id, timeout=240, workers=workers)
    sandbox.control(http_500_rate=0, soap_fault_rate=0, drop_after_commit_rate=0, session_expiry_calls=0)
    assert body["counts"]["done"] == len(rest), [i["message"] for i in body["items"] if i["status"] != "done"][:3]
    references = Counter(line["InvoiceNo"] for lines in posted(sandbox).values() for line in lines if line["InvoiceNo"])
    assert references == Counter(str(i.number) for i in invoices + rest)
