"""InvoiceService: orders and outgoing invoices (research section 3)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from ..contract import INVOICE
from ..ledger import CENT, post_sales_invoice
from ..pdf import text_pdf
from ..reference import DEFAULT_SALES_TAX_NO, DEPARTMENT_IDS, EMPLOYEE_IDS, tax_code
from ..state import ClientData, utc_now
from .base import CallContext, SoapFault, operation
from .records import RecordError, check_lengths, matches, merge, save_each, select_properties

ORDER_LENGTH_CAPS = {
    "CustomerName": 100, "CustomerDeliveryName": 250, "DeliveryAlternative": 250, "YourReference": 50,
    "InvoiceTitle": 300, "InvoiceText": 750, "OCR": 32, "CustomerOrgNo": 20, "ReferenceNumber": 50,
    "ProductionNumber": 20, "InvoiceEmailAddress": 250, "GLNNumber": 13,
}
ROW_LENGTH_CAPS = {"Name": 300}
INVOICED = "Invoiced"
# Assigned or computed by 24SO; values sent by a client are ignored.
READ_ONLY_FIELDS = (
    "APIException", "InvoiceId", "DateInvoiced", "DateChanged", "OrderTotalIncVat", "OrderTotalVat", "Paid",
    "PaymentAmount", "InvoiceRows", "OrderId",
)
UPDATABLE_ON_INVOICES = ("InvoiceTitle", "ReferenceNumber")


def _check_exists(data: ClientData, record: dict[str, Any], where: str = "") -> None:
    project_id, department_id = record.get("ProjectId"), record.get("DepartmentId")
    if project_id is not None and project_id not in data.projects:
        raise RecordError(f"{where}ProjectId {project_id} does not exist.", "NotFoundException")
    if department_id is not None and department_id not in DEPARTMENT_IDS:
        raise RecordError(f"{where}DepartmentId {department_id} does not exist.", "NotFoundException")


def _vat_rate(row: dict[str, Any], product: dict[str, Any] | None) -> Decimal:
    """Row TaxSettings win over the product's rate; otherwise the standard sales rate."""
    settings = row.get("TaxSettings") or {}
    if settings.get("TaxRate") is not None:
        return settings["TaxRate"]
    if settings.get("TaxCode") is not None:
        code = tax_code(settings["TaxCode"])
        if code is None:
            raise RecordError(f"TaxCode {settings['TaxCode']} does not exist.", "NotFoundException")
        return code.rate
    if product and product.get("TaxRate") is not None:
        return product["TaxRate"]
    return tax_code(DEFAULT_SALES_TAX_NO).rate


def _build_row(data: ClientData, row: dict[str, Any], row_id: int, number: int) -> dict[str, Any]:
    where = f"Row {number}: "
    check_lengths(row, ROW_LENGTH_CAPS)
    row = {k: v for k, v in row.items() if k not in ("ChangeState", "VatRate", "ProductNo")}
    row_type = row.setdefault("Type", "Normal")
    product = None
    if row_type == "Normal":
        product_id = row.get("ProductId")
        if product_id is None:
            raise RecordError(f"{where}a Normal row needs a ProductId.")
        product = data.products.get(product_id)
        if product is None:
            raise RecordError(f"{where}ProductId {product_id} does not exist.", "NotFoundException")
        row.setdefault("Name", product.get("Name"))
        if row.get("Price") is None:
            row["Price"] = product.get("Price") or Decimal(0)
        if row.get("Quantity") is None:
            row["Quantity"] = Decimal(1)  # inferred default
        row["ProductNo"] = product.get("No")
        row["VatRate"] = _vat_rate(row, product)
    _check_exists(data, row, where)
    row["RowId"] = row_id
    return row


