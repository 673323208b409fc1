"""Invoice overview, export confirmation, and the live receipt."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from exports import overview, transfer
from exports.models import ExportBatch, ExportItem, ExportStatus, Invoice, SentAs
from tenants.access import get_for_tenant_or_404, role_required
from tenants.models import AuditAction, PostingMode, Role
from tenants.services import audit_record, integration_settings

EXPORTERS = (Role.ADMIN, Role.ACCOUNTANT)
RECEIPT_READERS = (Role.ADMIN, Role.ACCOUNTANT, Role.OPS)
PAGE_SIZE = 50
RECEIPT_PAGE_SIZE = 100  # rows per receipt page: rendering is what its server time grows with
RECEIPT_UPDATE_MAX = 500  # items per live update; more follow in the next one


@role_required(*RECEIPT_READERS)
def invoice_list(request):
    invoices, chosen = overview.invoice_filter(request.tenant, request.GET)
    page = Paginator(
        invoices.select_related("department", "customer").order_by("-invoice_date", "-number"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    latest = overview.latest_export_status([i.pk for i in page])
    rows = [(invoice, latest.get(invoice.pk)) for invoice in page]
    context = {
        "page": page,
        "rows": rows,
        "chosen": chosen,
        "query": "&".join(f"{k}={v}" for k, v in chosen.items()),
        "departments": request.tenant.departments.all(),
        "status_filters": overview.STATUS_FILTERS,
        "can_export": request.user.membership.role in EXPORTERS and integration_settings(request.tenant).exports_allowed,
    }
    return render(request, "exports/invoice_list.html", context)


def _selection(request):
    """The ticked invoices, or with 'select all matching' every invoice the filters match
    (less the ones unticked on the confirmation page), as a queryset."""
    if request.POST.get("select_all_matching"):
        invoices, _ = overview.invoice_filter(request.tenant, request.POST)
        excluded = [int(pk) for pk in request.POST.getlist("exclude") if pk.isdigit()]
        return invoices.exclude(pk__in=excluded)
    ids = [int(pk) for pk in request.POST.getlist("invoice") if pk.isdigit()]
    return Invoice.objects.filter(tenant=request.tenant, pk__in=ids)


def _exports_allowed_or_redirect(request):
    if integration_settings(request.tenant).exports_allowed:
        return None
    messages.error(request, "24SevenOffice is not switched on as an invoice export option.")
    return redirect("invoice-list")


@require_POST
@role_required(*EXPORTERS)
def export_confirm(request):
    if refusal := _exports_allowed_or_redirect(request):
        return refusal
    selection = _selection(request).order_by("number")
    count = selection.count()
    if not count:
        messages.error(request, "Tick the invoices to export first.")
        return redirect("invoice-list")
    rows = overview.export_preview(request.tenant, selection.values_list("pk", flat=True)[: overview.PREVIEW_DETAIL_LIMIT])
    notes = overview.preview_check_24so(rows)
    select_all = bool(request.POST.get("select_all_matching"))
    context = {
        "rows": rows,
        "count": count,
        "hidden_count": count - len(rows),
        "failing": [row for row in rows if row.problems],
        "certain": overview.certain_failures(request.tenant, selection) if select_all else None,
        "select_all": select_all,
        "filters": {k: v for k, v in request.POST.items() if k in overview.FILTER_NAMES},
        "new_customers": sum(1 for row in rows if not row.customer_known and row.credential),
        "new_products": sorted({p for row in rows if row.credential for p in row.new_products}),
        "total": sum((row.total for row in rows), 0),
        "notes": notes,
        "routes": overview.route_summary(rows),
        "vouchers": any(row.sent_as == SentAs.VOUCHER for row in rows),
    }
    return render(request, "exports/export_confirm.html", context)


@require_POST
@role_required(*EXPORTERS)
def export_start(request):
    if refusal := _exports_allowed_or_redirect(request):
        return refusal
    ids = list(_selection(request).values_list("pk", flat=True))
    if not ids:
        messages.error(request, "No invoices were left to export.")
        return redirect("invoice-list")
    batch = transfer.export_create(tenant=request.tenant, invoices=ids, user=request.user)
    audit_record(tenant=request.tenant, actor=request.user, action=AuditAction.EXPORT_STARTED, target=str(batch), details={"invoices": len(ids)})
    messages.success(request, f"Export {batch.pk} started: {len(ids)} invoice(s) on their way to 24SevenOffice.")
    return redirect("receipt", pk=batch.pk)


@role_required(*RECEIPT_READERS)
def receipt(request, pk):
    batch = get_for_tenant_or_404(ExportBatch.objects.all(), request.tenant, pk=pk)
    now = timezone.now()  # before the rows are read: a change after this comes with the first live update
    status = request.GET.get("status")
    items = ExportItem.objects.filter(batch=batch).select_related("invoice__department").order_by("pk")
    if status in ExportStatus.values:
        items = items.filter(status=status)
    page = Paginator(items, RECEIPT_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page)  # evaluates the page once; the template reuses it
    context = {
        "batch": batch,
        "summary": transfer.export_summary(batch),
        "page": page,
        "status": status,
        "statuses": ExportStatus.choices,
        "can_retry": request.user.membership.role in RECEIPT_READERS,
        "updates_url": reverse("receipt-updates", args=[batch.pk]),
        # Vouchers take no attachments in 24SO: the receipt says so and links the hub's copies.
        "has_vouchers": integration_settings(request.tenant).posting_mode == PostingMode.VOUCHER
        or ExportItem.objects.filter(batch=batch, sent_as=SentAs.VOUCHER).exists(),
        "shown_ids": (shown[0].pk, shown[-1].pk) if shown else None,  # live updates cover these rows only
        "now": now.isoformat(),
    }
    return render(request, "exports/receipt.html", context)


@role_required(*RECEIPT_READERS)
def receipt_updates(request, pk):
    """Counts, and only the items changed since `since` (of the rows shown, ids `first` to
    `last`, when given): what the receipt page polls. When more changed than one answer
    holds, `now` stops at the last item sent, so the rest come with the next poll."""
    batch = get_for_tenant_or_404(ExportBatch.objects.all(), request.tenant, pk=pk)
    now = timezone.now()
    since = parse_datetime(request.GET.get("since", "")) or batch.created_at
    changed = ExportItem.objects.filter(batch=batch, updated_at__gte=since)
    first, last = request.GET.get("first", ""), request.GET.get("last", "")
    if first.isdigit() and last.isdigit():
        changed = changed.filter(pk__range=(int(first), int(last)))
    changed = list(changed.select_related("invoice").order_by("updated_at", "pk")[:RECEIPT_UPDATE_MAX])
    if len(changed) == RECEIPT_UPDATE_MAX and changed[-1].updated_at > since:
        now = changed[-1].updated_at
    return JsonResponse({
        "now": now.isoformat(),
        **transfer.export_summary(batch),
        "items": [
            {
                "id": item.pk, "status": item.status, "label": item.get_status_display(), "message": item.message,
                "sevenoffice_invoice_id": item.sevenoffice_invoice_id, "number_differs": item.number_differs,
                "sent_as": item.sent_as, "sevenoffice_order_id": item.sevenoffice_order_id,
                "sevenoffice_transaction_no": item.sevenoffice_transaction_no,
                "sevenoffice_document": item.sevenoffice_document,
            }
            for item in changed
        ],
    })


@require_POST
@role_required(*RECEIPT_READERS)
def receipt_retry(request, pk):
    batch = get_for_tenant_or_404(ExportBatch.objects.all(), request.tenant, pk=pk)
    item_ids = [int(i) for i in request.POST.getlist("item") if i.isdigit()] or None
    moved = transfer.export_retry(batch=batch, item_ids=item_ids)
    messages.success(request, f"{moved} item(s) queued again.")
    return redirect("receipt", pk=batch.pk)
