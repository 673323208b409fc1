"""Ledger postings the sandbox writes: invoices from SaveInvoices, payments and supplier
invoices from the test endpoints, and vouchers from SaveBundleList.

Lines are stored in TransactionService ``Transaction`` shape; keys starting with "_" are the
sandbox's own (customer/project/department ids for filtering) and never serialized.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .reference import (
    ACCOUNTS_BY_NUMBER,
    BANK_ACCOUNT,
    CREDIT_NOTE_TYPE,
    INPUT_VAT_ACCOUNT,
    OUTPUT_VAT_ACCOUNT,
    PAYABLES_ACCOUNT,
    PAYMENT_TYPE,
    RECEIVABLES_ACCOUNT,
    SALES_ACCOUNT,
    SALES_EXEMPT_ACCOUNT,
    SALES_INVOICE_TYPE,
    SUPPLIER_INVOICE_TYPE,
    VoucherType,
)
from .state import ClientData, utc_now

CENT = Decimal("0.01")


def as_datetime(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def next_voucher_number(data: ClientData, year: int, type_number: int) -> int:
    """Next free voucher number of a type's series in a year (like GetEntryId: not reserved)."""
    used = [n for (y, t, n) in data.voucher_numbers if y == year and t == type_number]
    return max(used, default=0) + 1


def new_line(
    data: ClientData,
    *,
    entry_date: datetime,
    account_no: int,
    amount: Decimal,
    voucher_type: VoucherType,
    transaction_no: int,
    system_type: str = "Miscellaneous",
    invoice_no: str | None = None,
    customer_id: int | None = None,
    project_id: int | None = None,
    department_id: int | None = None,
    is_open: bool = False,
    due_date: datetime | None = None,
    comment: str | None = None,
    stamp_no: int | None = None,
    vat_code: int | None = None,
    ocr: str | None = None,
    sequence_no: int = 1,
) -> dict[str, Any]:
    now = utc_now()
    dimensions = []
    if customer_id is not None:
        name = (data.companies.get(customer_id) or {}).get("Name")
        dimensions.append({"Type": "Customer", "Name": name, "Value": str(customer_id), "TypeId": customer_id})
    if project_id is not None:
        name = (data.projects.get(project_id) or {}).get("Name")
        dimensions.append({"Type": "Project", "Name": name, "Value": str(project_id), "TypeId": project_id})
    if department_id is not None:
        dimensions.append({"Type": "Department", "Value": str(department_id), "TypeId": department_id})
    return {
        "Date": entry_date,
        "AccountNo": account_no,
        "Currency": "NOK",
        "CurrencyRate": Decimal(1),
        "CurrencyUnit": 1,
        "Amount": Decimal(amount).quantize(CENT),
        "StampNo": stamp_no,
        "Period": entry_date.month,
        "TransactionTypeId": voucher_type.id,
        "Comment": comment,
        "TransactionNo": transaction_no,
        "VatCode": vat_code,
        "Id": str(uuid.uuid4()),
        "InvoiceNo": invoice_no,
        "SequenceNo": sequence_no,
        "SystemType": system_type,
        "DueDate": due_date,
        "Dimensions": dimensions or None,
        "RegistrationDate": now,
        "DateChanged": now,
        "Hidden": False,
        "Open": is_open,
        "OCR": ocr,
        "HasVatDividend": False,
        "PeriodDate": entry_date.date(),
        "_customer_id": customer_id,
        "_project_id": project_id,
        "_department_id": department_id,
    }


def post_lines(
    data: ClientData, year: int, voucher_type: VoucherType, transaction_no: int, lines: list[dict],
    *, journal_only: bool = False,
) -> None:
    """Store one voucher's lines in the ledger, or only in the journal (SaveOption=1)."""
    for sequence_no, line in enumerate(lines, start=1):
        line["SequenceNo"] = sequence_no
    (data.journal if journal_only else data.transactions).extend(lines)
    data.voucher_numbers.add((year, voucher_type.number, transaction_no))
    for line in lines:
        if line.get("InvoiceNo") and line["AccountNo"] in (RECEIVABLES_ACCOUNT, PAYABLES_ACCOUNT):
            data.invoice_references.add(line["InvoiceNo"])


