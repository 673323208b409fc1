import time

import pytest

from exports import transfer
from exports.demo import demo_seed
from exports.models import ExportItem, ExportStatus, Invoice
from sevenoffice.sandbox import accounts as sandbox_accounts
from tests.fixtures.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def wait_until(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_accountant_exports_and_watches_the_receipt_turn_live(live_server, page, workers, sandbox):
    tenant = demo_seed(
        username=sandbox_accounts.DEFAULT_USERNAME, password=sandbox_accounts.DEFAULT_PASSWORD,
        identities=[sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID], invoices=40,
    )
    invoices = Invoice.objects.filter(tenant=tenant, kind="invoice").select_related("department").order_by("number")
    oslo = [i for i in invoices if i.department.code == "OSLO"]
    already, fresh = oslo[0], oslo[1:3]
    stavanger = next(i for i in invoices if i.department.code == "STAVANGER")
    earlier = transfer.export_create(tenant=tenant, invoices=[already])
    wait_until(lambda: ExportItem.objects.get(batch=earlier).status == ExportStatus.DONE)

    page.goto(f"{live_server.url}/login/?next=/invoices/")
    page.fill("input[name=username]", "accountant")
    page.fill("input[name=password]", "demo-accountant-pass")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Invoices')")

    page.select_option("select[name=status]", "")
    page.fill("input[name=customer]", "")
    page.click("#filters button[type=submit]")
    for invoice in [already, stavanger, *fresh]:
        page.check(f"tr[data-number='{invoice.number}'] input.tick")
    page.click("#export-button")

    page.wait_for_selector("h1:has-text('Export 4 invoices to 24SevenOffice?')")
    assert "2 invoices will not reach 24SevenOffice" in page.inner_text("#certain-failures")
    assert "no 24SevenOffice credential" in page.inner_text(f"#preview tr[data-number='{stavanger.number}']")
    assert "Already exported in export" in page.inner_text(f"#preview tr[data-number='{already.number}']")
    # export anyway, to see them on the receipt
    page.check(f"#preview tr[data-number='{stavanger.number}'] input")
    page.check(f"#preview tr[data-number='{already.number}'] input")
    page.click("#confirm-export")

    page.wait_for_selector("#receipt")
    page.evaluate("window.__sameDocument = true")

    def statuses():
        return page.eval_on_selector_all("#receipt tbody tr", "rows => rows.map(r => r.dataset.status).sort()")

    page.wait_for_function(
        "() => [...document.querySelectorAll('#receipt tbody tr')].every(r => !['queued','in_transfer'].includes(r.dataset.status))",
        timeout=60_000,
    )
    assert statuses() == ["done", "done", "duplicate", "login_error"]
    assert page.evaluate("window.__sameDocument") is True  # updated live, never reloaded
    assert page.inner_text("#progress-text") == "4 of 4"
    login_row = page.inner_text("#receipt tr[data-status='login_error']")
    assert "Department STAVANGER has no 24SevenOffice credential" in login_row
    save_screenshot(page, "receipt-live")
