"""Vouchers end to end: the API, real worker processes and the sandbox over HTTP."""

import time
import uuid
from collections import Counter
from datetime import date
from decimal import Decimal
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.db.models import Max
from rest_framework.test import APIClient

from exports.amounts import invoice_amounts
from exports.demo import demo_seed
from exports.invoice_series import invoice_series_check
from exports.models import ExportItem, Invoice, InvoiceSeriesCheck, InvoiceSeriesTrigger, SeriesState
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants.services import api_key_create, integration_settings_update
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


def series_mails(workers) -> list[EmailMessage]:
    """Invoice series mails the workers sent (the file backend: one file per connection)."""
    directory = Path(workers.env["EMAIL_URL"].removeprefix("filemail:///"))
    found = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                message = BytesParser(policy=email_policy.default).parsebytes(chunk.strip() + b"\n")
                if "invoice series" in (message["Subject"] or ""):
                    found.append(message)
    return found


def wait_until(condition, what, workers, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.3)
    raise AssertionError(f"{what}\n{workers.logs()[-4000:]}")


def test_series_is_checked_after_the_export_and_by_beat_and_a_collision_is_mailed_once(
    voucher_tenant, sandbox, workers
):
    tenant, client = voucher_tenant
    integration_settings_update(tenant=tenant, actor=None, error_email="errors@demo.no")
    before = len(series_mails(workers))
    credentials = {c.identity_id: c for c in tenant.credentials.all()}
    invoices = list(Invoice.objects.filter(tenant=tenant).exclude(department__code="STAVANGER").order_by("number"))
    # Every SaveBundleList commits and loses its answer, and 24SO is slow: for seconds it holds
    # vouchers the hub has not recorded yet, while beat checks every 2 s. A comparison then
    # would see a collision that is not there.
    sandbox.control(latency_ms=250, drop_after_commit_rate=1.0, operations=["SaveBundleList"])
    export_id = export(client, invoices)
    body = wait_finished(client, export_id, timeout=120, workers=workers)
    sandbox.control(latency_ms=0, drop_after_commit_rate=0.0, operations=None)
    assert body["counts"]["done"] == len(invoices)

    # Each credential's receipt triggered one check of its own once its last chunk ended.
    triggers = wait_until(
        lambda: set(InvoiceSeriesTrigger.objects.filter(batch_id=export_id).values_list("credential_id", flat=True))
        if InvoiceSeriesTrigger.objects.filter(batch_id=export_id).count() == 2 else None,
        "no check after the export", workers)
    assert triggers == {c.pk for c in credentials.values()}
    finished_at = ExportItem.objects.filter(batch_id=export_id).aggregate(last=Max("updated_at"))["last"]
    checks = wait_until(
        lambda: (lambda found: found if len(found) == 2 else None)(
            list(InvoiceSeriesCheck.objects.filter(tenant=tenant, checked_at__gt=finished_at))),
        "no check stored after the export", workers)
    assert {c.state for c in checks} == {SeriesState.OK}, [c.message for c in checks]
    # No check ran on half an export: nothing was ever mailed, though beat ran throughout.
    assert len(series_mails(workers)) == before

    # Someone moves 24SO's series on: beat finds it and the error address hears of it once.
    sandbox.set_invoice_series(20000, identity_id=IDENTITIES[0])
    oslo = tenant.invoices.filter(department__code__in=["OSLO", "BERGEN"]).order_by("-number").first().number + 1
    mails = wait_until(lambda: series_mails(workers)[before:], "no series mail", workers)
    [mail] = mails
    assert mail["To"] == "errors@demo.no" and "collision for BERGEN, OSLO" in mail["Subject"]
    assert f"set the start number of the invoice series to {oslo}." in mail.get_content()
    check = InvoiceSeriesCheck.objects.get(credential=credentials[uuid.UUID(IDENTITIES[0])])
    seen = check.checked_at
    wait_until(lambda: InvoiceSeriesCheck.objects.filter(pk=check.pk, checked_at__gt=seen).exists(),
               "beat stopped checking", workers)
    seen = InvoiceSeriesCheck.objects.get(pk=check.pk).checked_at
    wait_until(lambda: InvoiceSeriesCheck.objects.filter(pk=check.pk, checked_at__gt=seen).exists(),
               "beat stopped checking", workers)
    assert len(series_mails(workers)[before:]) == 1  # still the same collision: not mailed again


def test_vouchers_read_back_partly_paid_then_paid_through_check_payment(voucher_tenant, sandbox, workers):
    tenant, client = voucher_tenant
    oslo = list(Invoice.objects.filter(tenant=tenant, department__code="OSLO", kind="invoice").order_by("number"))
    invoice, credited = oslo[:2]
    credit_note = make_invoice(tenant, 9500, [("-1", "80", "0", "25")], credits=credited)
    body = wait_finished(client, export(client, oslo + [credit_note]), workers=workers)
    assert body["counts"]["done"] == len(oslo) + 1
    total = invoice_amounts(invoice).total
    today = date.today().isoformat()

    def check():
        response = client.post(f"/api/v1/invoices/{invoice.external_id}/check-payment")
        assert response.status_code == 200, response.content
        return response.json()

    assert check()["payment_status"] == "unpaid"
    # A voucher has no InvoiceOrder in 24SO: the payment names its InvoiceReferenceNo, the hub's number.
    sandbox.register_payment(invoice.number, "100.00", today, identity_id=IDENTITIES[0])
    part = check()
    assert (part["payment_status"], Decimal(part["open_amount"]), part["paid_at"]) == (
        "partly_paid", total - Decimal("100.00"), None)
    sandbox.register_payment(invoice.number, None, today, identity_id=IDENTITIES[0])  # what is still owed
    paid = check()
    assert (paid["payment_status"], Decimal(paid["open_amount"]), paid["paid_at"]) == ("paid", Decimal("0.00"), today)
    # A credit note voucher (the reverse sign) owes the customer until paid out.
    answer = client.post(f"/api/v1/invoices/{credit_note.external_id}/check-payment").json()
    assert (answer["payment_status"], Decimal(answer["open_amount"])) == ("unpaid", Decimal("-100.00"))
    sandbox.register_payment(credit_note.number, None, today, identity_id=IDENTITIES[0])
    answer = client.post(f"/api/v1/invoices/{credit_note.external_id}/check-payment").json()
    assert (answer["payment_status"], answer["paid_at"]) == ("paid", today), answer
