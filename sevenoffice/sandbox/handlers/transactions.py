"""TransactionService: ledger lines, fiscal years and voucher types (research section 8)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from ..contract import TRANSACTION
from ..reference import VOUCHER_TYPES
from .base import CallContext, operation
from .records import matches


def _in_range(value: Any, start: Any, end: Any) -> bool:
    return (start is None or value >= start) and (end is None or value <= end)


def _matches(line: dict[str, Any], search: dict[str, Any]) -> bool:
    by_change = search.get("DateSearchParameters") == "DateChangedUTC"
    date_value = line["DateChanged"] if by_change else line["Date"]
    if not _in_range(date_value, search.get("DateStart"), search.get("DateEnd")):
        return False
    if not _in_range(line["AccountNo"], search.get("AccountNoStart"), search.get("AccountNoEnd")):
        return False
    if not _in_range(line["TransactionNo"], search.get("TransactionNoStart"), search.get("TransactionNoEnd")):
        return False
    return matches(search, {
        "ShowOpenEntries": lambda v: not v or line["Open"],
        "LinkId": lambda v: line.get("LinkId") == v,
        "ProjectId": lambda v: line.get("_project_id") == v,
        "CustomerId": lambda v: line.get("_customer_id") == v,
        "DepartmentId": lambda v: line.get("_department_id") == v,
        "TransactionTypeId": lambda v: line["TransactionTypeId"] == v,
        "SystemType": lambda v: line["SystemType"] == v,
        "RegisteredAfter": lambda v: line["RegistrationDate"] > v,
        "HasInvoiceId": lambda v: bool(line.get("InvoiceNo")) == v,
        "InvoiceNo": lambda v: line.get("InvoiceNo") == v,
        "VatCode": lambda v: line.get("VatCode") == v,
    })


@operation(TRANSACTION, "GetTransactions")
def get_transactions(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    search = request.get("searchParams") or {}
    return {"GetTransactionsResult": [line for line in ctx.data.transactions if _matches(line, search)]}


@operation(TRANSACTION, "GetFiscalYears")
def get_fiscal_years(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "GetFiscalYearsResult": [
            {
                "Id": entry["Id"],
                "StartingDate": datetime.combine(datetime(year, 1, 1).date(), time()),
                "EndingDate": datetime(year + 1, 1, 1),  # exclusive
                "IsLocked": entry["IsLocked"],
            }
            for year, entry in sorted(ctx.data.fiscal_years.items())
        ]
    }


@operation(TRANSACTION, "GetTransactionTypes")
def get_transaction_types(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "GetTransactionTypesResult": [
            {"Turnover": t.turnover, "Title": t.title, "No": t.number, "Id": t.id} for t in VOUCHER_TYPES
        ]
    }
