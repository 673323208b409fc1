"""POST /_sandbox/payments: what GetInvoices (Paid) and the ledger (Open, amounts, LinkId) show
after part and full payments, for invoices from SaveInvoices and invoices posted as vouchers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from .helpers import create_customer, create_product, order, save_orders

YEAR = date.today().year
LEDGER = {"DateStart": datetime(2000, 1, 1), "DateEnd": datetime(2100, 1, 1), "SystemType": None,
          "HasInvoiceId": None, "AccountNoStart": 1500, "AccountNoEnd": 1500}


def _ledger(demo, **search):
    return demo.service("TransactionService").GetTransactions(searchParams={**LEDGER, **search}) or []


def _paid(demo, invoice_id):
    [found] = demo.service("InvoiceService").GetInvoices(
        searchParams={"InvoiceIds": {"int": [invoice_id]}}, invoiceReturnProperties={"string": ["InvoiceId", "Paid"]})
    return found.Paid


def test_part_payments_keep_the_rest_open_and_paid_is_set_only_when_settled(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    [invoice] = save_orders(demo, order(customer, product, OrderStatus="Invoiced"))  # 2500.00
    first = sandbox.register_payment(invoice.InvoiceId, "1000.00", f"{YEAR}-01-10")
    assert first["fully_paid"] is False and Decimal(first["balance"]) == Decimal("1500.00")
    open_lines = _ledger(demo, ShowOpenEntries=True, InvoiceNo=str(invoice.InvoiceId))
    assert sum(line.Amount for line in open_lines) == Decimal("1500.00")
    assert sorted(line.SystemType for line in open_lines) == ["InvoiceCustomer", "Payment"]
    assert _paid(demo, invoice.InvoiceId) is None

    second = sandbox.register_payment(invoice.InvoiceId, date=f"{YEAR}-02-03")  # the rest, by default
    assert second["fully_paid"] is True and Decimal(second["balance"]) == 0
    assert second["link_id"] != first["link_id"]  # renumbered for the whole linked set
    assert _ledger(demo, ShowOpenEntries=True, InvoiceNo=str(invoice.InvoiceId)) == []
    assert {line.LinkId for line in _ledger(demo, InvoiceNo=str(invoice.InvoiceId))} == {second["link_id"]}
    assert _paid(demo, invoice.InvoiceId).date() == date(YEAR, 2, 3)


def test_an_invoice_posted_as_a_voucher_is_paid_in_the_ledger(sandbox, demo):
    customer = create_customer(demo)
    voucher = {"TransactionNo": 1, "Sort": 1, "Entries": {"Entry": [
        {"AccountNo": 1500, "CustomerId": customer, "Date": datetime(YEAR, 3, 1), "Amount": Decimal("1250.00"),
         "InvoiceReferenceNo": "4711"},
        {"AccountNo": 3000, "Date": datetime(YEAR, 3, 1), "Amount": Decimal("-1250.00"), "TaxNo": "3"},
    ]}}
    saved = demo.service("AccountService").SaveBundleList(BundleList={"SaveOption": 0, "Bundles": {"Bundle": [
        {"YearId": YEAR, "Sort": 1, "Vouchers": {"Voucher": [voucher]}}]}})
    assert saved.Type == "Ok"

    partial = sandbox.register_payment("4711", "250.00", f"{YEAR}-03-05")
    assert partial["fully_paid"] is False and Decimal(partial["balance"]) == Decimal("1000.00")
    assert sum(line.Amount for line in _ledger(demo, ShowOpenEntries=True, InvoiceNo="4711")) == Decimal("1000.00")
    assert sandbox.register_payment("4711", date=f"{YEAR}-03-09")["fully_paid"] is True
    assert _ledger(demo, ShowOpenEntries=True, InvoiceNo="4711") == []


def test_a_payment_for_an_unknown_invoice_is_refused(sandbox):
    with pytest.raises(AssertionError, match="404"):
        sandbox.register_payment(99999, "10.00")
