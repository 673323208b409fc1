"""The export confirmation page for a tenant posting vouchers: what will happen per route,
accounting years found in one GetFiscalYears per 24SO client, the revenue accounts used."""

from datetime import date

import pytest

from exports import overview
from exports.models import InvoiceSeriesCheck, SeriesState
from exports.revenue_accounts import revenue_rule_create
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants.services import credential_for_department
from tests.exports.voucher_helpers import make_invoice, use_vouchers

pytestmark = pytest.mark.django_db
THIS_YEAR = date.today().year


def calls(sandbox, operation):
    return sandbox.stats()["accounts"].get(sandbox_accounts.DEFAULT_USERNAME, {}).get("calls", {}).get(operation, 0)


def confirm(client, invoices):
    assert client.login(username="accountant", password="demo-accountant-pass")
    return client.post("/exports/confirm/", {"invoice": [i.pk for i in invoices]}).content.decode()


def test_voucher_preview_checks_years_once_per_client_and_names_revenue_accounts(demo_tenant, sandbox, client):
    use_vouchers(demo_tenant)
    revenue_rule_create(tenant=demo_tenant, actor=None, department="BERGEN", vat_rate=None, account=3010)
    revenue_rule_create(tenant=demo_tenant, actor=None, department=None, vat_rate="15", account=3015)
    sandbox.add_fiscal_year(THIS_YEAR - 1, locked=True)
    mixed = make_invoice(demo_tenant, 7001, [("1", "100", "0", "25"), ("2", "50", "0", "15")])
    bergen = make_invoice(demo_tenant, 7002, [("1", "100", "0", "25")], department="BERGEN")
    too_late = make_invoice(demo_tenant, 7003, [("1", "100", "0", "25")], invoice_date=date(THIS_YEAR + 1, 1, 2))
    locked = make_invoice(demo_tenant, 7004, [("1", "100", "0", "25")], invoice_date=date(THIS_YEAR - 1, 12, 30))
    other_client = make_invoice(demo_tenant, 7005, [("1", "100", "0", "12")], department="TRONDHEIM")
    years_before, invoices_before = calls(sandbox, "GetFiscalYears"), calls(sandbox, "GetInvoices")

    page = confirm(client, [mixed, bergen, too_late, locked, other_client])

    # Two 24SO clients: one read of the accounting years each, and no invoice-number lookups.
    assert calls(sandbox, "GetFiscalYears") - years_before == 2
    assert calls(sandbox, "GetInvoices") == invoices_before
    assert "Sent as: 5 as vouchers." in page and "no products are created" in page
    assert "New products" not in page and "0 products will be created" in page
    assert "Voucher; revenue to 3000 (25 %), 3015 (15 %)" in page  # the rate's rule
    assert "Voucher; revenue to 3010 (25 %)" in page  # the department's rule
    assert "Voucher; revenue to 3000 (12 %)" in page
    assert (f"24SevenOffice has no accounting year {THIS_YEAR + 1} in the client {sandbox_accounts.DEFAULT_USERNAME} "
            f"posts to: will fail with nothing sent. Create the accounting year {THIS_YEAR + 1} in 24SevenOffice first.") \
        in page
    assert f"The accounting year {THIS_YEAR - 1} is locked in 24SevenOffice: will fail with nothing sent." in page
    assert "2 invoices will not reach 24SevenOffice" in page


def test_voucher_preview_repeats_a_series_problem_and_survives_an_unreachable_24so(
    demo_tenant, sandbox, client, settings
):
    use_vouchers(demo_tenant)
    invoice = make_invoice(demo_tenant, 7001, [("1", "100", "0", "25")])
    credential = credential_for_department(invoice.department)
    InvoiceSeriesCheck.objects.create(
        tenant=demo_tenant, credential=credential, departments="BERGEN, OSLO", hub_next=7001, expected=20000,
        state=SeriesState.COLLISION, message="Set the start number of the invoice series in 24SevenOffice to 7001.",
        checked_at="2026-01-01T00:00:00Z",
    )
    page = confirm(client, [invoice])
    assert "Invoice series for BERGEN, OSLO: Set the start number of the invoice series in 24SevenOffice to 7001." in page

    settings.SEVENOFFICE_API_URL = "http://127.0.0.1:9"
    page = confirm(client, [invoice])
    assert "could not be asked about" in page and "accounting years now" in page
    assert "will not reach" not in page  # not known, so not claimed


def test_invoice_and_order_routes_keep_their_checks(demo_tenant, sandbox):
    """Tenant posting invoices: products and invoice numbers as before; the order department
    compares nothing; no accounting-year reads."""
    oslo = demo_tenant.invoices.filter(department__code="OSLO").order_by("number").first()
    trondheim = demo_tenant.invoices.filter(department__code="TRONDHEIM").order_by("number").first()
    rows = overview.export_preview(demo_tenant, [oslo.pk, trondheim.pk])
    assert {r.invoice.pk: r.sent_as for r in rows} == {oslo.pk: "invoice", trondheim.pk: "order"}
    assert all(r.revenue_accounts == [] for r in rows)
    before = {op: calls(sandbox, op) for op in ("GetFiscalYears", "GetInvoices")}
    assert overview.preview_check_24so(rows) == []
    assert calls(sandbox, "GetFiscalYears") == before["GetFiscalYears"]
    assert calls(sandbox, "GetInvoices") == before["GetInvoices"] + 1  # the invoice route's client only
    assert overview.route_summary(rows) == ["1 as invoice", "1 as order"]
