"""Contract: an expense import's every 24SO call, through the vendor-schema validating proxy."""

import pytest

from exports import expenses
from exports.models import Expense
from tests.exports.expense_setup import PDF, expense_tenant, seed, synced_project

pytestmark = [pytest.mark.contract, pytest.mark.django_db]
IMPORT_OPERATIONS = {"GetTransactions", "GetFileInfo", "GetCompanies", "GetSize", "GetMaxRequestLength", "DownloadChunk"}


def test_an_expense_import_fits_the_vendor_schema(sandbox, vendor_proxy, settings):
    tenant = expense_tenant(accounts="4000, 4300, 6800")
    _, project_id = synced_project(tenant)
    seed(sandbox, project_id)
    seed(sandbox, project_id, supplier_invoice_number="KL-CREDIT", amount="-80.00", account_no=4300)
    seed(sandbox, project_id, supplier_invoice_number="KL-UNAPPROVED", approved=False)
    settings.SEVENOFFICE_API_URL = settings.SEVENOFFICE_WEBSERVICES_URL = vendor_proxy.url  # the vendor's WSDLs

    run, _ = expenses.expense_import_start(tenant=tenant)
    expenses.expense_import_run(run.pk)

    run.refresh_from_db()
    assert (run.imported, run.failed, len(run.skipped)) == (2, [], 1)
    assert Expense.objects.get(supplier_invoice_number="KL-1001").attachments.get().file.read() == PDF
    calls = vendor_proxy.calls()
    problems = [(c.get("op"), c.get("request_errors"), c.get("response_errors")) for c in calls
                if c.get("request_errors") or c.get("response_errors")]
    assert problems == []
    assert IMPORT_OPERATIONS <= {c.get("op") for c in calls}
