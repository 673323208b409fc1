"""Translation between the hub's dataclasses and the plain dicts / zeep objects of the 24SO services.

Writing: build dicts with the vendor element names; ``compact`` drops everything unset, so a
sentinel is never sent as a real value. Money goes out as Decimal quantized to 2 places (24SO
refuses exponent-form numbers; zeep writes a float like 1e-05). Reading: zeep objects and lists
in, dataclasses out, with the .NET MinValue sentinels turned into None.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from .errors import RemoteFault
from .types import (
    Account,
    Address,
    ClientInfo,
    Company,
    Department,
    Dimension,
    Entry,
    EntryType,
    FiscalYear,
    Identity,
    ImageFile,
    ImageFrame,
    InvoiceOrder,
    InvoiceRow,
    Product,
    ProductCategory,
    Project,
    RecordError,
    RecordResult,
    SaveResponse,
    TaxCode,
    Transaction,
    TransactionType,
    VatType,
    BundleList,
)

# .NET MinValue defaults that 24SO's WSDLs declare as "not set".
INT_UNSET = -2147483648
SHORT_UNSET = -32768
LONG_UNSET = -9223372036854775808
DECIMAL_UNSET = Decimal("-79228162514264337593543950335")
DOUBLE_UNSET = -1.7976931348623157e308
GUID_UNSET = "00000000-0000-0000-0000-000000000000"
_INT_SENTINELS = frozenset({INT_UNSET, SHORT_UNSET, LONG_UNSET})

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")


# --- Scalars in ---------------------------------------------------------------------------------


def read_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    value = int(value)
    return None if value in _INT_SENTINELS else value  # MinValue = "not set"


def read_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    value = Decimal(value)
    return None if value == DECIMAL_UNSET else value


def read_str(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if value != "" else None


def read_guid(value: Any) -> str | None:
    value = read_str(value)
    if value is None or value.strip("{}").lower() == GUID_UNSET:  # all-zero GUID = "not set"
        return None
    return value.strip("{}").lower()


def read_bool(value: Any, default: bool = False) -> bool:
    return default if value is None else bool(value)


def read_datetime(value: Any) -> datetime | None:
    """Aware UTC datetime; 24SO answers in UTC, 0001-01-01 (DateTime.MinValue) means not set."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.year <= 1:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def read_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return None if value.year <= 1 else value.date()
    return None if value.year <= 1 else value


def items(value: Any, child: str) -> list:
    """The list inside an ArrayOfX: zeep unwraps the top-level array of an answer, not nested ones."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    inner = get(value, child)
    return list(inner or [])


def get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    try:
        return obj[name]
    except (KeyError, TypeError, AttributeError, IndexError):
        return getattr(obj, name, default)


def key_values(value: Any) -> dict[str, str]:
    return {str(get(kv, "Key")): get(kv, "Value") for kv in items(value, "KeyValuePair")}


def record_error(obj: Any) -> RecordError | None:
    """24SO reports a refused record as APIException on that item while the HTTP answer is 200."""
    exc = get(obj, "APIException")
    if exc is None:
        return None
    type_, message = read_str(get(exc, "Type")), read_str(get(exc, "Message"))
    if type_ is None and message is None:
        return None
    return RecordError(type=type_, message=message)


# --- Scalars out -------------------------------------------------------------------------------


def money(value: Any) -> Decimal | None:
    """A plain 2-place Decimal: 24SO refuses exponent-form numbers (floats render as 1e-05)."""
    if value is None:
        return None
    if isinstance(value, float):
        value = repr(value)  # shortest round-tripping text, never binary noise
    return Decimal(value).quantize(CENT)


def rate(value: Any) -> Decimal | None:
    """Currency rates keep more places than money, still plain Decimals."""
    if value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(RATE_PLACES)


def out_datetime(value: datetime | date | None) -> datetime | None:
    """Naive UTC datetime, whole seconds: 24SO reads dateTime as UTC without an offset."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, time())  # accounting dates: midnight
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0)


def changed_after(value: datetime | date | None) -> datetime | None:
    """ChangedAfter filters: 24SO rounds stored change times, so look one second further back."""
    value = out_datetime(value)
    return None if value is None else value - timedelta(seconds=1)


def day_end(value: datetime | date | None) -> datetime | None:
    """A date as the last second of that day, so a DateEnd filter includes the whole day."""
    if value is None or isinstance(value, datetime):
        return out_datetime(value)
    return datetime.combine(value, time(23, 59, 59))