def post_sales_invoice(data: ClientData, order: dict[str, Any]) -> None:
    """Receivable (open), revenue and output VAT lines for an invoiced order."""
    total, vat = order["OrderTotalIncVat"], order["OrderTotalVat"]
    is_credit_note = total < 0
    voucher_type = CREDIT_NOTE_TYPE if is_credit_note else SALES_INVOICE_TYPE
    invoice_date = as_datetime(order["DateInvoiced"])
    payment_days = order.get("PaymentTime")
    due = invoice_date + timedelta(days=payment_days if payment_days and payment_days > 0 else 14)
    common = {
        "entry_date": invoice_date,
        "voucher_type": voucher_type,
        "transaction_no": order["InvoiceId"],
        "system_type": "CreditnoteCustomer" if is_credit_note else "InvoiceCustomer",
        "invoice_no": str(order["InvoiceId"]),
        "project_id": order.get("ProjectId"),
        "department_id": order.get("DepartmentId"),
    }
    lines = [
        new_line(data, account_no=RECEIVABLES_ACCOUNT, amount=total, customer_id=order["CustomerId"],
                 is_open=True, due_date=due, ocr=order.get("OCR"), **common),
        new_line(data, account_no=SALES_ACCOUNT if vat else SALES_EXEMPT_ACCOUNT, amount=-(total - vat), **common),
    ]
    if vat:
        lines.append(new_line(data, account_no=OUTPUT_VAT_ACCOUNT, amount=-vat, vat_code=3, **common))
    post_lines(data, invoice_date.year, voucher_type, order["InvoiceId"], lines)


def receivable_lines(data: ClientData, invoice_no: str) -> list[dict]:
    return [
        line for line in data.transactions
        if line["AccountNo"] == RECEIVABLES_ACCOUNT and line.get("InvoiceNo") == invoice_no
    ]


def register_payment(data: ClientData, invoice_no: str, amount: Decimal, paid_on: datetime) -> bool:
    """Post a customer payment against an invoice; returns True once it is fully paid.

    Every new link renumbers LinkId for the whole linked set, as the vendor does.
    """
    customer_id = next((line["_customer_id"] for line in receivable_lines(data, invoice_no)), None)
    transaction_no = next_voucher_number(data, paid_on.year, PAYMENT_TYPE.number)
    common = {"entry_date": paid_on, "voucher_type": PAYMENT_TYPE, "transaction_no": transaction_no,
              "system_type": "Payment", "invoice_no": invoice_no}
    post_lines(data, paid_on.year, PAYMENT_TYPE, transaction_no, [
        new_line(data, account_no=BANK_ACCOUNT, amount=amount, **common),
        new_line(data, account_no=RECEIVABLES_ACCOUNT, amount=-amount, customer_id=customer_id, is_open=True, **common),
    ])
    linked = receivable_lines(data, invoice_no)
    fully_paid = sum(line["Amount"] for line in linked) == 0
    link_id = data.next_id("link")
    now = utc_now()
    for line in linked:
        line["LinkId"] = link_id
        line["Open"] = not fully_paid
        line["DateChanged"] = now
    return fully_paid


def post_supplier_invoice(
    data: ClientData,
    *,
    supplier_id: int,
    invoice_no: str,
    invoice_date: datetime,
    amount: Decimal,
    account_no: int,
    project_id: int | None,
    description: str | None,
    stamp_no: int,
) -> int:
    """Expense (+net), input VAT and an open payable (-gross) line; returns the voucher number."""
    account = ACCOUNTS_BY_NUMBER.get(account_no)
    vat = (amount * Decimal(25) / Decimal(125)).quantize(CENT) if account and account.tax_no == 1 else Decimal(0)
    transaction_no = next_voucher_number(data, invoice_date.year, SUPPLIER_INVOICE_TYPE.number)
    common = {
        "entry_date": invoice_date,
        "voucher_type": SUPPLIER_INVOICE_TYPE,
        "transaction_no": transaction_no,
        "system_type": "CreditnoteSupplier" if amount < 0 else "InvoiceSupplier",
        "invoice_no": invoice_no,
        "stamp_no": stamp_no,
        "comment": description,
    }
    lines = [new_line(data, account_no=account_no, amount=amount - vat, project_id=project_id, vat_code=1, **common)]
    if vat:
        lines.append(new_line(data, account_no=INPUT_VAT_ACCOUNT, amount=vat, **common))
    lines.append(new_line(data, account_no=PAYABLES_ACCOUNT, amount=-amount, customer_id=supplier_id,
                          is_open=True, due_date=invoice_date + timedelta(days=30), **common))
    post_lines(data, invoice_date.year, SUPPLIER_INVOICE_TYPE, transaction_no, lines)
    return transaction_no
