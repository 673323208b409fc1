"""Reference data every sandbox client (identity) starts with: a small Norwegian chart of
accounts, VAT codes, voucher types, departments, employees, currencies and sales types.

Numbers follow Norsk Standard Kontoplan and the Norwegian SAF-T VAT codes, so exports
the hub builds against the sandbox look like ones an accountant would recognise.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class LedgerAccount:
    number: int
    name: str
    tax_no: int = 0  # default VAT code on the account


CHART_OF_ACCOUNTS = (
    LedgerAccount(1500, "Kundefordringer"),
    LedgerAccount(1920, "Bankinnskudd"),
    LedgerAccount(2400, "Leverandørgjeld"),
    LedgerAccount(2700, "Utgående merverdiavgift"),
    LedgerAccount(2710, "Inngående merverdiavgift"),
    LedgerAccount(2740, "Oppgjørskonto merverdiavgift"),
    LedgerAccount(3000, "Salgsinntekt, avgiftspliktig", 3),
    LedgerAccount(3100, "Salgsinntekt, avgiftsfri", 5),
    LedgerAccount(3200, "Salgsinntekt, utenfor avgiftsområdet"),
    LedgerAccount(4000, "Varekjøp", 1),
    LedgerAccount(4300, "Innkjøp av varer for videresalg", 1),
    LedgerAccount(5000, "Lønn til ansatte"),
    LedgerAccount(6300, "Leie lokale", 1),
    LedgerAccount(6540, "Inventar", 1),
    LedgerAccount(6800, "Kontorrekvisita", 1),
    LedgerAccount(6900, "Telefon", 1),
    LedgerAccount(7100, "Bilgodtgjørelse"),
    LedgerAccount(7140, "Reisekostnad", 1),
    LedgerAccount(7700, "Styre- og bedriftsforsamlingsmøter"),
    LedgerAccount(7770, "Bank- og kortgebyrer"),
    LedgerAccount(8050, "Renteinntekt"),
)
ACCOUNTS_BY_NUMBER = {account.number: account for account in CHART_OF_ACCOUNTS}

RECEIVABLES_ACCOUNT = 1500
BANK_ACCOUNT = 1920
PAYABLES_ACCOUNT = 2400
OUTPUT_VAT_ACCOUNT = 2700
INPUT_VAT_ACCOUNT = 2710
SALES_ACCOUNT = 3000
SALES_EXEMPT_ACCOUNT = 3100


@dataclass(frozen=True)
class TaxCode:
    tax_id: int  # internal id (TaxCodeElement.TaxId), deliberately unlike the code
    tax_no: str  # the VAT code users see (TaxCodeElement.TaxNo)
    name: str
    rate: Decimal
    account_no: int | None  # the VAT account the code posts to


TAX_CODES = (
    TaxCode(101, "0", "Ingen mva-behandling", Decimal("0"), None),
    TaxCode(103, "3", "Utgående mva, høy sats", Decimal("25"), OUTPUT_VAT_ACCOUNT),
    TaxCode(131, "31", "Utgående mva, middels sats", Decimal("15"), OUTPUT_VAT_ACCOUNT),
    TaxCode(133, "33", "Utgående mva, lav sats", Decimal("12"), OUTPUT_VAT_ACCOUNT),
    TaxCode(105, "5", "Utgående, fritatt for mva", Decimal("0"), OUTPUT_VAT_ACCOUNT),
    TaxCode(111, "1", "Inngående mva, høy sats", Decimal("25"), INPUT_VAT_ACCOUNT),
    TaxCode(112, "11", "Inngående mva, middels sats", Decimal("15"), INPUT_VAT_ACCOUNT),
    TaxCode(113, "13", "Inngående mva, lav sats", Decimal("12"), INPUT_VAT_ACCOUNT),
)
DEFAULT_SALES_TAX_NO = "3"


def tax_code(value: object) -> TaxCode | None:
    """Find a VAT code by its code (TaxNo) or, since sources disagree on what Entry.TaxNo
    carries, by its TaxId."""
    text = str(value).strip()
    for code in TAX_CODES:
        if text == code.tax_no:
            return code
    for code in TAX_CODES:
        if text == str(code.tax_id):
            return code
    return None


@dataclass(frozen=True)
class VoucherType:
    id: int  # TransactionType.Id and TypeData.TypeId
    number: int  # TransactionType.No / TypeData.TypeNo, used as Bundle/Voucher Sort
    title: str
    turnover: bool

    @property
    def entry_series_id(self) -> int:
        # One number series per voucher type (TypeData.EntrySeriesId, GetEntryId SortNo).
        return self.id


VOUCHER_TYPES = (
    VoucherType(1, 1, "Utgående faktura", True),
    VoucherType(2, 2, "Kreditnota", True),
    VoucherType(3, 3, "Inngående faktura", False),
    VoucherType(4, 4, "Innbetaling", False),
    VoucherType(5, 5, "Utbetaling", False),
    VoucherType(6, 6, "Diverse bilag", False),
)
SALES_INVOICE_TYPE = VOUCHER_TYPES[0]
CREDIT_NOTE_TYPE = VOUCHER_TYPES[1]
SUPPLIER_INVOICE_TYPE = VOUCHER_TYPES[2]
PAYMENT_TYPE = VOUCHER_TYPES[3]


def voucher_type(number: int | None) -> VoucherType | None:
    return next((t for t in VOUCHER_TYPES if t.number == number), None)


def voucher_type_by_series(series_id: int | None) -> VoucherType | None:
    return next((t for t in VOUCHER_TYPES if t.entry_series_id == series_id), None)


DEPARTMENTS = ({"Id": 1, "Name": "Salg"}, {"Id": 2, "Name": "Konsulent"}, {"Id": 3, "Name": "Administrasjon"})
DEPARTMENT_IDS = frozenset(d["Id"] for d in DEPARTMENTS)

# Employees (ClientService.GetUsers); InvoiceOrder.OurReference takes an EmployeeId.
USERS = (
    {"ContactId": 501, "Id": "3f0c2a9e-5b1d-4c8e-9a47-2d6b1e0f5001", "Name": "Kari Nordmann", "EmployeeId": 1},
    {"ContactId": 502, "Id": "3f0c2a9e-5b1d-4c8e-9a47-2d6b1e0f5002", "Name": "Ola Nordmann", "EmployeeId": 2},
)
EMPLOYEE_IDS = frozenset(u["EmployeeId"] for u in USERS)

CURRENCIES = (
    {"Symbol": "NOK", "Id": 1, "Rate": Decimal("1"), "Unit": 1},
    {"Symbol": "EUR", "Id": 2, "Rate": Decimal("11.50"), "Unit": 1},
    {"Symbol": "SEK", "Id": 3, "Rate": Decimal("100.20"), "Unit": 100},
    {"Symbol": "USD", "Id": 4, "Rate": Decimal("10.60"), "Unit": 1},
)

# Sales/purchase types (ClientService.GetTypeGroupList); module -> groups.
TYPE_GROUPS = {
    "Sale": (
        {"AccountId": SALES_ACCOUNT, "Id": 1, "Name": "Salg, høy sats"},
        {"AccountId": SALES_EXEMPT_ACCOUNT, "Id": 2, "Name": "Salg, fritatt"},
    ),
    "Purchase": (
        {"AccountId": 4000, "Id": 3, "Name": "Varekjøp"},
        {"AccountId": 6800, "Id": 4, "Name": "Kontorrekvisita"},
    ),
}
TYPE_GROUP_IDS = frozenset(g["Id"] for groups in TYPE_GROUPS.values() for g in groups)

DEFAULT_CATEGORY = {"Id": 1, "Name": "Diverse", "No": "1"}
DEFAULT_INVOICE_SERIES_START = 10001
FIRST_CUSTOMER_NUMBER = 10000
MAX_REQUEST_LENGTH_KB = 4096  # ASP.NET's default maxRequestLength