def _apply_rows(data: ClientData, stored_rows: list[dict], sent_rows: list[dict] | None) -> list[dict]:
    """ChangeState Add/Edit/Delete edits rows by RowId; rows without a known RowId are added."""
    rows = {row["RowId"]: row for row in stored_rows}
    next_row_id = max(rows, default=0) + 1
    for number, row in enumerate(sent_rows or [], start=1):
        state, row_id = row.get("ChangeState") or "None", row.get("RowId")
        if state in ("Edit", "Delete") and row_id not in rows:
            raise RecordError(f"Row {number}: RowId {row_id} does not exist on this order.", "NotFoundException")
        if state == "Delete":
            del rows[row_id]
        elif state == "Edit":
            rows[row_id] = _build_row(data, merge(rows[row_id], row), row_id, number)
        elif row_id in rows and state == "None":
            continue  # unchanged row sent back as it was
        else:
            rows[next_row_id] = _build_row(data, row, next_row_id, number)
            next_row_id += 1
    return list(rows.values())


def _totals(rows: list[dict], include_vat: bool | None) -> tuple[Decimal, Decimal]:
    """(total incl. VAT, VAT) from price x quantity x (1 - discount%) per Normal row."""
    net_total, vat_total = Decimal(0), Decimal(0)
    for row in rows:
        if row.get("Type") != "Normal":
            continue
        discount = row.get("DiscountRate") or Decimal(0)  # a percentage (inferred)
        amount = row["Price"] * row["Quantity"] * (1 - discount / 100)
        rate = row["VatRate"] / 100
        net = amount / (1 + rate) if include_vat else amount
        net_total += net.quantize(CENT)
        vat_total += (net * rate).quantize(CENT)
    return net_total + vat_total, vat_total


def _save_order(data: ClientData, order: dict[str, Any]) -> dict[str, Any]:
    check_lengths(order, ORDER_LENGTH_CAPS)
    order_id = order.get("OrderId")
    fields = {k: v for k, v in order.items() if k not in READ_ONLY_FIELDS}
    if order_id is not None:
        existing = data.orders.get(order_id)
        if existing is None:
            raise RecordError(f"Order {order_id} does not exist.", "NotFoundException")
        if existing.get("InvoiceId") is not None:
            raise RecordError(
                f"Order {order_id} is invoiced (InvoiceId {existing['InvoiceId']}) and can not be changed.",
                "InvalidOperationException",
            )
        stored = merge(existing, fields)
        rows = _apply_rows(data, existing.get("InvoiceRows") or [], order.get("InvoiceRows"))
    else:
        stored = {"OrderStatus": "Web", **fields}
        rows = _apply_rows(data, [], order.get("InvoiceRows"))

    customer = data.companies.get(stored.get("CustomerId"))
    if customer is None:
        raise RecordError(f"CustomerId {stored.get('CustomerId')} does not exist.", "NotFoundException")
    _check_exists(data, stored)
    for name in ("OurReference", "ProductionManagerId"):
        if stored.get(name) is not None and stored[name] not in EMPLOYEE_IDS:
            raise RecordError(f"{name} {stored[name]} is not an employee.", "NotFoundException")
    stored.setdefault("CustomerName", customer.get("Name"))
    if customer.get("OrganizationNumber"):
        stored.setdefault("CustomerOrgNo", customer["OrganizationNumber"])

    now = utc_now()
    stored["InvoiceRows"] = rows
    stored["OrderTotalIncVat"], stored["OrderTotalVat"] = _totals(rows, stored.get("IncludeVAT"))
    stored.setdefault("DateOrdered", datetime.combine(now.date(), time()))
    if order_id is None:
        stored["OrderId"] = data.next_id("order")
        stored["_registered"] = now
    if stored.get("OrderStatus") == INVOICED:
        stored["InvoiceId"] = data.next_invoice_id()  # always from the series: a sent InvoiceId is ignored
        stored["DateInvoiced"] = datetime.combine(now.date(), time())
        post_sales_invoice(data, stored)
    stored["DateChanged"] = now
    data.orders[stored["OrderId"]] = stored
    return dict(stored)


