"""The hub's own values for 24SevenOffice data: what the facade takes and returns.

Conventions: money is ``Decimal``; accounting dates are ``date``; timestamps are aware UTC
``datetime``; ``None`` means "not set" (24SO's .NET MinValue sentinels are read as None and never
sent); ids are 24SO's own ids. Enumerations are the vendor's spelling as plain strings, with the
common values as constants below; a value 24SO adds later still reads as its string.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from .errors import RecordRejected


class OrderStatus:
    """InvoiceOrder.OrderStatus (OrderSlipStateType); ``INVOICED`` turns an order into an invoice."""

    DRAFT = "Draft"
    OFFER = "Offer"
    WEB = "Web"
    CONFIRMED = "Confirmed"
    FOR_INVOICING = "ForInvoicing"
    INVOICED = "Invoiced"


class CompanyType:
    CONSUMER = "Consumer"
    BUSINESS = "Business"
    SUPPLIER = "Supplier"


class RowType:
    NORMAL = "Normal"
    TEXT = "Text"


class ChangeState:
    """InvoiceRow.ChangeState: required on rows when editing an existing order."""

    NONE = "None"
    ADD = "Add"
    EDIT = "Edit"
    DELETE = "Delete"


class SystemType:
    """Transaction.SystemType (TransactionSystemType)."""

    INVOICE_CUSTOMER = "InvoiceCustomer"
    CREDITNOTE_CUSTOMER = "CreditnoteCustomer"
    INVOICE_SUPPLIER = "InvoiceSupplier"
    CREDITNOTE_SUPPLIER = "CreditnoteSupplier"
    PAYMENT = "Payment"


class SaveOption:
    """BundleList.SaveOption: 1 keeps the vouchers as a journal (draft), 0 posts to the ledger."""

    LEDGER = 0
    JOURNAL = 1


# --- Sessions and identities -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credential:
    """A 24SO community user's login, optionally pinned to one identity (client)."""

    username: str
    password: str
    identity_id: str | None = None

    def __post_init__(self) -> None:
        if self.identity_id is not None:
            object.__setattr__(self, "identity_id", str(self.identity_id).strip().lower() or None)

    def __repr__(self) -> str:
        return f"Credential(username={self.username!r}, password='***', identity_id={self.identity_id!r})"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Identity:
    """One client (company) the user reaches; ``id`` goes into Credential.identity_id."""

    id: str
    name: str | None = None  # the user's name in that client
    client_id: int | None = None
    client_name: str | None = None
    is_current: bool = False
    is_default: bool = False
    is_disabled: bool = False

    @property
    def label(self) -> str:
        return self.client_name or self.name or self.id


# --- CRM and products ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None = None
    postal_code: str | None = None
    postal_area: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None  # two-letter code
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Company:
    """A customer or supplier (CompanyService.Company). ``id`` is the customer number; None creates."""

    name: str | None = None
    id: int | None = None
    external_id: str | None = None
    organization_number: str | None = None
    type: str | None = CompanyType.BUSINESS
    first_name: str | None = None  # Consumer only
    nick_name: str | None = None
    email: str | None = None
    invoice_email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    url: str | None = None
    country: str | None = None
    invoice_language: str | None = None
    note: str | None = None
    post_address: Address | None = None
    invoice_address: Address | None = None
    delivery_address: Address | None = None
    visit_address: Address | None = None
    payment_time: int | None = None  # days, or 24SO's end-of-month codes
    vat_number: str | None = None
    bank_account_no: str | None = None
    gln_number: str | None = None
    private: bool | None = None
    status: int | None = None
    date_created: datetime | None = None
    date_changed: datetime | None = None


@dataclass(frozen=True, slots=True)
class ProductCategory:
    name: str | None = None
    id: int | None = None
    no: str | None = None
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class Product:
    """ProductService.Product. A new product needs ``name`` and ``category_id``.

    ``id`` is 24SO's key; ``no`` is the product number users see on order rows.
    """

    name: str | None = None
    id: int | None = None
    no: str | None = None
    category_id: int | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    in_price: Decimal | None = None
    tax_rate: Decimal | None = None
    description: str | None = None
    description_long: str | None = None
    ean: str | None = None
    status_id: int | None = None  # 1 active, 0 expired
    stock: Decimal | None = None
    supplier_id: int | None = None
    date_changed: datetime | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """ProjectService.Project. ``id`` is the project number; None creates."""

    name: str | None = None
    id: int | None = None
    customer_id: int | None = None
    name_display: str = "Plain"  # Plain | Company_Project | Project_Company; required by the schema
    time_reg: str = "WorkType"  # WorkType | Task; required by the schema
    enabled: bool | None = None
    description: str | None = None
    date_start: date | None = None
    date_stop: date | None = None
    department_id: int | None = None
    owner: int | None = None
    order_reference_number: str | None = None
    customer_reference: str | None = None
    status_id: int | None = None
    type_id: int | None = None
    fixed_price: bool | None = None
    customer_name: str | None = None
    date_changed: datetime | None = None


