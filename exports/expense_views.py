"""Expenses in the browser: the list per project, import now, billable per expense, documents,
and billing expenses on a customer invoice."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from exports import expenses
from exports.api.expenses import attachment_response
from exports.models import EXPENSE_IMPORT_OPEN, Expense, ExpenseImport, Invoice, Project
from tenants.access import get_for_tenant_or_404, role_required
from tenants.models import Role
from tenants.services import integration_settings

EDITORS = (Role.ADMIN, Role.ACCOUNTANT)
READERS = (Role.ADMIN, Role.ACCOUNTANT, Role.OPS)
PAGE_SIZE = 50
BILLING_FILTERS = {"billable": {"billable": True}, "not_billable": {"billable": False},
                   "unbilled": {"billable": True, "invoice_line__isnull": True},
                   "billed": {"invoice_line__isnull": False}}


@role_required(*READERS)
def expense_list(request):
    tenant = request.tenant
    rows = Expense.objects.filter(tenant=tenant).select_related("project__customer", "invoice_line__invoice")
    project = None
    if (project_pk := request.GET.get("project", "")).isdigit():
        project = Project.objects.filter(tenant=tenant, pk=int(project_pk)).select_related("customer").first()
    if project is not None:
        rows = rows.filter(project=project)
    billing = request.GET.get("billing", "")
    if billing in BILLING_FILTERS:
        rows = rows.filter(**BILLING_FILTERS[billing])
    page = Paginator(rows.prefetch_related("attachments").order_by("-invoice_date", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    can_edit = request.user.membership.role in EDITORS
    latest = ExpenseImport.objects.filter(tenant=tenant).first()
    context = {
        "page": page, "project": project, "billing": billing, "billing_filters": BILLING_FILTERS,
        "projects": Project.objects.filter(tenant=tenant, expenses__isnull=False).distinct().order_by("number", "name"),
        "can_edit": can_edit, "latest": latest, "running": latest is not None and latest.status in EXPENSE_IMPORT_OPEN,
        "integration": integration_settings(tenant),
        # Adding to an invoice works per project: the invoice must be its customer's.
        "open_invoices": expenses.invoices_open_for(tenant, project.customer_id)
        if can_edit and project is not None and project.customer_id else [],
        "query": f"project={project.pk if project else ''}&billing={billing}",
    }
    return render(request, "exports/expense_list.html", context)


def _back(request):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/expenses/") else reverse("expense-list"))


@require_POST
@role_required(*EDITORS)
def expense_import_start(request):
    try:
        run, created = expenses.expense_import_start(tenant=request.tenant, actor=request.user)
    except expenses.ExpenseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The import from 24SevenOffice has started." if created
                         else "An import from 24SevenOffice is already under way.")
    return _back(request)


@require_POST
@role_required(*EDITORS)
def expense_billable(request, pk):
    expense = get_for_tenant_or_404(Expense.objects.all(), request.tenant, pk=pk)
    billable = request.POST.get("billable") == "1"
    try:
        expenses.expense_set_billable(expense=expense, billable=billable)
    except expenses.ExpenseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{expense} is {'billable' if billable else 'not billable'}.")
    return _back(request)


@require_POST
@role_required(*EDITORS)
def expense_add_to_invoice(request):
    chosen = [pk for pk in request.POST.getlist("expense") if pk.isdigit()]
    invoice_pk = request.POST.get("invoice", "")
    if not invoice_pk.isdigit():
        messages.error(request, "Choose the invoice to add the expenses to.")
        return _back(request)
    invoice = get_for_tenant_or_404(Invoice.objects.all(), request.tenant, pk=int(invoice_pk))
    try:
        lines = expenses.expenses_add_to_invoice(invoice=invoice, expense_ids=chosen)
    except expenses.ExpenseError as exc:
        messages.error(request, exc.message)
        return _back(request)
    messages.success(request, f"{len(lines)} expense(s) added to invoice {invoice.number} as rows.")
    return redirect("invoice-expenses", pk=invoice.pk)


@role_required(*READERS)
def expense_attachment(request, pk):
    return attachment_response(request.tenant, pk)


@role_required(*READERS)
def invoice_expenses(request, pk):
    invoice = get_for_tenant_or_404(Invoice.objects.select_related("customer"), request.tenant, pk=pk)
    billed = (Expense.objects.filter(tenant=request.tenant, invoice_line__invoice=invoice)
              .select_related("invoice_line", "project").prefetch_related("attachments")
              .order_by("invoice_line__position"))
    return render(request, "exports/invoice_expenses.html", {"invoice": invoice, "billed": billed,
                                                             "lines": invoice.lines.all()})
