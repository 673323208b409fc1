"""Ops presses *Check status* on a receipt and on an invoice page and sees 24SO's answer."""

from datetime import date

import pytest

from exports import transfer
from exports.demo import demo_seed
from exports.models import ExportItem, ExportStatus, Invoice
from sevenoffice.sandbox import accounts as sandbox_accounts
from tests.browser.test_export_flow import wait_until
from tests.fixtures.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_ops_checks_payment_status_on_the_receipt_and_the_invoice(live_server, page, workers, sandbox):
    tenant = demo_seed(
        username=sandbox_accounts.DEFAULT_USERNAME, password=sandbox_accounts.DEFAULT_PASSWORD,
        identities=[sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID], invoices=40,
    )
    paid, part, unpaid = Invoice.objects.filter(tenant=tenant, kind="invoice", department__code="OSLO").order_by("number")[:3]
    batch = transfer.export_create(tenant=tenant, invoices=[paid, part, unpaid])
    wait_until(lambda: not ExportItem.objects.filter(batch=batch).exclude(status=ExportStatus.DONE).exists())
    so_ids = dict(ExportItem.objects.filter(batch=batch).values_list("invoice_id", "sevenoffice_invoice_id"))
    today = date.today().isoformat()
    sandbox.register_payment(so_ids[paid.pk], date=today)
    sandbox.register_payment(so_ids[part.pk], "100.00", today)

    page.goto(f"{live_server.url}/login/?next=/exports/{batch.pk}/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", "demo-ops-pass")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt")
    page.click("#check-status")
    page.wait_for_selector("text=24SevenOffice answered for 3 invoice(s)")

    def payment(invoice):
        return page.inner_text(f"#receipt tr#item-{ExportItem.objects.get(batch=batch, invoice=invoice).pk} .payment-cell")

    assert payment(paid) == f"Paid {today}"
    part.refresh_from_db()
    assert payment(part) == f"Partly paid {part.open_amount} open"
    assert payment(unpaid) == "Unpaid"
    save_screenshot(page, "receipt-payment-status")

    sandbox.register_payment(so_ids[part.pk], date=today)  # the rest
    page.click(f"#receipt a:text-is('{part.number}')")
    page.wait_for_selector("#payment-status")
    page.click("#check-status")
    page.wait_for_selector("text=24SevenOffice answered for 1 invoice(s)")
    assert page.inner_text("#payment-status") == "Paid" and page.inner_text("#paid-at") == today
    assert f"Export {batch.pk}" in page.inner_text("#exports")
    save_screenshot(page, "invoice-payment-status")