# --- Invoices ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    """InvoiceService.InvoiceRow. Normal rows need ``product_id``; Text rows only ``name``."""

    product_id: int | None = None
    name: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None  # unit price
    discount_rate: Decimal | None = None  # percent
    type: str | None = None  # RowType; None = Normal
    row_id: int | None = None
    change_state: str | None = None  # needed when editing rows of an existing order
    sequence_number: int | None = None
    project_id: int | None = None
    department_id: int | None = None
    tax_code: int | None = None  # TaxSettings.TaxCode, overrides the sales type's VAT
    type_group_id: int | None = None
    accrual_date: date | None = None
    accrual_length: int | None = None
    vat_rate: Decimal | None = None  # read-only
    product_no: str | None = None  # read-only


@dataclass(frozen=True, slots=True)
class InvoiceOrder:
    """InvoiceService.InvoiceOrder: an order, or an invoice once ``order_status`` is Invoiced.

    ``invoice_id`` is always assigned by 24SO (it cannot be sent); ``order_id`` updates an order.
    """

    customer_id: int | None = None
    order_id: int | None = None
    order_status: str | None = None  # OrderStatus
    rows: tuple[InvoiceRow, ...] = ()
    invoice_id: int | None = None  # read-only
    date_ordered: date | None = None
    date_invoiced: date | None = None
    delivery_date: date | None = None
    payment_time: int | None = None
    customer_name: str | None = None
    customer_org_no: str | None = None
    our_reference: int | None = None  # an EmployeeId
    your_reference: str | None = None
    customer_reference_no: str | None = None
    reference_number: str | None = None
    invoice_title: str | None = None
    invoice_text: str | None = None
    invoice_email_address: str | None = None
    external_status: int | None = None
    project_id: int | None = None
    department_id: int | None = None
    type_of_sale_id: int | None = None
    include_vat: bool | None = None
    currency: str | None = None  # Currency.Symbol
    ocr: str | None = None  # KID
    distribution_method: str | None = None  # Unchanged | Print | EMail | ElectronicInvoice
    reference_invoice_id: int | None = None  # credit notes: the invoice credited
    reference_order_id: int | None = None
    payment_amount: Decimal | None = None  # write-only: registers a payment
    order_total_inc_vat: Decimal | None = None  # read-only
    order_total_vat: Decimal | None = None  # read-only
    paid: date | None = None  # read-only; None until paid
    date_changed: datetime | None = None  # read-only

    @property
    def is_invoiced(self) -> bool:
        return self.invoice_id is not None

    @property
    def is_paid(self) -> bool:
        return self.paid is not None


# --- Accounting --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaxCode:
    id: int
    no: str | None = None  # the VAT code users see
    name: str | None = None
    rate: Decimal | None = None
    account_no: int | None = None


@dataclass(frozen=True, slots=True)
class Account:
    no: int | None
    name: str | None = None
    id: int | None = None
    tax_id: int | None = None  # AccountTax
    tax_no: int | None = None


@dataclass(frozen=True, slots=True)
class FiscalYear:
    id: str | None
    start: date | None
    end: date | None  # exclusive
    is_locked: bool = False


@dataclass(frozen=True, slots=True)
class TransactionType:
    """TransactionService voucher type; ``no`` goes into Bundle/Voucher.sort."""

    id: int
    no: int
    title: str | None = None
    turnover: bool = False


