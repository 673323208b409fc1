"""Read-side helpers for the browser: the filtered invoice overview and the export preview."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch

from exports.models import (
    LIVE_STATUSES,
    BindingKind,
    ExportItem,
    ExportStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SevenOfficeBinding,
)
from tenants.services import credentials_by_department

NOT_EXPORTED = "not_exported"
STATUS_FILTERS = [(NOT_EXPORTED, "Not exported")] + list(ExportStatus.choices)
PREVIEW_DETAIL_LIMIT = 200  # rows shown in full on the confirmation page


def invoice_filter(tenant, params) -> tuple:
    """Invoices of `tenant` matching the overview's filters, and the cleaned filter values."""
    invoices = Invoice.objects.filter(tenant=tenant)
    chosen = {}
    if department := params.get("department"):
        invoices = invoices.filter(department__code=department)
        chosen["department"] = department
    if customer := params.get("customer", "").strip():
        invoices = invoices.filter(customer__name__icontains=customer)
        chosen["customer"] = customer
    if number := params.get("number", "").strip():
        if number.isdigit():
            invoices = invoices.filter(number=int(number))
            chosen["number"] = number
    for name, lookup in (("date_from", "invoice_date__gte"), ("date_to", "invoice_date__lte")):
        try:
            value = date.fromisoformat(params.get(name, ""))
        except ValueError:
            continue
        invoices = invoices.filter(**{lookup: value})
        chosen[name] = value.isoformat()
    status = params.get("status")
    if status == NOT_EXPORTED:
        live = ExportItem.objects.filter(invoice=OuterRef("pk"), status__in=LIVE_STATUSES)
        invoices = invoices.filter(~Exists(live))
        chosen["status"] = status
    elif status in ExportStatus.values:
        invoices = invoices.filter(Exists(ExportItem.objects.filter(invoice=OuterRef("pk"), status=status)))
        chosen["status"] = status
    return invoices, chosen


def latest_export_status(invoice_ids) -> dict[int, ExportItem]:
    """The most recent export item of each invoice, in one query."""
    latest = {}
    for item in ExportItem.objects.filter(invoice_id__in=invoice_ids).order_by("invoice_id", "-pk"):
        latest.setdefault(item.invoice_id, item)
    return latest


@dataclass
class PreviewRow:
    invoice: Invoice
    department_code: str
    credential: object
    customer_known: bool
    new_products: list[str]
    net: Decimal
    vat: Decimal
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def export_preview(tenant, invoice_ids) -> list[PreviewRow]:
    """What an export of these invoices will do in 24SO, from what the hub knows, in a fixed
    number of queries: customers and products to be created, totals, and certain failures."""
    invoices = list(
        Invoice.objects.filter(tenant=tenant, pk__in=invoice_ids)
        .select_related("department", "customer", "credits")
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")))
        .order_by("number")
    )
    serving = credentials_by_department(tenant)
    live = dict(
        ExportItem.objects.filter(invoice_id__in=[i.pk for i in invoices], status__in=LIVE_STATUSES).values_list(
            "invoice_id", "batch_id"
        )
    )
    bound = set(
        SevenOfficeBinding.objects.filter(tenant=tenant, sevenoffice_id__isnull=False).values_list(
            "identity_id", "kind", "key"
        )
    )
    rows = []
    for invoice in invoices:
        credential = serving.get(invoice.department_id)
        identity = credential.identity_id if credential else None
        lines = list(invoice.lines.all())
        new_products = sorted(
            {line.product_number for line in lines if (identity, BindingKind.PRODUCT, line.product_number) not in bound}
        )
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        row = PreviewRow(
            invoice=invoice,
            department_code=invoice.department.code,
            credential=credential,
            customer_known=(identity, BindingKind.CUSTOMER, str(invoice.customer_id)) in bound,
            new_products=new_products,
            net=sign * sum((abs(line.net_amount) for line in lines), Decimal("0")),
            vat=sign * sum((abs(line.vat_amount) for line in lines), Decimal("0")),
        )
        if credential is None:
            row.problems.append(f"Department {invoice.department.code} has no 24SevenOffice credential: login error.")
        if invoice.pk in live:
            row.problems.append(f"Already exported in export {live[invoice.pk]}: will be marked duplicate.")
        rows.append(row)
    return rows
