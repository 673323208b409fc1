"""An accountant imports expenses from 24SO, makes one billable and bills it on the customer's invoice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from exports.models import Expense, Invoice, InvoiceLine
from tenants import services
from tenants.models import Department
from tests.exports.expense_setup import PDF, expense_tenant, seed, synced_project
from tests.fixtures.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PASSWORD = "long-enough-pass-42"


def test_accountant_imports_and_bills_an_expense_with_its_document(live_server, page, workers, sandbox):
    tenant = expense_tenant()
    project, project_id = synced_project(tenant)
    seed(sandbox, project_id)
    services.user_create(tenant=tenant, username="kari", password=PASSWORD, role="accountant")
    department = Department.objects.create(tenant=tenant, code="OSLO", name="Oslo")
    invoice = Invoice.objects.create(tenant=tenant, department=department, external_id="inv-1", number=1001,
                                     customer=project.customer, project=project, invoice_date=date.today(),
                                     due_date=date.today() + timedelta(days=14))
    InvoiceLine.objects.create(invoice=invoice, position=1, product_number="P-100", product_name="Consulting hour",
                               quantity=Decimal(3), unit_price=Decimal("1250.00"), vat_rate=Decimal(25))

    page.goto(f"{live_server.url}/login/?next=/expenses/")
    page.fill("input[name=username]", "kari")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Expenses')")
    page.click("#import-now")
    page.wait_for_selector("#import-status:has-text('Finished')", timeout=60_000)
    assert "1 imported" in page.inner_text("#import")

    page.select_option("select[name=project]", str(project.pk))
    page.click("form.filters button[type=submit]")
    expense = Expense.objects.get(tenant=tenant)
    row = f"tr[data-expense='{expense.pk}']"
    assert "Kontorland AS" in page.inner_text(row) and "No" in page.inner_text(f"{row} td.billable")
    page.check(f"{row} td.billable input[type=checkbox]")  # submits the toggle
    page.wait_for_selector(f"{row} input[name=expense]")
    save_screenshot(page, "expenses-of-a-project")
    page.check(f"{row} input[name=expense]")
    page.select_option("#add-to-invoice select[name=invoice]", str(invoice.pk))
    page.click("#add-to-invoice button[type=submit]")

    page.wait_for_selector("h1:has-text('Invoice 1001')")
    assert "Office supplies" in page.inner_text("#lines")
    with page.expect_download() as download:
        page.click("#expense-documents a.document")
    assert open(download.value.path(), "rb").read() == PDF
    save_screenshot(page, "invoice-with-expense")
    line = Expense.objects.get(pk=expense.pk).invoice_line
    assert (line.invoice_id, line.unit_price, line.vat_rate) == (invoice.pk, Decimal("1000.00"), Decimal("25"))
