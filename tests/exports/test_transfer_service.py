"""The transfer service against the sandbox over HTTP, called in-process (no worker)."""

from collections import Counter

import pytest

from exports import transfer
from exports.models import ExportItem, ExportStatus, Invoice
from sevenoffice.errors import RemoteUnavailable
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants.services import credential_for_department

pytestmark = pytest.mark.django_db

S = ExportStatus
IDENTITIES = (sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID)


def send_all(batch, tolerate_unavailable=False):
    """Run every chunk the router would hand to workers, invoices before credit notes."""
    for kind in ("invoice", "credit_note"):
        items = ExportItem.objects.filter(batch=batch, status=S.QUEUED, invoice__kind=kind).select_related("invoice")
        by_credential = {}
        for item in items:
            by_credential.setdefault(credential_for_department(item.invoice.department).pk, []).append(item.pk)
        for credential_id, ids in by_credential.items():
            try:
                transfer.export_send_chunk(credential_id=credential_id, item_ids=ids)
            except RemoteUnavailable:
                if not tolerate_unavailable:
                    raise


def sandbox_orders(sandbox):
    orders = []
    for identity in IDENTITIES:
        orders += sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=identity).get("orders", [])
    return orders


def references_in_sandbox(sandbox):
    return Counter(o.get("ReferenceNumber") for o in sandbox_orders(sandbox))


def test_export_sends_each_invoice_once_and_routes_missing_credentials_to_login_error(sandbox, demo_tenant):
    invoices = list(Invoice.objects.filter(tenant=demo_tenant).select_related("department"))
    batch = transfer.export_create(tenant=demo_tenant, invoices=invoices)
    stavanger = [i for i in invoices if i.department.code == "STAVANGER"]
    assert transfer.export_summary(batch)["counts"][S.LOGIN_ERROR] == len(stavanger)
    item = ExportItem.objects.filter(batch=batch, status=S.LOGIN_ERROR).first()
    assert "Department STAVANGER has no 24SevenOffice credential" in item.message

    send_all(batch)

    summary = transfer.export_summary(batch)
    assert summary["finished"]
    assert summary["counts"][S.DONE] == len(invoices) - len(stavanger)
    sent = [i for i in invoices if i.department.code != "STAVANGER"]
    assert references_in_sandbox(sandbox) == Counter(transfer.hub_reference(i) for i in sent)
    done = ExportItem.objects.filter(batch=batch, status=S.DONE)
    assert all(i.sevenoffice_order_id and i.sevenoffice_identity_id for i in done)
    # The demo's Trondheim sends orders (no invoice number until published in 24SO); the rest invoices.
    routes = {(i.invoice.department.code == "TRONDHEIM", i.sent_as, i.sevenoffice_invoice_id is None) for i in done}
    assert routes == {(False, "invoice", False), (True, "order", True)}


def test_credit_note_is_booked_against_the_credited_invoice(sandbox, demo_tenant):
    credit_note = Invoice.objects.filter(tenant=demo_tenant, kind="credit_note").exclude(
        department__code="STAVANGER").first()
    batch = transfer.export_create(tenant=demo_tenant, invoices=[credit_note, credit_note.credits])
    send_all(batch)
    credited_item = ExportItem.objects.get(batch=batch, invoice=credit_note.credits)
    orders = {o["ReferenceNumber"]: o for o in sandbox_orders(sandbox)}
    booked = orders[transfer.hub_reference(credit_note)]
    assert booked["ReferenceInvoiceId"] == credited_item.sevenoffice_invoice_id
    assert all(float(row["Quantity"]) < 0 for row in booked["InvoiceRows"])
    assert float(booked["OrderTotalIncVat"]) < 0


def test_credit_note_alone_waits_for_its_invoice(sandbox, demo_tenant):
    credit_note = Invoice.objects.filter(tenant=demo_tenant, kind="credit_note").exclude(
        department__code="STAVANGER").first()
    batch = transfer.export_create(tenant=demo_tenant, invoices=[credit_note])
    send_all(batch)
    item = ExportItem.objects.get(batch=batch)
    assert item.status == S.FAILED
    assert f"credited invoice {credit_note.credits.number} is not in 24SevenOffice yet" in item.message
    assert references_in_sandbox(sandbox) == Counter()


