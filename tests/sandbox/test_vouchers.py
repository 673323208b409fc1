"""AccountService.SaveBundleList and GetEntryId, TransactionService reads of the result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from .helpers import create_customer

YEAR = date.today().year
SALES = 1  # voucher type No / EntrySeriesId of "Utgående faktura"


def _bundle_list(vouchers: list[dict], year: int = YEAR, **options) -> dict:
    return {"SaveOption": 0, **options, "Bundles": {"Bundle": [{"YearId": year, "Sort": SALES, "Vouchers": {
        "Voucher": vouchers}}]}}


def _invoice_voucher(number: int, customer_id: int, reference: str, amount: str = "1250.00", revenue: str | None = None):
    return {"TransactionNo": number, "Sort": SALES, "Entries": {"Entry": [
        {"AccountNo": 1500, "CustomerId": customer_id, "Date": datetime(YEAR, 5, 2), "Amount": Decimal(amount),
         "InvoiceReferenceNo": reference},
        {"AccountNo": 3000, "Date": datetime(YEAR, 5, 2), "Amount": -Decimal(revenue or amount), "TaxNo": "3"},
    ]}}


def _save(demo, bundle_list: dict):
    return demo.service("AccountService").SaveBundleList(BundleList=bundle_list)


def _ledger(demo, **search):
    return demo.service("TransactionService").GetTransactions(searchParams={
        "DateStart": datetime(2000, 1, 1), "DateEnd": datetime(2100, 1, 1), "SystemType": None, "HasInvoiceId": None,
        **search}) or []


def test_balanced_voucher_is_posted_with_vat_split(sandbox, demo):
    customer = create_customer(demo)
    assert _save(demo, _bundle_list([_invoice_voucher(7, customer, "INV-7")])).Type == "Ok"
    lines = {line.AccountNo: line.Amount for line in _ledger(demo, TransactionNoStart=7, TransactionNoEnd=7)}
    assert lines == {1500: Decimal("1250.00"), 3000: Decimal("-1000.00"), 2700: Decimal("-250.00")}
    [receivable] = _ledger(demo, CustomerId=customer, ShowOpenEntries=True)
    assert (receivable.InvoiceNo, receivable.SystemType, receivable.Open) == ("INV-7", "InvoiceCustomer", True)


def test_unbalanced_voucher_is_refused_unless_differences_are_allowed(sandbox, demo):
    customer = create_customer(demo)
    unbalanced = _invoice_voucher(1, customer, "INV-1", amount="100.00", revenue="90.00")
    refused = _save(demo, _bundle_list([unbalanced]))
    assert refused.Type == "NotSaved" and "balance" in refused.Description
    assert _ledger(demo) == []
    assert _save(demo, _bundle_list([unbalanced], AllowDifference=True)).Type == "Ok"


def test_missing_or_locked_fiscal_year_is_refused(sandbox, demo):
    customer = create_customer(demo)
    assert _save(demo, _bundle_list([_invoice_voucher(1, customer, "A")], year=1999)).Type == "NotSaved"
    sandbox.add_fiscal_year(YEAR, locked=True)
    assert _save(demo, _bundle_list([_invoice_voucher(1, customer, "A")])).Type == "NotSaved"
    sandbox.add_fiscal_year(YEAR, locked=False)
    assert _save(demo, _bundle_list([_invoice_voucher(1, customer, "A")])).Type == "Ok"


def test_repeated_invoice_reference_is_a_warning_unless_ignored(sandbox, demo):
    customer = create_customer(demo)
    assert _save(demo, _bundle_list([_invoice_voucher(1, customer, "DUP-1")])).Type == "Ok"
    again = _save(demo, _bundle_list([_invoice_voucher(2, customer, "DUP-1")]))
    assert again.Type == "DuplicateData" and "invoicealreadyexists" in again.Description
    ignored = _save(demo, _bundle_list([_invoice_voucher(2, customer, "DUP-1")],
                                       IgnoreWarnings={"string": ["InvoiceAlreadyExists"]}))
    assert ignored.Type == "Ok"


def test_reused_voucher_number_is_already_saved(sandbox, demo):
    customer = create_customer(demo)
    assert _save(demo, _bundle_list([_invoice_voucher(5, customer, "A")])).Type == "Ok"
    assert _save(demo, _bundle_list([_invoice_voucher(5, customer, "B")])).Type == "DataAlreadySaved"


def test_unknown_account_customer_or_tax_code_saves_nothing(sandbox, demo):
    customer = create_customer(demo)
    bad_account = _invoice_voucher(1, customer, "A")
    bad_account["Entries"]["Entry"][1]["AccountNo"] = 3999
    bad_customer = _invoice_voucher(2, 4242, "B")
    bad_tax = _invoice_voucher(3, customer, "C")
    bad_tax["Entries"]["Entry"][1]["TaxNo"] = "77"
    for voucher in (bad_account, bad_customer, bad_tax):
        assert _save(demo, _bundle_list([_invoice_voucher(9, customer, "OK"), voucher])).Type == "NotSaved"
    assert _ledger(demo) == []


def test_entry_id_is_the_next_free_number_and_not_reserved(sandbox, demo):
    customer = create_customer(demo)
    accounts = demo.service("AccountService")
    argument = {"Date": datetime(YEAR, 5, 2), "SortNo": SALES, "EntryNo": 0}
    first = accounts.GetEntryId(argEntryId=argument).EntryNo
    assert accounts.GetEntryId(argEntryId=argument).EntryNo == first  # asking again reserves nothing
    _save(demo, _bundle_list([_invoice_voucher(first, customer, "A")]))
    assert accounts.GetEntryId(argEntryId=argument).EntryNo == first + 1


def test_journal_save_option_is_not_in_the_ledger(sandbox, demo):
    customer = create_customer(demo)
    saved = _save(demo, _bundle_list([_invoice_voucher(1, customer, "J-1")], SaveOption=1))
    assert saved.Type == "Ok"
    assert _ledger(demo) == []
    assert len(sandbox.data()["journal"]) == 3


def test_reference_lists(sandbox, demo):
    accounts = demo.service("AccountService")
    numbers = {a.AccountNo for a in accounts.GetAccountList()}
    assert {1500, 1920, 2400, 2700, 3000, 3100, 4000, 4300, 6300, 7700} <= numbers
    rates = {c.TaxNo: c.TaxRate for c in accounts.GetTaxCodeList()}
    assert {rates["3"], rates["31"], rates["33"], rates["0"]} == {Decimal(25), Decimal(15), Decimal(12), Decimal(0)}
    years = [y.StartingDate.year for y in demo.service("TransactionService").GetFiscalYears()]
    assert years == [YEAR - 1, YEAR]


def test_invoice_and_credit_note_vouchers_share_the_invoice_series(sandbox, demo):
    customer = create_customer(demo)
    accounts = demo.service("AccountService")

    def next_number(sort):
        return accounts.GetEntryId(argEntryId={"Date": datetime(YEAR, 5, 2), "SortNo": sort, "EntryNo": 0}).EntryNo

    assert next_number(SALES) == next_number(2) == 10001  # the series' default start
    sandbox.set_invoice_series(500)
    assert next_number(SALES) == 500
    credit_note = _invoice_voucher(640, customer, "CN-640", amount="-100.00")
    credit_note["Sort"] = 2
    assert _save(demo, _bundle_list([credit_note])).Type == "Ok"
    assert next_number(SALES) == next_number(2) == 641
    assert next_number(3) == 1  # other types keep their own series
