"""The hub's printable copy of an invoice or credit note.

24SO takes no attachments on vouchers, so when invoices are posted as vouchers this page is
where an accountant sees the document behind a voucher. Its amounts come from the same
computation as the voucher's, so the two always agree."""

from django.shortcuts import render

from exports.amounts import invoice_amounts
from exports.models import ExportItem, ExportStatus, Invoice, InvoiceLine
from tenants.access import get_for_tenant_or_404, role_required
from tenants.models import Role

READERS = (Role.ADMIN, Role.ACCOUNTANT, Role.OPS)


@role_required(*READERS)
def invoice_copy(request, pk):
    invoice = get_for_tenant_or_404(
        Invoice.objects.select_related("tenant", "department", "customer", "project", "credits"), request.tenant, pk=pk
    )
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position"))
    context = {
        "invoice": invoice,
        # A credit note's lines are negative however the source signed them, as in its totals.
        "rows": [(line, -abs(line.net_amount) if invoice.is_credit_note else line.net_amount) for line in lines],
        "amounts": invoice_amounts(invoice),
        "posted": ExportItem.objects.filter(invoice=invoice, status=ExportStatus.DONE).first(),
    }
    return render(request, "exports/invoice_copy.html", context)