def test_exporting_again_marks_duplicates_and_sends_nothing(sandbox, demo_tenant):
    invoices = list(Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice")[:5])
    first = transfer.export_create(tenant=demo_tenant, invoices=invoices)
    send_all(first)
    second = transfer.export_create(tenant=demo_tenant, invoices=invoices)
    send_all(second)
    assert transfer.export_summary(second)["counts"][S.DUPLICATE] == 5
    assert "Already exported in export" in ExportItem.objects.filter(batch=second).first().message
    assert sum(references_in_sandbox(sandbox).values()) == 5


def test_invoice_number_taken_in_24so_by_another_invoice_is_a_duplicate(sandbox, demo_tenant):
    invoice = Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice").first()
    # 24SO's series runs at the hub's number, and someone already invoiced that number there.
    sandbox.set_invoice_series(invoice.number, username=sandbox_accounts.DEFAULT_USERNAME,
                               identity_id=sandbox_accounts.DEMO_AS_IDENTITY_ID)
    other = Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice").exclude(
        pk=invoice.pk).first()
    send_all(transfer.export_create(tenant=demo_tenant, invoices=[other]))  # takes 24SO number invoice.number

    batch = transfer.export_create(tenant=demo_tenant, invoices=[invoice])
    send_all(batch)
    item = ExportItem.objects.get(batch=batch)
    assert item.status == S.DUPLICATE
    assert f"24SevenOffice already has invoice number {invoice.number}" in item.message