@dataclass(frozen=True, slots=True)
class EntryType:
    """AccountService.GetTypeList: a voucher type and its number series (for GetEntryId)."""

    type_id: int
    type_no: int
    entry_series_id: int
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One journal line. Positive ``amount`` debits, negative credits."""

    account_no: int
    amount: Decimal
    date: date
    customer_id: int | None = None
    due_date: date | None = None
    tax_no: str | None = None
    invoice_reference_no: str | None = None
    invoice_ocr: str | None = None
    comment: str | None = None
    department_id: int | None = None
    project_id: int | None = None
    currency_id: str | None = None
    currency_rate: Decimal | None = None
    currency_unit: int | None = None
    vat_amount: Decimal | None = None
    period_date: date | None = None
    stamp_no: int | None = None
    bank_account_no: str | None = None
    link_id: str | None = None


@dataclass(frozen=True, slots=True)
class Voucher:
    transaction_no: int
    sort: int
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True, slots=True)
class Bundle:
    year_id: int  # calendar year of an open fiscal year
    vouchers: tuple[Voucher, ...] = ()
    sort: int | None = None
    name: str | None = None
    direct_accounting: bool = False  # BundleDirectAccounting: True = no VAT computation
    use_auto_base_rate: bool | None = None


@dataclass(frozen=True, slots=True)
class BundleList:
    bundles: tuple[Bundle, ...] = ()
    save_option: int = SaveOption.JOURNAL
    allow_difference: bool = False
    direct_ledger: bool = False
    default_customer_id: int | None = None
    ignore_warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SaveResponse:
    """AccountService.SaveBundleList answer: Ok | DuplicateData | DataAlreadySaved | NotSaved | ..."""

    type: str
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.type == "Ok"

    @property
    def duplicate(self) -> bool:
        return self.type in ("DuplicateData", "DataAlreadySaved")


@dataclass(frozen=True, slots=True)
class Dimension:
    type: str | None  # DimensionType: Project, Department, Customer, ...
    value: str | None = None
    name: str | None = None
    percent: Decimal | None = None
    type_id: int | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """A ledger line from TransactionService.GetTransactions."""

    date: date | None
    account_no: int | None
    amount: Decimal | None
    transaction_no: int | None = None
    transaction_type_id: int | None = None
    id: str | None = None  # the line GUID
    system_type: str | None = None
    invoice_no: str | None = None
    ocr: str | None = None
    comment: str | None = None
    currency: str | None = None
    currency_rate: Decimal | None = None
    currency_unit: int | None = None
    stamp_no: int | None = None
    period: int | None = None
    vat_code: int | None = None
    link_id: int | None = None  # renumbered on every new link: never a key
    sequence_no: int | None = None
    due_date: date | None = None
    registration_date: datetime | None = None
    date_changed: datetime | None = None
    period_date: date | None = None
    hidden: bool = False
    open: bool = False  # True while unsettled
    dimensions: tuple[Dimension, ...] = ()

    def dimension(self, type: str) -> str | None:
        return next((d.value for d in self.dimensions if d.type == type), None)

    @property
    def customer_id(self) -> int | None:
        return _int_or_none(self.dimension("Customer"))

    @property
    def project_id(self) -> int | None:
        return _int_or_none(self.dimension("Project"))

    @property
    def department_id(self) -> int | None:
        return _int_or_none(self.dimension("Department"))


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


# --- Attachments and client reference data -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageFrame:
    id: int
    stamp_no: int | None = None
    status: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImageFile:
    """AttachmentService.ImageFile: a stored voucher image / document."""

    id: int
    type: str  # Unknown | Png | Tiff | Pdf | Jpeg | ...
    stamp_no: int | None = None
    stamp_meta: Mapping[str, str] = field(default_factory=dict)
    frames: tuple[ImageFrame, ...] = ()
    contact_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ClientInfo:
    name: str | None
    organization_number: str | None = None
    country: str | None = None
    default_currency: str | None = None
    bank_account: str | None = None
    iban: str | None = None
    swift: str | None = None
    user_id: int | None = None
    email: str | None = None
    phone: str | None = None
    post_address: Address | None = None


@dataclass(frozen=True, slots=True)
class Department:
    id: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class VatType:
    no: int
    name: str | None = None
    rate: Decimal | None = None


# --- Per-record outcome of batch saves ---------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RecordError:
    """24SO's APIException on one record of an HTTP-200 batch answer."""

    type: str | None
    message: str | None

    def __str__(self) -> str:
        return f"{self.type or 'APIException'}: {self.message or ''}".strip()


@dataclass(frozen=True, slots=True)
class RecordResult(Generic[T]):
    """One input record's outcome: the saved ``record`` (ids filled in) or the ``error``."""

    record: T | None = None
    error: RecordError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self, operation: str | None = None) -> T:
        """The saved record, or RecordRejected carrying 24SO's type and message."""
        if self.error is not None:
            raise RecordRejected(self.error.type, self.error.message, operation=operation)
        assert self.record is not None
        return self.record