@operation(INVOICE, "SaveInvoices", writes=True)
def save_invoices(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    data = ctx.data
    return {"SaveInvoicesResult": save_each(request.get("invoices") or [], lambda o: _save_order(data, o))}


def _find_order(data: ClientData, order: dict[str, Any]) -> dict[str, Any]:
    if order.get("OrderId") is not None:
        found = data.orders.get(order["OrderId"])
    else:
        found = next((o for o in data.orders.values() if o.get("InvoiceId") == order.get("InvoiceId")), None)
    if found is None or (order.get("InvoiceId") is not None and found.get("InvoiceId") != order["InvoiceId"]):
        raise RecordError("The order or invoice does not exist.", "NotFoundException")
    return found


def _update_order(data: ClientData, order: dict[str, Any]) -> dict[str, Any]:
    check_lengths(order, ORDER_LENGTH_CAPS)
    stored = _find_order(data, order)
    others = sorted(k for k, v in order.items() if v is not None and k not in (*UPDATABLE_ON_INVOICES, "OrderId", "InvoiceId"))
    if others:
        raise RecordError(
            f"UpdateInvoices can only change {' and '.join(UPDATABLE_ON_INVOICES)}; not {', '.join(others)}.",
            "InvalidOperationException",
        )
    stored.update({k: order[k] for k in UPDATABLE_ON_INVOICES if order.get(k) is not None})
    stored["DateChanged"] = utc_now()
    return dict(stored)


@operation(INVOICE, "UpdateInvoices", writes=True)
def update_invoices(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    data = ctx.data
    return {"UpdateInvoicesResult": save_each(request.get("invoices") or [], lambda o: _update_order(data, o))}


def _matches(order: dict[str, Any], search: dict[str, Any]) -> bool:
    return matches(search, {
        "CustomerIds": lambda v: order["CustomerId"] in v,
        "ChangedAfter": lambda v: order["DateChanged"] > v,
        "OrderStates": lambda v: order.get("OrderStatus") in v,
        "InvoiceIds": lambda v: order.get("InvoiceId") in v,
        "OrderIds": lambda v: order["OrderId"] in v,
        "ExternalStatus": lambda v: order.get("ExternalStatus") in v,
    })


def _shape(order: dict[str, Any], properties: list[str] | None, row_properties: list[str] | None) -> dict:
    shaped = select_properties(order, properties)
    if properties and "InvoiceRows" in shaped:
        shaped["InvoiceRows"] = [select_properties(row, row_properties) for row in order.get("InvoiceRows") or []]
    return shaped


@operation(INVOICE, "GetInvoices")
def get_invoices(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    search = request.get("searchParams") or {}
    properties, row_properties = request.get("invoiceReturnProperties"), request.get("rowReturnProperties")
    found = sorted((o for o in ctx.data.orders.values() if _matches(o, search)), key=lambda o: o["OrderId"])
    return {"GetInvoicesResult": [_shape(o, properties, row_properties) for o in found]}


@operation(INVOICE, "GetOrderSyncList")
def get_order_sync_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    params = request.get("syncParams") or {}
    changed_after, registered_after = params.get("ChangedAfter"), params.get("RegisteredAfter")
    return {
        "GetOrderSyncListResult": sorted(
            o["OrderId"] for o in ctx.data.orders.values()
            if (changed_after is None or o["DateChanged"] > changed_after)
            and (registered_after is None or o["_registered"] > registered_after)
        )
    }


@operation(INVOICE, "GetInvoiceDocument")
def get_invoice_document(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    invoice_id = (request.get("Parameters") or {}).get("InvoiceId")
    order = next((o for o in ctx.data.orders.values() if o.get("InvoiceId") == invoice_id), None)
    if order is None:
        raise SoapFault(f"Invoice {invoice_id} does not exist.")
    lines = [
        f"{ctx.identity.name} - Faktura {order['InvoiceId']}",
        f"Kunde: {order.get('CustomerName') or order['CustomerId']}",
        f"Fakturadato: {order['DateInvoiced'].date().isoformat()}",
        *(f"{row.get('Name') or ''}  {row.get('Quantity') or ''} x {row.get('Price') or ''}"
          for row in order.get("InvoiceRows") or []),
        f"Totalt inkl. mva: {order['OrderTotalIncVat']}  herav mva: {order['OrderTotalVat']}",
    ]
    return {"GetInvoiceDocumentResult": text_pdf(lines)}
