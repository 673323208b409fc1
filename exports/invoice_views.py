"""One invoice in the browser (its lines, exports and payment status) and the *Check status*
buttons that ask 24SO about payments at once, on the invoice and on a receipt."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from exports import payments
from exports.models import ExportBatch, ExportItem, Invoice, InvoiceLine
from exports.views import RECEIPT_READERS
from tenants.access import get_for_tenant_or_404, role_required

PAYMENT_CHECKERS = RECEIPT_READERS  # accountants, ops and admins may ask 24SO


@role_required(*RECEIPT_READERS)
def invoice_detail(request, pk):
    invoice = get_for_tenant_or_404(
        Invoice.objects.select_related("department", "customer", "project", "credits").prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")),
        ),
        request.tenant, pk=pk,
    )
    lines = list(invoice.lines.all())
    context = {
        "invoice": invoice,
        "lines": lines,
        "net_total": sum((line.net_amount for line in lines), 0),
        "vat_total": sum((line.vat_amount for line in lines), 0),
        "exports": ExportItem.objects.filter(invoice=invoice).select_related("batch").order_by("-pk"),
        "can_check": request.user.membership.role in PAYMENT_CHECKERS,
    }
    context["gross_total"] = context["net_total"] + context["vat_total"]
    return render(request, "exports/invoice_detail.html", context)


@require_POST
@role_required(*PAYMENT_CHECKERS)
def invoice_check_payment(request, pk):
    invoice = get_for_tenant_or_404(Invoice.objects.all(), request.tenant, pk=pk)
    report = payments.payments_check(invoices=[invoice])
    if report.not_exported:
        messages.error(request, f"Invoice {invoice.number} was never exported to 24SevenOffice; nothing to check.")
    else:
        _tell(request, report)
    return redirect("invoice-detail", pk=invoice.pk)


@require_POST
@role_required(*PAYMENT_CHECKERS)
def receipt_check_payment(request, pk):
    batch = get_for_tenant_or_404(ExportBatch.objects.all(), request.tenant, pk=pk)
    report = payments.payments_check_batch(batch=batch)
    if not (report.checked or report.errors):
        messages.error(request, "No invoice of this export reached 24SevenOffice; nothing to check.")
    else:
        _tell(request, report)
    return redirect("receipt", pk=batch.pk)


def _tell(request, report: payments.PaymentCheck) -> None:
    if report.checked:
        messages.success(
            request, f"24SevenOffice answered for {len(report.checked)} invoice(s); {len(report.changed)} changed."
        )
    for message in sorted(set(report.errors.values())):
        count = sum(1 for m in report.errors.values() if m == message)
        messages.error(request, f"{count} invoice(s) not checked: {message}")
