"""Contract: the voucher sender and the invoice series check, run through the proxy that
validates every request and answer against the vendor's own WSDLs. Zero schema errors."""

from decimal import Decimal

import pytest

from exports import transfer, vouchers
from exports.invoice_series import invoice_series_check
from exports.models import ExportItem, ExportStatus, RevenueAccountRule
from tests.exports.test_transfer_service import send_all
from tests.exports.voucher_helpers import make_invoice, use_vouchers

pytestmark = [pytest.mark.contract, pytest.mark.django_db]
S = ExportStatus


def test_voucher_export_and_series_check_fit_the_vendor_schema(sandbox, vendor_proxy, demo_tenant, settings):
    settings.SEVENOFFICE_API_URL = settings.SEVENOFFICE_WEBSERVICES_URL = vendor_proxy.url
    vouchers._fiscal_years.clear()
    transfer._tax_codes.clear()
    use_vouchers(demo_tenant)
    RevenueAccountRule.objects.create(tenant=demo_tenant, vat_rate=Decimal("0"), account=3100)
    lines = [("3.3333", "0.07", "33.33", "25"), ("7", "0.35", "12.5", "15"), ("2.5", "13.13", "0", "12"),
             ("1", "99", "0", "0")]
    invoice = make_invoice(demo_tenant, 5001, lines)
    credit = make_invoice(demo_tenant, 5002, [(f"-{q}", p, d, r) for q, p, d, r in lines], credits=invoice)
    send_all(transfer.export_create(tenant=demo_tenant, invoices=[invoice, credit]))

    # A retry (sent before, answer unknown) reads the ledger first; a duplicate answer reads it by number.
    retried = make_invoice(demo_tenant, 5003, lines[:1])
    batch = transfer.export_create(tenant=demo_tenant, invoices=[retried])
    ExportItem.objects.filter(batch=batch).update(sent_at="2020-01-01T00:00:00Z")
    send_all(batch)
    ExportItem.objects.filter(invoice=invoice).delete()
    again = transfer.export_create(tenant=demo_tenant, invoices=[invoice])
    send_all(again)
    invoice_series_check(tenant=demo_tenant)

    items = ExportItem.objects.filter(tenant=demo_tenant).order_by("invoice__number")
    assert [(i.invoice.number, i.status, i.sevenoffice_transaction_no) for i in items] == [
        (5001, S.DONE, 5001), (5002, S.DONE, 5002), (5003, S.DONE, 5003)], [i.message for i in items]
    calls = vendor_proxy.calls()
    problems = [(c.get("op"), c.get("request_errors"), c.get("response_errors")) for c in calls
                if c.get("request_errors") or c.get("response_errors")]
    assert problems == []
    assert {"GetFiscalYears", "GetTaxCodeList", "SaveBundleList", "GetTransactions", "GetTypeList",
            "GetEntryId"} <= {c.get("op") for c in calls}
