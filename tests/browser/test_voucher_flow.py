"""Vouchers in the browser: an admin sets revenue accounts and checks the invoice series; an
accountant watches a voucher export turn live on the receipt and opens the hub's copy."""

import pytest

from exports.demo import demo_seed
from exports.models import Invoice
from sevenoffice.sandbox import accounts as sandbox_accounts
from tests.browser.test_export_flow import wait_until
from tests.fixtures.browser import save_screenshot
from tenants.services import integration_settings_update

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def sign_in(page, live_server, role, next_path):
    page.goto(f"{live_server.url}/login/?next={next_path}")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", f"demo-{role}-pass")
    page.click("button[type=submit]")


def test_admin_configures_vouchers_and_accountant_follows_the_receipt(live_server, page, workers, sandbox):
    tenant = demo_seed(
        username=sandbox_accounts.DEFAULT_USERNAME, password=sandbox_accounts.DEFAULT_PASSWORD,
        identities=[sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID], invoices=20,
    )
    integration_settings_update(tenant=tenant, actor=None, posting_mode="voucher")
    oslo = list(Invoice.objects.filter(tenant=tenant, kind="invoice", department__code="OSLO").order_by("number"))

    sign_in(page, live_server, "admin", "/settings/24sevenoffice/")
    page.wait_for_selector("#revenue-accounts")
    page.select_option("#revenue-account-form select[name=department]", "OSLO")
    page.fill("#revenue-account-form input[name=vat_rate]", "0")
    page.fill("#revenue-account-form input[name=account]", "3100")
    page.click("#revenue-account-form button[type=submit]")
    page.wait_for_selector("text=Revenue account rule saved")
    assert "3100" in page.inner_text("#revenue-accounts table")
    page.click("#check-series")  # 24SO's series starts at 10001, the hub's numbers at 1001
    page.wait_for_selector("#invoice-series tr[data-state='collision']")
    assert f"to {oslo[0].number}" in page.inner_text("#invoice-series")
    save_screenshot(page, "voucher-settings")

    page.context.clear_cookies()
    sign_in(page, live_server, "accountant", "/invoices/")
    page.wait_for_selector("h1:has-text('Invoices')")
    page.select_option("select[name=status]", "")
    page.click("#filters button[type=submit]")
    for invoice in oslo[:2]:
        page.check(f"tr[data-number='{invoice.number}'] input.tick")
    page.click("#export-button")
    page.click("#confirm-export")
    page.wait_for_selector("#receipt")
    page.evaluate("window.__sameDocument = true")
    assert "takes no attachments on vouchers" in page.inner_text("#voucher-note")
    wait_until(lambda: page.locator("#finished").is_visible(), timeout=90)
    assert page.evaluate("window.__sameDocument") is True  # filled in by the live updates, not a reload
    rows = page.locator("#receipt tbody tr")
    shown = {rows.nth(n).locator("td").first.inner_text(): (rows.nth(n).get_attribute("data-status"),
                                                             rows.nth(n).locator(".so-id").inner_text())
             for n in range(rows.count())}
    assert shown == {str(i.number): ("done", f"Voucher {i.number}") for i in oslo[:2]}
    save_screenshot(page, "voucher-receipt")

    page.locator(f"#receipt tbody tr:has(a[href='/invoices/{oslo[0].pk}/']) .copy-link").click()
    page.wait_for_selector("#title")
    assert page.inner_text("#title") == f"Invoice {oslo[0].number}"
    assert f"Posted in 24SevenOffice as voucher {oslo[0].number}" in page.inner_text("#posted")
    save_screenshot(page, "voucher-invoice-copy")
