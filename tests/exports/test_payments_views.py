"""The invoice page and the receipt's *Check status* button, against the sandbox over HTTP."""

from datetime import date

import pytest

from exports import transfer
from exports.demo import DEMO_PASSWORDS
from exports.models import ExportItem, Invoice

from tests.exports.test_transfer_service import send_all

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def exported(sandbox, demo_tenant):
    invoices = list(Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice")
                    .order_by("number")[:3])
    batch = transfer.export_create(tenant=demo_tenant, invoices=invoices[:2])
    send_all(batch)
    so_ids = dict(ExportItem.objects.filter(batch=batch).values_list("invoice_id", "sevenoffice_invoice_id"))
    return batch, invoices, so_ids


@pytest.fixture
def ops(client):
    assert client.login(username="ops", password=DEMO_PASSWORDS["ops"])
    return client


def test_invoice_page_shows_lines_exports_and_checks_payment(sandbox, exported, ops):
    batch, (invoice, _, never), so_ids = exported
    page = ops.get(f"/invoices/{invoice.pk}/").content.decode()
    assert f"Export {batch.pk}" in page and invoice.lines.first().product_name in page
    assert 'id="payment-status">Unknown' in page and "Not checked yet" in page

    sandbox.register_payment(so_ids[invoice.pk], date=TODAY.isoformat())
    response = ops.post(f"/invoices/{invoice.pk}/check-payment/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/invoices/{invoice.pk}/"
    assert "answered for 1 invoice(s); 1 changed" in page
    assert 'id="payment-status">Paid' in page and TODAY.isoformat() in page

    page = ops.post(f"/invoices/{never.pk}/check-payment/", follow=True).content.decode()
    assert "never exported" in page and "Never exported." in page


def test_receipt_check_status_shows_payment_per_row(sandbox, exported, ops):
    batch, (paid, part, _), so_ids = exported
    sandbox.register_payment(so_ids[paid.pk], date=TODAY.isoformat())
    sandbox.register_payment(so_ids[part.pk], "100.00", TODAY.isoformat())
    page = ops.post(f"/exports/{batch.pk}/check-payment/", follow=True).content.decode()
    assert "answered for 2 invoice(s); 2 changed" in page
    part.refresh_from_db()
    assert '<span class="status pay-paid">Paid</span>' in page
    assert f'<span class="status pay-partly_paid">Partly paid</span> <span class="num">{part.open_amount} open' in page

    sandbox.control(http_500_rate=1.0, operations=["GetTransactions"])
    page = ops.post(f"/exports/{batch.pk}/check-payment/", follow=True).content.decode()
    sandbox.control(http_500_rate=0, operations=None)
    assert "2 invoice(s) not checked: 24SevenOffice did not answer" in page
    assert '<span class="status pay-paid">Paid</span>' in page  # kept
