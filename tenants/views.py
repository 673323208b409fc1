from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import render

from exports.models import ExportItem, ExportStatus, Invoice
from tenants.models import Role
from tenants.access import tenant_of
from tenants.services import credentials_by_department


@login_required
def home(request):
    tenant = tenant_of(request.user)
    serving = credentials_by_department(tenant)
    coverage = [{"department": d, "credential": serving.get(d.pk)} for d in tenant.departments.all()]
    context = {"tenant": tenant, "coverage": coverage, "invoice_count": Invoice.objects.filter(tenant=tenant).count()}
    if request.user.membership.role == Role.ADMIN:
        context["renumbered"] = (
            ExportItem.objects.filter(tenant=tenant, status=ExportStatus.DONE, sevenoffice_invoice_id__isnull=False)
            .exclude(sevenoffice_invoice_id=F("invoice__number"))
            .count()
        )
    return render(request, "tenants/home.html", context)
