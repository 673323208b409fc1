"""Read-side helpers for the browser: the filtered invoice overview and the export preview."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch

from exports.models import (
    LIVE_STATUSES,
    InvoiceSeriesCheck,
    BindingKind,
    ExportItem,
    ExportStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SentAs,
    SevenOfficeBinding,
)
from exports.transfer import RECONCILE_PROPERTIES, document_route, hub_reference, orders_sent_by_hub
from exports.revenue_accounts import revenue_account_resolver
from exports.sync import client_for
from exports.vouchers import fiscal_year_problem, rate_text
from sevenoffice.errors import SevenOfficeError
from tenants.services import credential_identity, credentials_by_department, integration_settings

NOT_EXPORTED = "not_exported"
FILTER_NAMES = ("department", "customer", "number", "date_from", "date_to", "status")
STATUS_FILTERS = [(NOT_EXPORTED, "Not exported")] + list(ExportStatus.choices)
PREVIEW_DETAIL_LIMIT = 200  # rows shown in full on the confirmation page
PREVIEW_24SO_TIMEOUT = 5.0  # seconds: the confirmation page must not hang on a slow 24SO


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
    sent_as: str = SentAs.INVOICE
    revenue_accounts: list[str] = field(default_factory=list)  # vouchers: "3000 (25 %)" per VAT rate

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def certain_failures(tenant, invoices) -> dict[str, int]:
    """For a whole selection (however large), how many will certainly not reach 24SO, in two queries."""
    serving = credentials_by_department(tenant)
    uncovered = [department_id for department_id, credential in serving.items() if credential is None]
    # Not certain (the password may have been fixed in 24SO since), but worth flagging.
    failing = [department_id for department_id, c in serving.items() if c is not None and c.last_test_ok is False]
    return {
        "no_credential": invoices.filter(department_id__in=uncovered).count(),
        "failed_test": invoices.filter(department_id__in=failing).count(),
        "already_exported": invoices.filter(
            Exists(ExportItem.objects.filter(invoice=OuterRef("pk"), status__in=LIVE_STATUSES))
        ).count(),
    }


def export_preview(tenant, invoice_ids) -> list[PreviewRow]:
    """What an export of these invoices will do in 24SO, from what the hub knows, in a fixed
    number of queries: customers and products to be created, totals, and certain failures.
    Meant for a page's worth of invoices; use certain_failures for a whole large selection."""
    invoices = list(
        Invoice.objects.filter(tenant=tenant, pk__in=list(invoice_ids))
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
    # Only the bindings these invoices can use: their customers and product numbers.
    integration = integration_settings(tenant)
    generic = integration.generic_product_name.strip()
    keys = {str(i.customer_id) for i in invoices} | {line.product_number for i in invoices for line in i.lines.all()}
    bound = set(
        SevenOfficeBinding.objects.filter(
            tenant=tenant, sevenoffice_id__isnull=False,
            kind__in=(BindingKind.CUSTOMER, BindingKind.PRODUCT, BindingKind.GENERIC_PRODUCT), key__in=keys | {generic},
        ).values_list("identity_id", "kind", "key")
    )
    selected = {i.pk for i in invoices}
    credited_done = set(
        ExportItem.objects.filter(
            invoice_id__in=[i.credits_id for i in invoices if i.credits_id], status=ExportStatus.DONE
        ).values_list("invoice_id", flat=True)
    )
    rows = []
    revenue_account = None  # the voucher rules, read once when a row needs them
    for invoice in invoices:
        credential = serving.get(invoice.department_id)
        identity = credential.identity_id if credential else None
        lines = list(invoice.lines.all())
        route = document_route(invoice, integration)
        if route == SentAs.VOUCHER:  # posted to accounts: no products in 24SO
            new_products = []
        elif route == SentAs.ORDER and generic:  # every row uses the one generic product
            new_products = [] if (identity, BindingKind.GENERIC_PRODUCT, generic) in bound else [generic]
        else:
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
            sent_as=route,
        )
        if route == SentAs.VOUCHER:
            revenue_account = revenue_account or revenue_account_resolver(tenant, integration.revenue_account)
            rates = sorted({line.vat_rate.normalize() for line in lines if line.net_amount}, reverse=True)
            row.revenue_accounts = [f"{revenue_account(invoice.department_id, r)} ({rate_text(r)} %)" for r in rates]
        if credential is None:
            row.problems.append(f"Department {invoice.department.code} has no 24SevenOffice credential: login error.")
        elif credential.last_test_ok is False:
            row.problems.append(
                f"Department {invoice.department.code} has no working credential: the last connection test of "
                f"{credential.username} failed. Expect a login error unless that is fixed."
            )
        if invoice.pk in live:
            row.problems.append(f"Already exported in export {live[invoice.pk]}: will be marked duplicate.")
        if invoice.credits_id and invoice.credits_id not in credited_done and invoice.credits_id not in selected:
            row.problems.append(
                f"Credits invoice {invoice.credits.number}, which is not in 24SevenOffice: export it too, or first."
            )
        rows.append(row)
    return rows


