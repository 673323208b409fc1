"""An accountant uploads repeating-invoice sheets: a real worker checks them, the page shows
progress, then the errors by row and column, or a preview to confirm."""

import pytest

from exports.models import BindingKind, Customer, RepeatingAgreement, SevenOfficeBinding, SyncStatus
from tests.admin_ui.conftest import PASSWORD, make_tenant
from tests.fixtures.browser import save_screenshot
from tests.repeating.conftest import IDENTITY, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
HEAD = ["RepeatingOrderId", "RepeatingCustomerId", "RepeatingQuantity", "RepeatingName", "RepeatingPrice",
        "RepeatingDate", "RepeatingFactor", "RepeatingFrequency"]


def test_accountant_sees_sheet_errors_listed_then_applies_a_good_sheet(live_server, page, workers, tmp_path):
    tenant = make_tenant("acme")
    customer = Customer.objects.create(tenant=tenant, external_id="c-1", name="Fjord AS")
    SevenOfficeBinding.objects.create(tenant=tenant, identity_id=IDENTITY, kind=BindingKind.CUSTOMER,
                                      key=str(customer.pk), sevenoffice_id=10001, sync_status=SyncStatus.SYNCED)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([HEAD, ["1", "10001", "1", "Support", "100", "2026-03-01", "1", "2"],
                          ["2", "424242", "1", "Hosting", "50", "01.03.2026", "1", "9"]]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([HEAD, *[[str(n // 2), "10001", "1", f"Line {n}", "100", "01.03.2026", "1", "2"]
                                   for n in range(400)]]))

    page.goto(f"{live_server.url}/login/?next=/repeating/")
    page.fill("input[name=username]", "acme-accountant")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Repeating invoices')")

    page.set_input_files("#upload-form input[type=file]", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#sheet-errors", timeout=60_000)
    rows = page.eval_on_selector_all(
        "#sheet-errors tbody tr", "rows => rows.map(r => [r.dataset.row, r.dataset.column, r.cells[2].innerText])")
    assert [(r, c) for r, c, _ in rows] == [("2", "RepeatingDate"), ("3", "RepeatingFrequency"),
                                            ("3", "RepeatingCustomerId")]
    assert "dd.mm.yyyy" in rows[0][2] and "Unknown frequency '9'" in rows[1][2] and "424242" in rows[2][2]
    assert "nothing was saved" in page.inner_text("main")
    save_screenshot(page, "repeating-sheet-errors")

    page.goto(f"{live_server.url}/repeating/")
    page.set_input_files("#upload-form input[type=file]", str(good))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#confirm-sheet", timeout=60_000)
    assert page.get_attribute("#progress", "value") == page.get_attribute("#progress", "max") == "400"
    assert "create 200" in " ".join(page.inner_text("#preview").split())
    assert not RepeatingAgreement.objects.filter(tenant=tenant).exists()
    page.click("#confirm-sheet")
    page.wait_for_selector("#status-label:has-text('Applied')", timeout=60_000)
    assert RepeatingAgreement.objects.filter(tenant=tenant).count() == 200
