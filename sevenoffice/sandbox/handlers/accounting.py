"""AccountService V004: chart of accounts, VAT codes, voucher types and numbers, and
journal vouchers through SaveBundleList (research section 7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..contract import ACCOUNT
from ..ledger import CENT, new_line, next_voucher_number, post_lines
from ..reference import (
    ACCOUNTS_BY_NUMBER,
    CHART_OF_ACCOUNTS,
    CREDIT_NOTE_TYPE,
    DEPARTMENT_IDS,
    PAYABLES_ACCOUNT,
    RECEIVABLES_ACCOUNT,
    SALES_INVOICE_TYPE,
    TAX_CODES,
    VOUCHER_TYPES,
    tax_code,
    voucher_type,
    voucher_type_by_series,
)
from ..state import ClientData
from .base import CallContext, SoapFault, operation

# Which ledger SystemType a voucher type produces.
SYSTEM_TYPES = {1: "InvoiceCustomer", 2: "CreditnoteCustomer", 3: "InvoiceSupplier", 4: "Payment", 5: "Payment"}
INVOICE_ALREADY_EXISTS = "invoicealreadyexists"
INVOICE_SERIES_TYPES = (SALES_INVOICE_TYPE.number, CREDIT_NOTE_TYPE.number)


class BundleRejected(Exception):
    def __init__(self, response_type: str, description: str):
        super().__init__(description)
        self.response_type = response_type
        self.description = description


@operation(ACCOUNT, "GetAccountList")
def get_account_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    accounts = []
    for account in CHART_OF_ACCOUNTS:
        code = tax_code(account.tax_no) if account.tax_no else None
        accounts.append({
            "AccountId": account.number,
            "AccountNo": account.number,
            "AccountName": account.name,
            "AccountTax": code.tax_id if code else 0,
            "TaxNo": account.tax_no,
        })
    return {"GetAccountListResult": accounts}


@operation(ACCOUNT, "GetTaxCodeList")
def get_tax_code_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "GetTaxCodeListResult": [
            {"TaxId": c.tax_id, "TaxNo": c.tax_no, "TaxName": c.name, "TaxRate": c.rate, "AccountNo": c.account_no}
            for c in TAX_CODES
        ]
    }


@operation(ACCOUNT, "GetTypeList")
def get_type_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "GetTypeListResult": [
            {"TypeId": t.id, "Title": t.title, "EntrySeriesId": t.entry_series_id, "TypeNo": t.number}
            for t in VOUCHER_TYPES
        ]
    }


@operation(ACCOUNT, "GetEntryId")
def get_entry_id(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    argument = request.get("argEntryId") or {}
    series = voucher_type_by_series(argument.get("SortNo"))
    if series is None or argument.get("Date") is None:
        raise SoapFault(f"Unknown entry series {argument.get('SortNo')} (use an EntrySeriesId from GetTypeList).")
    year = argument["Date"].year
    # The next free number; nothing is reserved, so two callers can get the same one.
    number = next_voucher_number(ctx.data, year, series.number)
    if series.number in INVOICE_SERIES_TYPES:
        # Outgoing invoices and credit notes are numbered from the invoice series (its start
        # number is what POST /_sandbox/invoice-series sets), past any number either type used.
        number = max([number, ctx.data.counters.get("invoice", ctx.data.invoice_series_start - 1) + 1]
                     + [next_voucher_number(ctx.data, year, t) for t in INVOICE_SERIES_TYPES])
    return {"GetEntryIdResult": {"Date": argument["Date"], "SortNo": series.entry_series_id, "EntryNo": number}}


def _entry_lines(data: ClientData, entry: dict, common: dict, split_vat: bool, default_customer: int | None) -> list:
    account_no = entry.get("AccountNo")
    if not account_no or account_no not in ACCOUNTS_BY_NUMBER:
        raise BundleRejected("NotSaved", f"Account {account_no} does not exist.")
    customer_id = entry.get("CustomerId") or default_customer
    if customer_id and customer_id not in data.companies:
        raise BundleRejected("NotSaved", f"Customer {customer_id} does not exist.")
    project_id, department_id = entry.get("ProjectId") or None, entry.get("DepartmentId") or None
    if project_id and project_id not in data.projects:
        raise BundleRejected("NotSaved", f"Project {project_id} does not exist.")
    if department_id and department_id not in DEPARTMENT_IDS:
        raise BundleRejected("NotSaved", f"Department {department_id} does not exist.")
    code = None
    if entry.get("TaxNo"):
        code = tax_code(entry["TaxNo"])
        if code is None:
            raise BundleRejected("NotSaved", f"TaxNo {entry['TaxNo']} is not a known VAT code.")
    amount = entry.get("Amount") or Decimal(0)
    on_ledger = account_no in (RECEIVABLES_ACCOUNT, PAYABLES_ACCOUNT) and customer_id
    line_args = dict(
        common,
        entry_date=entry["Date"],
        customer_id=customer_id or None,
        project_id=project_id,
        department_id=department_id,
        invoice_no=entry.get("InvoiceReferenceNo"),
        ocr=entry.get("InvoiceOcr"),
        due_date=entry.get("DueDate"),
        comment=entry.get("Comment"),
        stamp_no=entry.get("StampNo") or None,
        vat_code=int(code.tax_no) if code else None,
        is_open=bool(on_ledger),
    )
    if split_vat and code and code.rate and code.account_no:
        # Amounts are gross: 24SO splits out the VAT line itself.
        vat = (amount * code.rate / (100 + code.rate)).quantize(CENT)
        return [
            new_line(data, account_no=account_no, amount=amount - vat, **line_args),
            new_line(data, **{**line_args, "account_no": code.account_no, "amount": vat, "is_open": False,
                              "customer_id": None}),
        ]
    return [new_line(data, account_no=account_no, amount=amount, **line_args)]


def _save_bundle_list(data: ClientData, bundle_list: dict[str, Any]) -> None:
    """Validate everything first, then store: a rejected list saves nothing."""
    ignore = {w.strip().lower() for w in bundle_list.get("IgnoreWarnings") or []}
    journal_only = bundle_list.get("SaveOption", 1) != 0
    default_customer = bundle_list.get("DefaultCustomerId") or None
    vouchers_to_post = []
    numbers_in_request: set[tuple[int, int, int]] = set()
    references_in_request: set[str] = set()
    for bundle in bundle_list.get("Bundles") or []:
        year = bundle.get("YearId")
        fiscal_year = data.fiscal_years.get(year)
        if fiscal_year is None or fiscal_year["IsLocked"]:
            raise BundleRejected("NotSaved", f"YearId {year} is not an open fiscal year.")
        for voucher in bundle.get("Vouchers") or []:
            vtype = voucher_type(voucher.get("Sort") or bundle.get("Sort"))
            if vtype is None:
                raise BundleRejected("NotSaved", f"Unknown voucher type (Sort) {voucher.get('Sort')}.")
            number = voucher.get("TransactionNo")
            if not number or number < 1:
                raise BundleRejected("NotSaved", "Voucher.TransactionNo must be a positive voucher number.")
            key = (year, vtype.number, number)
            if key in data.voucher_numbers or key in numbers_in_request:
                raise BundleRejected(
                    "DataAlreadySaved", f"Voucher {number} of type {vtype.number} already exists in {year}."
                )
            numbers_in_request.add(key)
            entries = voucher.get("Entries") or []
            total = sum((e.get("Amount") or Decimal(0) for e in entries), Decimal(0))
            if total != 0 and not bundle_list.get("AllowDifference"):
                raise BundleRejected("NotSaved", f"Voucher {number} is not in balance (difference {total}).")
            voucher_references = {e["InvoiceReferenceNo"] for e in entries if e.get("InvoiceReferenceNo")}
            for reference in voucher_references:
                known = reference in data.invoice_references or reference in references_in_request
                if known and INVOICE_ALREADY_EXISTS not in ignore:
                    raise BundleRejected(
                        "DuplicateData",
                        f"Invoice {reference} already exists in the ledger (warning {INVOICE_ALREADY_EXISTS}).",
                    )
            references_in_request |= voucher_references
            common = {"voucher_type": vtype, "transaction_no": number,
                      "system_type": SYSTEM_TYPES.get(vtype.number, "Miscellaneous")}
            split_vat = not bundle.get("BundleDirectAccounting")
            for entry in entries:
                if entry["Date"].year != year:
                    raise BundleRejected("NotSaved", f"Entry date {entry['Date'].date()} is outside fiscal year {year}.")
            lines = [line for e in entries for line in _entry_lines(data, e, common, split_vat, default_customer)]
            vouchers_to_post.append((year, vtype, number, lines))
    for year, vtype, number, lines in vouchers_to_post:
        post_lines(data, year, vtype, number, lines, journal_only=journal_only)
    data.invoice_references |= references_in_request


@operation(ACCOUNT, "SaveBundleList", writes=True)
def save_bundle_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    try:
        _save_bundle_list(ctx.data, request.get("BundleList") or {})
    except BundleRejected as exc:
        return {"SaveBundleListResult": {"Type": exc.response_type, "Description": exc.description}}
    return {"SaveBundleListResult": {"Type": "Ok"}}
