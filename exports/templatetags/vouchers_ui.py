from django import template

from exports import invoice_series
from exports.models import RevenueAccountRule
from tenants.models import Role

register = template.Library()


@register.inclusion_tag("exports/_voucher_settings.html", takes_context=True)
def voucher_settings(context):
    """Revenue account rules and the invoice series check, for the settings page."""
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "rules": RevenueAccountRule.objects.filter(tenant=request.tenant).select_related("department"),
        "departments": request.tenant.departments.all(),
        "series": invoice_series.series_findings(request.tenant),
    }


@register.inclusion_tag("exports/_invoice_series.html", takes_context=True)
def invoice_series_findings(context, only_problems=False):
    """The last invoice series check per credential (optionally only gaps and collisions);
    admins also get the button that checks again."""
    request = context["request"]
    can_check = request.user.membership.role == Role.ADMIN
    findings = invoice_series.series_findings(request.tenant)
    if only_problems:
        findings = [f for f in findings if f.needs_fix]
    return {"series": findings, "can_check": can_check, "csrf_token": context.get("csrf_token"),
            "request": request, "only_problems": only_problems}