def route_summary(rows: list[PreviewRow]) -> list[str]:
    """How the previewed invoices go to 24SO, e.g. ["3 as vouchers"], most first."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.sent_as] = counts.get(row.sent_as, 0) + 1
    labels = dict(SentAs.choices)
    return [f"{n} as {labels[route].lower()}{'s' if n != 1 else ''}"
            for route, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def preview_check_24so(rows: list[PreviewRow]) -> list[str]:
    """Ask 24SO what the rows' routes need, at most one call per credential and route:
    invoices, which of their numbers it already holds; vouchers, whether their accounting
    years exist and are open. Orders get their number only when published in 24SO, so
    nothing is compared for them. Returns notes for the page when 24SO could not be asked."""
    asked = [row for row in rows if row.credential is not None and not row.problems]
    notes = _check_invoice_numbers([row for row in asked if row.sent_as == SentAs.INVOICE])
    notes += _check_voucher_years([row for row in asked if row.sent_as == SentAs.VOUCHER])
    notes += _series_notes([row for row in rows if row.credential is not None and row.sent_as == SentAs.VOUCHER])
    return notes


def _by_credential(rows) -> list[list[PreviewRow]]:
    groups: dict[int, list[PreviewRow]] = {}
    for row in rows:
        groups.setdefault(row.credential.pk, []).append(row)
    return list(groups.values())


def _check_voucher_years(rows: list[PreviewRow]) -> list[str]:
    """One GetFiscalYears per 24SO client: a voucher dated in a missing or locked year fails."""
    notes = []
    for group in _by_credential(rows):
        credential = group[0].credential
        try:
            years = client_for(credential, timeout=PREVIEW_24SO_TIMEOUT).get_fiscal_years()
        except SevenOfficeError as exc:
            notes.append(f"24SevenOffice could not be asked about {credential.username}'s accounting years now "
                         f"({exc}); the export checks them before sending anything.")
            continue
        known = {fy.start.year: fy for fy in years if fy.start is not None}
        for row in group:
            if problem := fiscal_year_problem(row.invoice.invoice_date.year, known, credential.username):
                row.problems.append(f"{problem[0]}: will fail with nothing sent. {problem[1]} first.")
    return notes


def _series_notes(rows: list[PreviewRow]) -> list[str]:
    """The last stored invoice series check of the clients these vouchers go to (no call)."""
    credential_ids = {row.credential.pk for row in rows}
    checks = InvoiceSeriesCheck.objects.filter(credential_id__in=credential_ids).order_by("departments")
    return [f"Invoice series for {check.departments}: {check.message}" for check in checks if check.needs_fix]


def _check_invoice_numbers(rows: list[PreviewRow]) -> list[str]:
    """Ask 24SO, once per credential, which of these invoice numbers it already holds."""
    notes = []
    for group in _by_credential(rows):
        credential = group[0].credential
        client = client_for(credential, timeout=PREVIEW_24SO_TIMEOUT)
        try:
            found = client.get_invoices(
                invoice_ids=[row.invoice.number for row in group], invoice_properties=RECONCILE_PROPERTIES,
                row_properties=(),
            )
        except SevenOfficeError as exc:
            notes.append(f"24SevenOffice could not be asked about {credential.username}'s invoices now ({exc}); "
                         "the export checks again before sending anything.")
            continue
        hub_orders = orders_sent_by_hub(credential_identity(credential), [o.order_id for o in found])
        held = {order.invoice_id: order for order in found if order.order_id not in hub_orders}
        for row in group:
            order = held.get(row.invoice.number)
            if order is None:
                continue
            if order.reference_number == hub_reference(row.invoice):
                row.problems.append("24SevenOffice already has this invoice from the hub: it will not be sent again.")
            else:
                row.problems.append(
                    f"24SevenOffice already has another invoice numbered {row.invoice.number}: will be a duplicate."
                )
    return notes
