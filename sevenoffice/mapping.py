"""Translation between the hub's dataclasses and the plain dicts / zeep objects of the 24SO services.

Writing: build dicts with the vendor element names; ``compact`` drops everything unset, so a
sentinel is never sent as a real value. Money goes out as Decimal quantized to 2 places (24SO
refuses exponent-form numbers; zeep writes a float like 1e-05). Reading: zeep objects and lists
in, dataclasses out, with the .NET MinValue sentinels turned into None.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


# --- Authenticate ------------------------------------------------------------------------------


def credential_out(application_id: str, username: str, password: str, identity_id: str | None) -> dict:
    # Vendor element order: ApplicationId, IdentityId, Password, Username (zeep keeps schema order).
    return compact(
        {"ApplicationId": application_id, "IdentityId": identity_id, "Password": password, "Username": username}
    )


def identity_in(obj: Any) -> Identity:
    user, client = get(obj, "User"), get(obj, "Client")
    return Identity(
        id=read_guid(get(obj, "Id")) or "",
        name=read_str(get(user, "Name")),
        client_id=read_int(get(client, "Id")),
        client_name=read_str(get(client, "Name")),
        is_current=read_bool(get(obj, "IsCurrent")),
        is_default=read_bool(get(obj, "IsDefault")),
        is_disabled=read_bool(get(obj, "IsDisabled")),
    )


# --- Addresses and companies -------------------------------------------------------------------


def address_out(address: Address | None) -> dict | None:
    if address is None:
        return None
    return compact(
        {
            "Street": address.street,
            "State": address.state,
            "PostalCode": address.postal_code,
            "PostalArea": address.postal_area,
            "Name": address.name,
            "City": address.city,
            "Country": address.country,
        }
    ) or None


def address_in(obj: Any) -> Address | None:
    if obj is None:
        return None
    address = Address(
        street=read_str(get(obj, "Street")),
        postal_code=read_str(get(obj, "PostalCode")),
        postal_area=read_str(get(obj, "PostalArea")),
        city=read_str(get(obj, "City")),
        state=read_str(get(obj, "State")),
        country=read_str(get(obj, "Country")),
        name=read_str(get(obj, "Name")),
    )
    return None if address == Address() else address


def _addresses_out(post=None, delivery=None, visit=None, invoice=None) -> dict | None:
    return compact(
        {
            "Post": address_out(post),
            "Delivery": address_out(delivery),
            "Visit": address_out(visit),
            "Invoice": address_out(invoice),
        }
    ) or None


def company_out(company: Company) -> dict:
    emails = compact(
        {
            "Invoice": {"Value": company.invoice_email} if company.invoice_email else None,
            "Primary": {"Value": company.email} if company.email else None,
        }
    )
    phones = compact(
        {
            "Mobile": {"Value": company.mobile} if company.mobile else None,
            "Primary": {"Value": company.phone} if company.phone else None,
        }
    )
    return compact(
        {
            "Id": company.id,
            "ExternalId": company.external_id,
            "OrganizationNumber": company.organization_number,
            "Name": company.name,
            "FirstName": company.first_name,
            "NickName": company.nick_name,
            "Addresses": _addresses_out(
                company.post_address, company.delivery_address, company.visit_address, company.invoice_address
            ),
            "PhoneNumbers": phones or None,
            "EmailAddresses": emails or None,
            "Url": company.url,
            "Country": company.country,
            "Note": company.note,
            "InvoiceLanguage": company.invoice_language,
            "Type": company.type,
            "Status": company.status,
            "BankAccountNo": company.bank_account_no,
            "PaymentTime": company.payment_time,
            "GlnNumber": company.gln_number,
            "VatNumber": company.vat_number,
            "Private": company.private,
        }
    )


def company_in(obj: Any) -> Company:
    addresses, emails, phones = get(obj, "Addresses"), get(obj, "EmailAddresses"), get(obj, "PhoneNumbers")
    return Company(
        id=read_int(get(obj, "Id")),
        name=read_str(get(obj, "Name")),
        external_id=read_str(get(obj, "ExternalId")),
        organization_number=read_str(get(obj, "OrganizationNumber")),
        type=read_str(get(obj, "Type")),
        first_name=read_str(get(obj, "FirstName")),
        nick_name=read_str(get(obj, "NickName")),
        email=read_str(get(get(emails, "Primary"), "Value")),
        invoice_email=read_str(get(get(emails, "Invoice"), "Value")),
        phone=read_str(get(get(phones, "Primary"), "Value")),
        mobile=read_str(get(get(phones, "Mobile"), "Value")),
        url=read_str(get(obj, "Url")),
        country=read_str(get(obj, "Country")),
        invoice_language=read_str(get(obj, "InvoiceLanguage")),
        note=read_str(get(obj, "Note")),
        post_address=address_in(get(addresses, "Post")),
        invoice_address=address_in(get(addresses, "Invoice")),
        delivery_address=address_in(get(addresses, "Delivery")),
        visit_address=address_in(get(addresses, "Visit")),
        payment_time=read_int(get(obj, "PaymentTime")),
        vat_number=read_str(get(obj, "VatNumber")),
        bank_account_no=read_str(get(obj, "BankAccountNo")),
        gln_number=read_str(get(obj, "GlnNumber")),
        private=get(obj, "Private"),
        status=read_int(get(obj, "Status")),
        date_created=read_datetime(get(obj, "DateCreated")),
        date_changed=read_datetime(get(obj, "DateChanged")),
    )


# --- Products ----------------------------------------------------------------------------------


def category_out(category: ProductCategory) -> dict:
    return compact({"Id": category.id, "Name": category.name, "No": category.no, "ParentId": category.parent_id})


def category_in(obj: Any) -> ProductCategory:
    return ProductCategory(
        id=read_int(get(obj, "Id")),
        name=read_str(get(obj, "Name")),
        no=read_str(get(obj, "No")),
        parent_id=read_int(get(obj, "ParentId")),
    )


def product_out(product: Product) -> dict:
    return compact(
        {
            "SupplierId": product.supplier_id,
            "Id": product.id,
            "Name": product.name,
            "TaxRate": money(product.tax_rate),
            "Stock": money(product.stock),
            "StatusId": product.status_id,
            "CategoryId": product.category_id,
            "InPrice": money(product.in_price),
            "Description": product.description,
            "DescriptionLong": product.description_long,
            "Cost": money(product.cost),
            "EAN1": product.ean,
            "Price": money(product.price),
            "No": product.no,
        }
    )


def product_in(obj: Any) -> Product:
    return Product(
        id=read_int(get(obj, "Id")),
        name=read_str(get(obj, "Name")),
        no=read_str(get(obj, "No")),
        category_id=read_int(get(obj, "CategoryId")),
        price=read_decimal(get(obj, "Price")),
        cost=read_decimal(get(obj, "Cost")),
        in_price=read_decimal(get(obj, "InPrice")),
        tax_rate=read_decimal(get(obj, "TaxRate")),
        description=read_str(get(obj, "Description")),
        description_long=read_str(get(obj, "DescriptionLong")),
        ean=read_str(get(obj, "EAN1")),
        status_id=read_int(get(obj, "StatusId")),
        stock=read_decimal(get(obj, "Stock")),
        supplier_id=read_int(get(obj, "SupplierId")),
        date_changed=read_datetime(get(obj, "DateChanged")),
    )


# --- Projects ----------------------------------------------------------------------------------


def project_out(project: Project) -> dict:
    return compact(
        {
            "Id": project.id,
            "Enabled": project.enabled,
            "Name": project.name,
            "NameDisplay": project.name_display,  # required by the schema
            "DateStart": out_datetime(project.date_start),
            "DateStop": out_datetime(project.date_stop),
            "CustomerId": project.customer_id,
            "OrderReferenceNumber": project.order_reference_number,
            "DepartmentId": project.department_id,
            "CustomerReference": project.customer_reference,
            "Owner": project.owner,
            "TypeId": project.type_id,
            "StatusId": project.status_id,
            "Description": project.description,
            "TimeReg": project.time_reg,  # required by the schema
            "FixedPrice": project.fixed_price,
        }
    )


def project_in(obj: Any) -> Project:
    return Project(
        id=read_int(get(obj, "Id")),
        name=read_str(get(obj, "Name")),
        customer_id=read_int(get(obj, "CustomerId")),
        name_display=read_str(get(obj, "NameDisplay")) or "Plain",
        time_reg=read_str(get(obj, "TimeReg")) or "WorkType",
        enabled=get(obj, "Enabled"),
        description=read_str(get(obj, "Description")),
        date_start=read_date(get(obj, "DateStart")),
        date_stop=read_date(get(obj, "DateStop")),
        department_id=read_int(get(obj, "DepartmentId")),
        owner=read_int(get(obj, "Owner")),
        order_reference_number=read_str(get(obj, "OrderReferenceNumber")),
        customer_reference=read_str(get(obj, "CustomerReference")),
        status_id=read_int(get(obj, "StatusId")),
        type_id=read_int(get(obj, "TypeId")),
        fixed_price=get(obj, "FixedPrice"),
        customer_name=read_str(get(obj, "CustomerName")),
        date_changed=read_datetime(get(obj, "DateChanged")),
    )


# --- Invoices ----------------------------------------------------------------------------------


def row_out(row: InvoiceRow) -> dict:
    return compact(
        {
            "ProductId": row.product_id,
            "RowId": row.row_id,
            "Price": money(row.price),
            "Name": row.name,
            "DiscountRate": money(row.discount_rate),
            "Quantity": money(row.quantity),
            "ChangeState": row.change_state,
            "TypeGroupId": row.type_group_id,
            "SequenceNumber": row.sequence_number,
            "Type": row.type,
            "AccrualDate": out_datetime(row.accrual_date),
            "AccrualLength": row.accrual_length,
            "ProjectId": row.project_id,
            "DepartmentId": row.department_id,
            "TaxSettings": {"TaxCode": row.tax_code} if row.tax_code is not None else None,
        }
    )


def row_in(obj: Any) -> InvoiceRow:
    return InvoiceRow(
        product_id=read_int(get(obj, "ProductId")),
        name=read_str(get(obj, "Name")),
        quantity=read_decimal(get(obj, "Quantity")),
        price=read_decimal(get(obj, "Price")),
        discount_rate=read_decimal(get(obj, "DiscountRate")),
        type=read_str(get(obj, "Type")),
        row_id=read_int(get(obj, "RowId")),
        change_state=read_str(get(obj, "ChangeState")),
        sequence_number=read_int(get(obj, "SequenceNumber")),
        project_id=read_int(get(obj, "ProjectId")),
        department_id=read_int(get(obj, "DepartmentId")),
        tax_code=read_int(get(get(obj, "TaxSettings"), "TaxCode")),
        type_group_id=read_int(get(obj, "TypeGroupId")),
        accrual_date=read_date(get(obj, "AccrualDate")),
        accrual_length=read_int(get(obj, "AccrualLength")),
        vat_rate=read_decimal(get(obj, "VatRate")),
        product_no=read_str(get(obj, "ProductNo")),
    )


def invoice_out(order: InvoiceOrder) -> dict:
    # InvoiceId is never sent: 24SO always assigns it. Read-only totals are not sent either.
    return compact(
        {
            "OrderId": order.order_id,
            "CustomerId": order.customer_id,
            "CustomerName": order.customer_name,
            "OrderStatus": order.order_status,
            "DateOrdered": out_datetime(order.date_ordered),
            "PaymentTime": order.payment_time,
            "CustomerReferenceNo": order.customer_reference_no,
            "ProjectId": order.project_id,
            "OurReference": order.our_reference,
            "IncludeVAT": order.include_vat,
            "YourReference": order.your_reference,
            "InvoiceTitle": order.invoice_title,
            "InvoiceText": order.invoice_text,
            "OCR": order.ocr,
            "CustomerOrgNo": order.customer_org_no,
            "Currency": {"Symbol": order.currency} if order.currency else None,
            "PaymentAmount": money(order.payment_amount),
            "TypeOfSaleId": order.type_of_sale_id,
            "DistributionMethod": order.distribution_method,
            "DepartmentId": order.department_id,
            "ExternalStatus": order.external_status,
            "InvoiceEmailAddress": order.invoice_email_address,
            "InvoiceRows": {"InvoiceRow": [row_out(r) for r in order.rows]} if order.rows else None,
            "DeliveryDate": out_datetime(order.delivery_date),
            "ReferenceInvoiceId": order.reference_invoice_id,
            "ReferenceOrderId": order.reference_order_id,
            "ReferenceNumber": order.reference_number,
        }
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
    return InvoiceOrder(
        customer_id=read_int(get(obj, "CustomerId")),
        order_id=read_int(get(obj, "OrderId")),
        order_status=read_str(get(obj, "OrderStatus")),
        rows=tuple(row_in(r) for r in items(get(obj, "InvoiceRows"), "InvoiceRow")),
        invoice_id=read_int(get(obj, "InvoiceId")),
        date_ordered=read_date(get(obj, "DateOrdered")),
        date_invoiced=read_date(get(obj, "DateInvoiced")),
        delivery_date=read_date(get(obj, "DeliveryDate")),
        payment_time=read_int(get(obj, "PaymentTime")),
        customer_name=read_str(get(obj, "CustomerName")),
        customer_org_no=read_str(get(obj, "CustomerOrgNo")),
        our_reference=read_int(get(obj, "OurReference")),
        your_reference=read_str(get(obj, "YourReference")),
        customer_reference_no=read_str(get(obj, "CustomerReferenceNo")),
        reference_number=read_str(get(obj, "ReferenceNumber")),
        invoice_title=read_str(get(obj, "InvoiceTitle")),
        invoice_text=read_str(get(obj, "InvoiceText")),
        invoice_email_address=read_str(get(obj, "InvoiceEmailAddress")),
        external_status=read_int(get(obj, "ExternalStatus")),
        project_id=read_int(get(obj, "ProjectId")),
        department_id=read_int(get(obj, "DepartmentId")),
        type_of_sale_id=read_int(get(obj, "TypeOfSaleId")),
        include_vat=get(obj, "IncludeVAT"),
        currency=read_str(get(get(obj, "Currency"), "Symbol")),
        ocr=read_str(get(obj, "OCR")),
        distribution_method=read_str(get(obj, "DistributionMethod")),
        reference_invoice_id=read_int(get(obj, "ReferenceInvoiceId")),
        reference_order_id=read_int(get(obj, "ReferenceOrderId")),
        order_total_inc_vat=read_decimal(get(obj, "OrderTotalIncVat")),
        order_total_vat=read_decimal(get(obj, "OrderTotalVat")),
        paid=read_date(get(obj, "Paid")),  # 0001-01-01 = not paid
        date_changed=read_datetime(get(obj, "DateChanged")),
    )


# --- Accounting --------------------------------------------------------------------------------


def entry_out(entry: Entry) -> dict:
    return compact(
        {
            "CustomerId": entry.customer_id,
            "AccountNo": entry.account_no,
            "Date": out_datetime(entry.date),
            "DueDate": out_datetime(entry.due_date),
            "Amount": money(entry.amount),
            "VatAmount": money(entry.vat_amount),
            "CurrencyId": entry.currency_id,
            "CurrencyRate": rate(entry.currency_rate),
            "CurrencyUnit": entry.currency_unit,
            "DepartmentId": entry.department_id,
            "ProjectId": entry.project_id,
            "InvoiceReferenceNo": entry.invoice_reference_no,
            "InvoiceOcr": entry.invoice_ocr,
            "TaxNo": entry.tax_no,
            "PeriodDate": out_datetime(entry.period_date),
            "Comment": entry.comment,
            "StampNo": entry.stamp_no,
            "BankAccountNo": entry.bank_account_no,
            "LinkId": entry.link_id,
        }
    )


def bundle_list_out(bundle_list: BundleList) -> dict:
    bundles = []
    for bundle in bundle_list.bundles:
        vouchers = [
            {
                "TransactionNo": voucher.transaction_no,
                "Entries": {"Entry": [entry_out(e) for e in voucher.entries]},
                "Sort": voucher.sort,
            }
            for voucher in bundle.vouchers
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


def account_in(obj: Any) -> Account:
    return Account(
        no=read_int(get(obj, "AccountNo")),
        name=read_str(get(obj, "AccountName")),
        id=read_int(get(obj, "AccountId")),
        tax_id=read_int(get(obj, "AccountTax")),
        tax_no=read_int(get(obj, "TaxNo")),
    )


def tax_code_in(obj: Any) -> TaxCode:
    return TaxCode(
        id=read_int(get(obj, "TaxId")),
        no=read_str(get(obj, "TaxNo")),
        name=read_str(get(obj, "TaxName")),
        rate=read_decimal(get(obj, "TaxRate")),
        account_no=read_int(get(obj, "AccountNo")),
    )


def entry_type_in(obj: Any) -> EntryType:
    return EntryType(
        type_id=read_int(get(obj, "TypeId")),
        type_no=read_int(get(obj, "TypeNo")),
        entry_series_id=read_int(get(obj, "EntrySeriesId")),
        title=read_str(get(obj, "Title")),
    )


def fiscal_year_in(obj: Any) -> FiscalYear:
    return FiscalYear(
        id=read_guid(get(obj, "Id")),
        start=read_date(get(obj, "StartingDate")),
        end=read_date(get(obj, "EndingDate")),
        is_locked=read_bool(get(obj, "IsLocked")),
    )


def transaction_type_in(obj: Any) -> TransactionType:
    return TransactionType(
        id=read_int(get(obj, "Id")),
        no=read_int(get(obj, "No")),
        title=read_str(get(obj, "Title")),
        turnover=read_bool(get(obj, "Turnover")),
    )


def dimension_in(obj: Any) -> Dimension:
    return Dimension(
        type=read_str(get(obj, "Type")),
        value=read_str(get(obj, "Value")),
        name=read_str(get(obj, "Name")),
        percent=read_decimal(get(obj, "Percent")),
        type_id=read_int(get(obj, "TypeId")),
    )


def transaction_in(obj: Any) -> Transaction:
    return Transaction(
        date=read_date(get(obj, "Date")),
        account_no=read_int(get(obj, "AccountNo")),
        amount=read_decimal(get(obj, "Amount")),
        transaction_no=read_int(get(obj, "TransactionNo")),
        transaction_type_id=read_int(get(obj, "TransactionTypeId")),
        id=read_guid(get(obj, "Id")),
        system_type=read_str(get(obj, "SystemType")),
        invoice_no=read_str(get(obj, "InvoiceNo")),
        ocr=read_str(get(obj, "OCR")),
        comment=read_str(get(obj, "Comment")),
        currency=read_str(get(obj, "Currency")),
        currency_rate=read_decimal(get(obj, "CurrencyRate")),
        currency_unit=read_int(get(obj, "CurrencyUnit")),
        stamp_no=read_int(get(obj, "StampNo")),
        period=read_int(get(obj, "Period")),
        vat_code=read_int(get(obj, "VatCode")),
        link_id=read_int(get(obj, "LinkId")),
        sequence_no=read_int(get(obj, "SequenceNo")),
        due_date=read_date(get(obj, "DueDate")),
        registration_date=read_datetime(get(obj, "RegistrationDate")),
        date_changed=read_datetime(get(obj, "DateChanged")),
        period_date=read_date(get(obj, "PeriodDate")),
        hidden=read_bool(get(obj, "Hidden")),
        open=read_bool(get(obj, "Open")),
        dimensions=tuple(dimension_in(d) for d in items(get(obj, "Dimensions"), "Dimension")),
    )


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


def client_info_in(obj: Any) -> ClientInfo:
    addresses, emails, phones = get(obj, "AddressList"), get(obj, "EmailAddressList"), get(obj, "PhoneNumberList")
    return ClientInfo(
        name=read_str(get(obj, "Name")),
        organization_number=read_str(get(obj, "OrganizationNumber")),
        country=read_str(get(obj, "Country")),
        default_currency=read_str(get(obj, "DefaultCurrency")),
        bank_account=read_str(get(obj, "BankAccount")),
        iban=read_str(get(obj, "IBAN")),
        swift=read_str(get(obj, "Swift")),
        user_id=read_int(get(obj, "UserId")),
        email=read_str(get(get(emails, "Primary"), "Value")),
        phone=read_str(get(get(phones, "Primary"), "Value")),
        post_address=address_in(get(addresses, "Post")),
    )


def department_in(obj: Any) -> Department:
    return Department(
        id=read_int(get(obj, "Id")),
        name=read_str(get(obj, "Name")),
        email=read_str(get(obj, "Email")),
        phone=read_str(get(obj, "Phone")),
    )


def vat_type_in(obj: Any) -> VatType:
    return VatType(no=read_int(get(obj, "No")), name=read_str(get(obj, "Name")), rate=read_decimal(get(obj, "Rate")))