def test_response_lost_after_commit_is_found_again_not_sent_twice(sandbox, demo_tenant):
    invoices = list(Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice")[:3])
    batch = transfer.export_create(tenant=demo_tenant, invoices=invoices)
    # Warm up sessions and bindings so the dropped call is the SaveInvoices itself.
    sandbox.control(drop_after_commit_rate=1.0, operations=["SaveInvoices"])
    send_all(batch, tolerate_unavailable=True)
    assert transfer.export_summary(batch)["counts"][S.QUEUED] == 3
    assert sum(references_in_sandbox(sandbox).values()) == 3  # 24SO has them; the hub does not know yet

    sandbox.control(drop_after_commit_rate=0.0)
    send_all(batch)
    items = ExportItem.objects.filter(batch=batch)
    assert {i.status for i in items} == {S.DONE}
    assert all("earlier attempt" in i.message and i.sevenoffice_invoice_id for i in items)
    assert sum(references_in_sandbox(sandbox).values()) == 3


def test_sweeper_revives_abandoned_and_undispatched_items(sandbox, demo_tenant, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from exports import transitions

    invoices = list(Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice")[:3])
    batch = transfer.export_create(tenant=demo_tenant, invoices=invoices)
    items = list(ExportItem.objects.filter(batch=batch).order_by("pk"))
    # one claimed by a worker that then died, one whose enqueue was lost, one dispatched a moment ago
    transitions.claim([items[0].pk], lease_seconds=60)
    ExportItem.objects.filter(pk=items[0].pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    ExportItem.objects.filter(pk=items[1].pk).update(next_attempt_at=None)
    before = {i.pk: i.next_attempt_at for i in ExportItem.objects.filter(batch=batch)}
    with django_capture_on_commit_callbacks() as dispatched:
        touched = transfer.export_sweep()
    after = {i.pk: i for i in ExportItem.objects.filter(batch=batch)}
    chunks = [cb for cb in dispatched if "_enqueue_on_commit" in getattr(cb, "__qualname__", "")]
    assert touched == 2 and len(chunks) == 1  # both revived items, handed out as one chunk
    assert after[items[0].pk].status == S.QUEUED and "interrupted" in after[items[0].pk].message
    assert after[items[0].pk].next_attempt_at > timezone.now()
    assert after[items[1].pk].next_attempt_at > timezone.now()
    assert after[items[2].pk].next_attempt_at == before[items[2].pk]  # not due yet: left alone


def test_admin_is_told_when_24so_numbers_differ_and_api_shows_both_numbers(sandbox, demo_tenant, client):
    from rest_framework.test import APIClient

    from tenants.services import api_key_create

    invoice = Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice").first()
    send_all(transfer.export_create(tenant=demo_tenant, invoices=[invoice]))  # the sandbox series starts at 10001
    assert client.login(username="admin", password="demo-admin-pass")
    assert "1 exported invoice got a different number in 24SevenOffice" in client.get("/").content.decode()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_create(tenant=demo_tenant)[1]}")
    body = api.get(f"/api/v1/invoices/{invoice.external_id}").json()
    assert body["number"] == invoice.number and body["export_status"] == "done"
    assert body["sevenoffice_invoice_id"] == 10001 and body["sevenoffice_number_differs"] is True


def test_a_login_reaching_several_clients_uses_the_tenants_default_client(sandbox, demo_tenant):
    from tenants.models import SevenOfficeCredential
    from tenants.services import integration_settings

    # The Trondheim credential never chose a client; the demo login reaches two.
    trondheim = SevenOfficeCredential.objects.get(departments__code="TRONDHEIM")
    SevenOfficeCredential.objects.filter(pk=trondheim.pk).update(identity_id=None)
    invoice = Invoice.objects.filter(tenant=demo_tenant, department__code="TRONDHEIM", kind="invoice").first()
    batch = transfer.export_create(tenant=demo_tenant, invoices=[invoice])
    send_all(batch)
    item = ExportItem.objects.get(batch=batch)
    assert item.status == S.LOGIN_ERROR and "Demo Konsulent AS" in item.message  # several: told to choose

    settings = integration_settings(demo_tenant)
    settings.default_identity_id = sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID
    settings.save()
    transfer.export_retry(batch=batch)
    send_all(batch)
    item.refresh_from_db()
    assert item.status == S.DONE and str(item.sevenoffice_identity_id) == sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID


def test_products_and_category_already_in_24so_are_matched_by_number_not_created_again(sandbox, demo_tenant):
    from sevenoffice.client import SevenOfficeClient
    from sevenoffice.types import Credential, Product, ProductCategory

    client = SevenOfficeClient(Credential(sandbox_accounts.DEFAULT_USERNAME, sandbox_accounts.DEFAULT_PASSWORD,
                                          sandbox_accounts.DEMO_AS_IDENTITY_ID))
    category = client.save_product_categories([ProductCategory(name="Hub")])[0].record
    invoice = Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice").first()
    line = invoice.lines.first()
    existing = client.save_product(Product(name="Made by a person", no=line.product_number, category_id=category.id))

    send_all(transfer.export_create(tenant=demo_tenant, invoices=[invoice]))

    data = sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=sandbox_accounts.DEMO_AS_IDENTITY_ID)
    numbers = Counter(p["No"] for p in data["products"])
    assert numbers[line.product_number] == 1  # matched, not created again
    assert [c["Name"] for c in data["categories"]].count("Hub") == 1
    row = next(r for r in data["orders"][0]["InvoiceRows"] if r["SequenceNumber"] == line.position)
    assert row["ProductId"] == existing.id


def test_vat_codes_are_read_once_per_client_and_again_only_for_a_missing_rate(sandbox, demo_tenant):
    from decimal import Decimal

    transfer._tax_codes.clear()
    invoices = list(Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice")[:4])
    for invoice in invoices[:2]:
        send_all(transfer.export_create(tenant=demo_tenant, invoices=[invoice]))
    calls = lambda: sandbox.stats()["accounts"][sandbox_accounts.DEFAULT_USERNAME]["calls"].get("GetTaxCodeList", 0)  # noqa: E731
    assert calls() == 1  # two chunks, one read

    invoices[2].lines.update(vat_rate=Decimal("13"))  # a rate 24SO has no code for
    batch = transfer.export_create(tenant=demo_tenant, invoices=[invoices[2]])
    send_all(batch)
    assert calls() == 2  # the miss made it look again before failing
    assert "no VAT code for 13 %" in ExportItem.objects.get(batch=batch).message
