"""Customers and projects in the browser: 24SO sync state per client, re-sync, and the
admin's match choice for customers."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from exports import sync
from exports.models import BindingKind, Customer, Project, SevenOfficeBinding, SyncStatus
from tenants.access import get_for_tenant_or_404, role_required
from tenants.models import Role

READERS = (Role.ADMIN, Role.ACCOUNTANT, Role.OPS)


def _synced_list(request, records, kind, title):
    wanted = request.GET.get("sync_status")
    bindings = SevenOfficeBinding.objects.filter(tenant=request.tenant, kind=kind)
    if wanted in SyncStatus.values:
        records = records.filter(pk__in=[int(k) for k in bindings.filter(sync_status=wanted).values_list("key", flat=True)])
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    by_record = sync.bindings_by_record(request.tenant, kind, [r.pk for r in page])
    rows = [(r, by_record.get(r.pk, [])) for r in page]
    context = {"page": page, "rows": rows, "wanted": wanted, "statuses": SyncStatus.choices, "title": title,
               "kind": kind, "can_choose": request.user.membership.role == Role.ADMIN}
    return render(request, "exports/synced_list.html", context)


@role_required(*READERS)
def customer_list(request):
    customers = Customer.objects.filter(tenant=request.tenant).order_by("name")
    return _synced_list(request, customers, BindingKind.CUSTOMER, "Customers")


@role_required(*READERS)
def project_list(request):
    projects = Project.objects.filter(tenant=request.tenant).select_related("customer").order_by("number", "name")
    return _synced_list(request, projects, BindingKind.PROJECT, "Projects")


@require_POST
@role_required(*READERS)
def project_resync(request, pk):
    return _resync(request, Project, pk, sync.project_changed, "project-list")


def _resync(request, model, pk, changed, list_url):
    record = get_for_tenant_or_404(model.objects.all(), request.tenant, pk=pk)
    changed(record)
    messages.success(request, f"{record} will be sent to 24SevenOffice again.")
    return redirect(list_url)


@require_POST
@role_required(*READERS)
def customer_resync(request, pk):
    return _resync(request, Customer, pk, sync.customer_changed, "customer-list")


@require_POST
@role_required(Role.ADMIN)
def customer_choose(request, pk):
    customer = get_for_tenant_or_404(Customer.objects.all(), request.tenant, pk=pk)
    try:
        sync.customer_choose_match(
            customer=customer, identity_id=request.POST.get("identity_id", ""),
            sevenoffice_id=int(request.POST.get("sevenoffice_id", "")),
        )
    except ValueError:
        messages.error(request, "Choose one of the 24SevenOffice customers offered.")
    else:
        messages.success(request, f"{customer.name} will be linked to the chosen 24SevenOffice customer.")
    return redirect("customer-list")
