"""Paid status read back from the sandbox over HTTP, by the payments service in-process."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from exports import payments, transfer
from exports.models import ExportItem, ExportStatus, Invoice, PaymentStatus, SentAs
from sevenoffice.client import SevenOfficeClient
from sevenoffice.sandbox.accounts import DEFAULT_USERNAME
from sevenoffice.types import (
    Bundle, BundleList, Company, Credential, Entry, InvoiceOrder, InvoiceRow, SaveOption, Voucher,
)
from tenants.services import credential_for_department

from tests.exports.test_transfer_service import send_all

pytestmark = pytest.mark.django_db
P = PaymentStatus
TODAY = date.today()


def export(tenant, invoices):
    batch = transfer.export_create(tenant=tenant, invoices=invoices)
    send_all(batch)
    items = {i.invoice_id: i for i in ExportItem.objects.filter(batch=batch, status=ExportStatus.DONE)}
    assert len(items) == len(invoices)
    return items


def calls(sandbox, operation):
    return sandbox.stats()["accounts"][sandbox.USERNAME]["calls"].get(operation, 0)


def pick(tenant, department, n):
    return list(Invoice.objects.filter(tenant=tenant, department__code=department, kind="invoice").order_by("number")[:n])


def total(item, sandbox, identity):
    orders = sandbox.data(identity_id=identity)["orders"]
    return Decimal(str(next(o["OrderTotalIncVat"] for o in orders if o.get("InvoiceId") == item.sevenoffice_invoice_id)))


def test_paid_part_paid_and_unpaid_invoices_of_two_clients_in_few_calls(sandbox, demo_tenant):
    demo_tenant.departments.filter(code="TRONDHEIM").update(export_mode="invoice")  # the demo sends orders there
    oslo = pick(demo_tenant, "OSLO", 6)
    trondheim = pick(demo_tenant, "TRONDHEIM", 3)
    items = export(demo_tenant, oslo + trondheim)
    paid, part, unpaid = (items[i.pk] for i in oslo[:3])
    other = items[trondheim[0].pk]
    sandbox.register_payment(paid.sevenoffice_invoice_id, date=(TODAY - timedelta(days=1)).isoformat())
    sandbox.register_payment(part.sevenoffice_invoice_id, "100.00", TODAY.isoformat())
    sandbox.register_payment(other.sevenoffice_invoice_id, identity_id=sandbox.SECOND_IDENTITY_ID,
                             date=TODAY.isoformat())
    before = {op: calls(sandbox, op) for op in ("GetTransactions", "GetInvoices")}

    report = payments.payments_check(invoices=oslo + trondheim)

    assert report.errors == {} and sorted(report.changed) == sorted(i.pk for i in oslo + trondheim)
    # Nine invoices, two clients; per client the open lines, then all lines for those with none open.
    assert calls(sandbox, "GetTransactions") - before["GetTransactions"] == 4
    assert calls(sandbox, "GetInvoices") == before["GetInvoices"]
    got = {i.pk: i for i in Invoice.objects.filter(pk__in=[i.pk for i in oslo + trondheim])}
    assert (got[paid.invoice_id].payment_status, got[paid.invoice_id].paid_at) == (P.PAID, TODAY - timedelta(days=1))
    assert got[paid.invoice_id].open_amount == 0
    part_total = total(part, sandbox, sandbox.IDENTITY_ID)
    assert (got[part.invoice_id].payment_status, got[part.invoice_id].open_amount) == (P.PARTLY_PAID, part_total - 100)
    assert got[part.invoice_id].paid_at is None
    assert got[unpaid.invoice_id].payment_status == P.UNPAID
    assert got[unpaid.invoice_id].open_amount == total(unpaid, sandbox, sandbox.IDENTITY_ID)
    assert got[other.invoice_id].payment_status == P.PAID
    assert all(i.payment_checked_at and i.payment_changed_at == i.payment_checked_at for i in got.values())


def test_a_second_payment_after_relinking_reads_right_and_only_changes_move_changed_at(sandbox, demo_tenant):
    first, second = pick(demo_tenant, "OSLO", 2)
    items = export(demo_tenant, [first, second])
    invoice_id = items[first.pk].sevenoffice_invoice_id
    link_one = sandbox.register_payment(invoice_id, "50.00", TODAY.isoformat())["link_id"]
    payments.payments_check(invoices=[first, second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.payment_status == P.PARTLY_PAID
    changed_before = second.payment_changed_at

    link_two = sandbox.register_payment(invoice_id, date=TODAY.isoformat())["link_id"]
    assert link_two != link_one  # 24SO renumbered the linked set
    report = payments.payments_check(invoices=[first, second])

    assert report.changed == [first.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.payment_status, first.paid_at, first.open_amount) == (P.PAID, TODAY, Decimal("0.00"))
    assert second.payment_changed_at == changed_before and second.payment_checked_at > changed_before


def test_errors_leave_the_status_and_are_reported(sandbox, demo_tenant):
    invoice, never_exported = pick(demo_tenant, "OSLO", 2)
    export(demo_tenant, [invoice])
    payments.payments_check(invoices=[invoice])
    invoice.refresh_from_db()
    assert invoice.payment_status == P.UNPAID
    checked_at = invoice.payment_checked_at

    sandbox.control(http_500_rate=1.0, operations=["GetTransactions"])
    report = payments.payments_check(invoices=[invoice, never_exported])
    sandbox.control(http_500_rate=0, operations=None)

    assert report.not_exported == [never_exported.pk]
    assert "did not answer" in report.errors[invoice.pk]
    invoice.refresh_from_db()
    assert invoice.payment_status == P.UNPAID and invoice.payment_checked_at == checked_at
    assert "did not answer" in invoice.payment_message

    credential = credential_for_department(invoice.department)
    credential.set_password("wrong")
    credential.save()
    report = payments.payments_check(invoices=[invoice])
    assert "refused" in report.errors[invoice.pk]
    invoice.refresh_from_db()
    assert invoice.payment_status == P.UNPAID and invoice.payment_checked_at == checked_at


def _client(sandbox, identity):
    return SevenOfficeClient(Credential(sandbox.USERNAME, sandbox.PASSWORD, identity))


def _as_exported(invoice, **fields):
    """An item as another route (voucher, order) records it once done."""
    batch = transfer.export_create(tenant=invoice.tenant, invoices=[])
    return ExportItem.objects.create(tenant=invoice.tenant, batch=batch, invoice=invoice, status=ExportStatus.DONE,
                                     sevenoffice_username=DEFAULT_USERNAME, **fields)


def test_an_invoice_posted_as_a_voucher_is_read_from_the_ledger(sandbox, demo_tenant):
    [invoice] = pick(demo_tenant, "OSLO", 1)
    client = _client(sandbox, sandbox.IDENTITY_ID)
    customer = client.save_company(Company(name="Voucher Kunde AS"))
    day = invoice.invoice_date
    sales = next(t for t in client.get_entry_types() if t.type_no == 1)
    voucher = Voucher(transaction_no=client.get_next_entry_id(day, sales.entry_series_id), sort=1, entries=(
        Entry(account_no=1500, amount=Decimal("1000.00"), date=day, customer_id=customer.id,
              invoice_reference_no=str(invoice.number)),
        Entry(account_no=3000, amount=Decimal("-1000.00"), date=day),
    ))
    response = client.save_bundle_list(BundleList(bundles=(Bundle(year_id=day.year, vouchers=(voucher,), sort=1),),
                                                  save_option=SaveOption.LEDGER))
    assert response.ok, response.description
    _as_exported(invoice, sent_as=SentAs.VOUCHER, sevenoffice_identity_id=sandbox.IDENTITY_ID)

    payments.payments_check(invoices=[invoice])
    invoice.refresh_from_db()
    assert (invoice.payment_status, invoice.open_amount) == (P.UNPAID, Decimal("1000.00"))
    sandbox.register_payment(str(invoice.number), "400.00", TODAY.isoformat())
    payments.payments_check(invoices=[invoice])
    invoice.refresh_from_db()
    assert (invoice.payment_status, invoice.open_amount) == (P.PARTLY_PAID, Decimal("600.00"))


def test_a_voucher_missing_from_the_ledger_is_an_error_not_paid(sandbox, demo_tenant):
    [invoice] = pick(demo_tenant, "OSLO", 1)
    _as_exported(invoice, sent_as=SentAs.VOUCHER, sevenoffice_identity_id=sandbox.IDENTITY_ID)
    report = payments.payments_check(invoices=[invoice])
    assert "journal" in report.errors[invoice.pk]
    invoice.refresh_from_db()
    assert invoice.payment_status == P.UNKNOWN


def test_an_order_stays_unknown_until_24so_invoices_it(sandbox, demo_tenant):
    [invoice] = pick(demo_tenant, "OSLO", 1)
    client = _client(sandbox, sandbox.IDENTITY_ID)
    export(demo_tenant, pick(demo_tenant, "BERGEN", 1))  # creates a customer and product in the client
    order = sandbox.data()["orders"][0]
    draft = client.save_invoice(InvoiceOrder(customer_id=order["CustomerId"], order_status="Draft", rows=(
        InvoiceRow(product_id=order["InvoiceRows"][0]["ProductId"], quantity=Decimal(1), price=Decimal("800")),)))
    _as_exported(invoice, sent_as=SentAs.ORDER, sevenoffice_identity_id=sandbox.IDENTITY_ID,
                 sevenoffice_order_id=draft.order_id)

    report = payments.payments_check(invoices=[invoice])
    invoice.refresh_from_db()
    assert report.checked == [invoice.pk] and invoice.payment_status == P.UNKNOWN

    # Someone publishes it as an invoice inside 24SO.
    published = client.save_invoice(InvoiceOrder(order_id=draft.order_id, order_status="Invoiced"))
    payments.payments_check(invoices=[invoice])
    invoice.refresh_from_db()
    assert (invoice.payment_status, invoice.open_amount) == (P.UNPAID, published.order_total_inc_vat)


def test_refresh_takes_open_invoices_longest_unasked_first(sandbox, demo_tenant):
    invoices = pick(demo_tenant, "OSLO", 4)
    items = export(demo_tenant, invoices)
    sandbox.register_payment(items[invoices[0].pk].sevenoffice_invoice_id, date=TODAY.isoformat())
    long_ago = timezone.now() - timedelta(days=3)
    Invoice.objects.filter(pk=invoices[2].pk).update(payment_attempted_at=long_ago)
    Invoice.objects.filter(pk__in=[invoices[1].pk, invoices[3].pk]).update(payment_attempted_at=timezone.now())

    first = payments.payments_refresh(batch_size=2)  # never asked (0), then the oldest asked (2)
    assert sorted(first.checked) == sorted([invoices[0].pk, invoices[2].pk])
    second = payments.payments_refresh(batch_size=2)
    assert sorted(second.checked) == sorted([invoices[1].pk, invoices[3].pk])
    third = payments.payments_refresh(batch_size=10)
    assert invoices[0].pk not in third.checked  # paid: no longer refreshed
    assert set(third.checked) == {invoices[1].pk, invoices[2].pk, invoices[3].pk}