def compact(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop unset values: None, empty arrays, and any MinValue sentinel a caller passed through."""
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value in _INT_SENTINELS:
            continue  # never send a sentinel as a real value
        if isinstance(value, Decimal) and value == DECIMAL_UNSET:
            continue
        if isinstance(value, datetime) and value.year <= 1:
            continue
        if isinstance(value, str) and value.lower() == GUID_UNSET:
            continue
        if isinstance(value, dict) and not value:
            continue
        out[key] = value
    return out


def int_array(values: Iterable[int] | None) -> dict | None:
    values = list(values or [])
    return {"int": values} if values else None


def string_array(values: Iterable[str] | None) -> dict | None:
    values = list(values or [])
    return {"string": values} if values else None


def _ensure(result_items: Sequence, count: int, operation: str) -> None:
    if len(result_items) != count:
        raise RemoteFault(f"answered {len(result_items)} records for {count} sent", operation=operation)


def record_results(answer: Any, child: str, count: int, read, operation: str) -> list[RecordResult]:
    """One RecordResult per input record, in input order, from a batch Save* answer."""
    answered = items(answer, child)
    _ensure(answered, count, operation)
    results = []
    for item in answered:
        error = record_error(item)
        results.append(RecordResult(error=error) if error else RecordResult(record=read(item)))
    return results


# --- Field tables ------------------------------------------------------------------------------
# One table per record type drives both directions: (hub attribute, vendor element, kind, mode).
# mode "rw" = read and written, "r" = read-only (never sent), "w" = write-only.


def _keep(value: Any) -> Any:
    return value


def _date_out(value: Any) -> Any:
    return out_datetime(value)


KINDS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "int": (read_int, _keep),
    "str": (read_str, _keep),
    "bool": (_keep, _keep),  # None stays "not set"
    "guid": (read_guid, _keep),
    "money": (read_decimal, money),
    "rate": (read_decimal, rate),
    "date": (read_date, _date_out),
    "datetime": (read_datetime, _date_out),
}


def _fields(spec: str) -> tuple[tuple[str, str, str, str], ...]:
    """Parse 'attr Element kind [mode]' lines into a field table."""
    rows = []
    for line in spec.strip().splitlines():
        attr, element, kind, *mode = line.split()
        rows.append((attr, element, kind, mode[0] if mode else "rw"))
    return tuple(rows)


def read_fields(obj: Any, table: Sequence[tuple[str, str, str, str]]) -> dict[str, Any]:
    return {attr: KINDS[kind][0](get(obj, element)) for attr, element, kind, mode in table if mode != "w"}


def write_fields(record: Any, table: Sequence[tuple[str, str, str, str]], **extra: Any) -> dict[str, Any]:
    values = {element: KINDS[kind][1](getattr(record, attr)) for attr, element, kind, mode in table if mode != "r"}
    return compact({**values, **extra})


def _value_of(obj: Any, *path: str) -> Any:
    for name in path:
        obj = get(obj, name)
    return obj


# --- Authenticate ------------------------------------------------------------------------------


def credential_out(application_id: str, username: str, password: str, identity_id: str | None) -> dict:
    # Vendor element order: ApplicationId, IdentityId, Password, Username (zeep keeps schema order).
    return compact(
        {"ApplicationId": application_id, "IdentityId": identity_id, "Password": password, "Username": username}
    )


def identity_in(obj: Any) -> Identity:
    return Identity(
        id=read_guid(get(obj, "Id")) or "",
        name=read_str(_value_of(obj, "User", "Name")),
        client_id=read_int(_value_of(obj, "Client", "Id")),
        client_name=read_str(_value_of(obj, "Client", "Name")),
        is_current=read_bool(get(obj, "IsCurrent")),
        is_default=read_bool(get(obj, "IsDefault")),
        is_disabled=read_bool(get(obj, "IsDisabled")),
    )


# --- Addresses and companies -------------------------------------------------------------------

ADDRESS = _fields(
    """
    street Street str
    state State str
    postal_code PostalCode str
    postal_area PostalArea str
    name Name str
    city City str
    country Country str
    """
)


def address_out(address: Address | None) -> dict | None:
    return (write_fields(address, ADDRESS) or None) if address is not None else None


def address_in(obj: Any) -> Address | None:
    address = Address(**read_fields(obj, ADDRESS)) if obj is not None else Address()
    return None if address == Address() else address


_ADDRESS_SLOTS = (("post_address", "Post"), ("delivery_address", "Delivery"),
                  ("visit_address", "Visit"), ("invoice_address", "Invoice"))  # fmt: skip
# (hub attribute, container element, slot element) for e-mails and phone numbers
_CONTACT_SLOTS = (
    ("email", "EmailAddresses", "Primary"),
    ("invoice_email", "EmailAddresses", "Invoice"),
    ("phone", "PhoneNumbers", "Primary"),
    ("mobile", "PhoneNumbers", "Mobile"),
)

COMPANY = _fields(
    """
    id Id int
    external_id ExternalId str
    organization_number OrganizationNumber str
    name Name str
    first_name FirstName str
    nick_name NickName str
    url Url str
    country Country str
    note Note str
    invoice_language InvoiceLanguage str
    type Type str
    date_created DateCreated datetime r
    status Status int
    bank_account_no BankAccountNo str
    date_changed DateChanged datetime r
    payment_time PaymentTime int
    gln_number GlnNumber str
    vat_number VatNumber str
    private Private bool
    """
)


def company_out(company: Company) -> dict:
    addresses = compact({slot: address_out(getattr(company, attr)) for attr, slot in _ADDRESS_SLOTS})
    contacts: dict[str, dict] = {}
    for attr, container, slot in _CONTACT_SLOTS:
        if getattr(company, attr):
            contacts.setdefault(container, {})[slot] = {"Value": getattr(company, attr)}
    return write_fields(company, COMPANY, Addresses=addresses or None, **contacts)


def company_in(obj: Any) -> Company:
    values = read_fields(obj, COMPANY)
    for attr, slot in _ADDRESS_SLOTS:
        values[attr] = address_in(_value_of(obj, "Addresses", slot))
    for attr, container, slot in _CONTACT_SLOTS:
        values[attr] = read_str(_value_of(obj, container, slot, "Value"))
    return Company(**values)


# --- Products ----------------------------------------------------------------------------------

CATEGORY = _fields(
    """
    id Id int
    name Name str
    no No str
    parent_id ParentId int
    """
)

PRODUCT = _fields(
    """
    supplier_id SupplierId int
    id Id int
    name Name str
    tax_rate TaxRate money
    stock Stock money
    status_id StatusId int
    category_id CategoryId int
    in_price InPrice money
    description Description str
    description_long DescriptionLong str
    cost Cost money
    ean EAN1 str
    price Price money
    no No str
    date_changed DateChanged datetime r
    """
)


def category_out(category: ProductCategory) -> dict:
    return write_fields(category, CATEGORY)


def category_in(obj: Any) -> ProductCategory:
    return ProductCategory(**read_fields(obj, CATEGORY))


def product_out(product: Product) -> dict:
    return write_fields(product, PRODUCT)


def product_in(obj: Any) -> Product:
    return Product(**read_fields(obj, PRODUCT))


# --- Projects ----------------------------------------------------------------------------------

PROJECT = _fields(
    """
    id Id int
    enabled Enabled bool
    name Name str
    date_changed DateChanged datetime r
    date_start DateStart date
    date_stop DateStop date
    customer_id CustomerId int
    customer_name CustomerName str r
    order_reference_number OrderReferenceNumber str
    department_id DepartmentId int
    customer_reference CustomerReference str
    owner Owner int
    type_id TypeId int
    status_id StatusId int
    description Description str
    fixed_price FixedPrice bool
    """
)


def project_out(project: Project) -> dict:
    # NameDisplay and TimeReg are required by the schema (zeep refuses a Project without them).
    return write_fields(project, PROJECT, NameDisplay=project.name_display, TimeReg=project.time_reg)


def project_in(obj: Any) -> Project:
    return Project(
        **read_fields(obj, PROJECT),
        name_display=read_str(get(obj, "NameDisplay")) or "Plain",
        time_reg=read_str(get(obj, "TimeReg")) or "WorkType",
    )


# --- Invoices ----------------------------------------------------------------------------------

ROW = _fields(
    """
    product_id ProductId int
    row_id RowId int
    vat_rate VatRate money r
    price Price money
    name Name str
    discount_rate DiscountRate money
    quantity Quantity money
    change_state ChangeState str
    type_group_id TypeGroupId int
    sequence_number SequenceNumber int
    type Type str
    accrual_date AccrualDate date
    accrual_length AccrualLength int
    project_id ProjectId int
    department_id DepartmentId int
    product_no ProductNo str r
    """
)

# InvoiceId is read-only: 24SO always assigns it, so it is never sent. Totals are read-only too.
INVOICE = _fields(
    """
    order_id OrderId int
    customer_id CustomerId int
    customer_name CustomerName str
    order_status OrderStatus str
    invoice_id InvoiceId int r
    date_ordered DateOrdered date
    date_invoiced DateInvoiced date r
    date_changed DateChanged datetime r
    payment_time PaymentTime int
    customer_reference_no CustomerReferenceNo str
    project_id ProjectId int
    our_reference OurReference int
    include_vat IncludeVAT bool
    your_reference YourReference str
    order_total_inc_vat OrderTotalIncVat money r
    order_total_vat OrderTotalVat money r
    invoice_title InvoiceTitle str
    invoice_text InvoiceText str
    paid Paid date r
    ocr OCR str
    customer_org_no CustomerOrgNo str
    payment_amount PaymentAmount money w
    type_of_sale_id TypeOfSaleId int
    distribution_method DistributionMethod str
    department_id DepartmentId int
    external_status ExternalStatus int
    invoice_email_address InvoiceEmailAddress str
    delivery_date DeliveryDate date
    reference_invoice_id ReferenceInvoiceId int
    reference_order_id ReferenceOrderId int
    reference_number ReferenceNumber str
    """
)


def row_out(row: InvoiceRow) -> dict:
    tax = {"TaxCode": row.tax_code} if row.tax_code is not None else None
    return write_fields(row, ROW, TaxSettings=tax)


def row_in(obj: Any) -> InvoiceRow:
    return InvoiceRow(**read_fields(obj, ROW), tax_code=read_int(_value_of(obj, "TaxSettings", "TaxCode")))


def invoice_out(order: InvoiceOrder) -> dict:
    return write_fields(
        order,
        INVOICE,
        Currency={"Symbol": order.currency} if order.currency else None,
        InvoiceRows={"InvoiceRow": [row_out(r) for r in order.rows]} if order.rows else None,
    )


def invoice_update_out(order: InvoiceOrder) -> dict:
    """UpdateInvoices may only change InvoiceTitle and ReferenceNumber of an invoiced order."""
    return compact(
        {
            "OrderId": order.order_id,
            "InvoiceId": order.invoice_id,
            "InvoiceTitle": order.invoice_title,
            "ReferenceNumber": order.reference_number,
        }
    )


def invoice_in(obj: Any) -> InvoiceOrder:
    # Paid reads 0001-01-01 (not paid) as None through the date kind.
    return InvoiceOrder(
        **read_fields(obj, INVOICE),
        rows=tuple(row_in(r) for r in items(get(obj, "InvoiceRows"), "InvoiceRow")),
        currency=read_str(_value_of(obj, "Currency", "Symbol")),
    )


# --- Accounting --------------------------------------------------------------------------------

ENTRY = _fields(
    """
    customer_id CustomerId int
    account_no AccountNo int
    date Date date
    due_date DueDate date
    amount Amount money
    vat_amount VatAmount money
    currency_id CurrencyId str
    currency_rate CurrencyRate rate
    currency_unit CurrencyUnit int
    department_id DepartmentId int
    project_id ProjectId int
    invoice_reference_no InvoiceReferenceNo str
    invoice_ocr InvoiceOcr str
    tax_no TaxNo str
    period_date PeriodDate date
    comment Comment str
    stamp_no StampNo int
    bank_account_no BankAccountNo str
    link_id LinkId guid
    """
)


def entry_out(entry: Entry) -> dict:
    return write_fields(entry, ENTRY)


def bundle_list_out(bundle_list: BundleList) -> dict:
    bundles = []
    for bundle in bundle_list.bundles:
        vouchers = [
            {"TransactionNo": v.transaction_no, "Entries": {"Entry": [entry_out(e) for e in v.entries]}, "Sort": v.sort}
            for v in bundle.vouchers
        ]
        bundles.append(
            compact(
                {
                    "YearId": bundle.year_id,
                    "Vouchers": {"Voucher": vouchers},
                    "Sort": bundle.sort,
                    "Name": bundle.name,
                    "BundleDirectAccounting": bundle.direct_accounting,
                    "UseAutoBaseRate": bundle.use_auto_base_rate,
                }
            )
        )
    return compact(
        {
            "Bundles": {"Bundle": bundles},
            "AllowDifference": bundle_list.allow_difference,
            "DirectLedger": bundle_list.direct_ledger,
            "SaveOption": bundle_list.save_option,
            "DefaultCustomerId": bundle_list.default_customer_id,
            "IgnoreWarnings": string_array(bundle_list.ignore_warnings),
        }
    )


def save_response_in(obj: Any) -> SaveResponse:
    return SaveResponse(type=read_str(get(obj, "Type")) or "Ok", description=read_str(get(obj, "Description")))


ACCOUNT = _fields("no AccountNo int\nname AccountName str\nid AccountId int\ntax_id AccountTax int\ntax_no TaxNo int")
TAX_CODE = _fields("id TaxId int\nno TaxNo str\nname TaxName str\nrate TaxRate money\naccount_no AccountNo int")
ENTRY_TYPE = _fields("type_id TypeId int\ntype_no TypeNo int\nentry_series_id EntrySeriesId int\ntitle Title str")
FISCAL_YEAR = _fields("id Id guid\nstart StartingDate date\nend EndingDate date\nis_locked IsLocked bool")
TRANSACTION_TYPE = _fields("id Id int\nno No int\ntitle Title str\nturnover Turnover bool")
DIMENSION = _fields("type Type str\nvalue Value str\nname Name str\npercent Percent money\ntype_id TypeId int")
TRANSACTION = _fields(
    """
    date Date date
    account_no AccountNo int
    currency Currency str
    currency_rate CurrencyRate rate
    currency_unit CurrencyUnit int
    amount Amount money
    stamp_no StampNo int
    period Period int
    transaction_type_id TransactionTypeId int
    comment Comment str
    transaction_no TransactionNo int
    vat_code VatCode int
    id Id guid
    link_id LinkId int
    invoice_no InvoiceNo str
    sequence_no SequenceNo int
    system_type SystemType str
    due_date DueDate date
    registration_date RegistrationDate datetime
    date_changed DateChanged datetime
    hidden Hidden bool
    open Open bool
    ocr OCR str
    period_date PeriodDate date
    """
)


def account_in(obj: Any) -> Account:
    return Account(**read_fields(obj, ACCOUNT))


def tax_code_in(obj: Any) -> TaxCode:
    return TaxCode(**read_fields(obj, TAX_CODE))


def entry_type_in(obj: Any) -> EntryType:
    return EntryType(**read_fields(obj, ENTRY_TYPE))


def fiscal_year_in(obj: Any) -> FiscalYear:
    values = read_fields(obj, FISCAL_YEAR)
    return FiscalYear(**{**values, "is_locked": bool(values["is_locked"])})


def transaction_type_in(obj: Any) -> TransactionType:
    values = read_fields(obj, TRANSACTION_TYPE)
    return TransactionType(**{**values, "turnover": bool(values["turnover"])})


def transaction_in(obj: Any) -> Transaction:
    values = read_fields(obj, TRANSACTION)
    values.update(hidden=bool(values["hidden"]), open=bool(values["open"]))
    dimensions = tuple(Dimension(**read_fields(d, DIMENSION)) for d in items(get(obj, "Dimensions"), "Dimension"))
    return Transaction(**values, dimensions=dimensions)


# --- Attachments and client data ---------------------------------------------------------------


def image_file_in(obj: Any) -> ImageFile:
    frames = tuple(
        ImageFrame(
            id=read_int(get(f, "Id")),
            stamp_no=read_int(get(f, "StampNo")),
            status=read_int(get(f, "Status")),
            metadata=key_values(get(f, "MetaData")),
        )
        for f in items(get(obj, "FrameInfo"), "ImageFrameInfo")
    )
    return ImageFile(
        id=read_int(get(obj, "Id")),
        type=read_str(get(obj, "Type")) or "Unknown",
        stamp_no=read_int(get(obj, "StampNo")),
        stamp_meta=key_values(get(obj, "StampMeta")),
        frames=frames,
        contact_ids=tuple(read_int(i) for i in items(get(obj, "ContactId"), "int")),
    )


def image_file_out(image: ImageFile) -> dict:
    # Id, Type and StampNo are required by the schema; the file is named by Id.
    return {"Id": image.id, "Type": image.type, "StampNo": image.stamp_no if image.stamp_no is not None else 0}


CLIENT_INFO = _fields(
    """
    name Name str
    organization_number OrganizationNumber str
    country Country str
    default_currency DefaultCurrency str
    bank_account BankAccount str
    iban IBAN str
    swift Swift str
    user_id UserId int
    """
)
DEPARTMENT = _fields("id Id int\nname Name str\nemail Email str\nphone Phone str")
VAT_TYPE = _fields("no No int\nname Name str\nrate Rate money")


def client_info_in(obj: Any) -> ClientInfo:
    return ClientInfo(
        **read_fields(obj, CLIENT_INFO),
        email=read_str(_value_of(obj, "EmailAddressList", "Primary", "Value")),
        phone=read_str(_value_of(obj, "PhoneNumberList", "Primary", "Value")),
        post_address=address_in(_value_of(obj, "AddressList", "Post")),
    )


def department_in(obj: Any) -> Department:
    return Department(**read_fields(obj, DEPARTMENT))


def vat_type_in(obj: Any) -> VatType:
    return VatType(**read_fields(obj, VAT_TYPE))
