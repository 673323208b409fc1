"""Settings for vouchers on the 24SO settings page: revenue account rules and the invoice
series check. Views validate, call one service, redirect back with a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from exports import invoice_series, revenue_accounts
from exports.models import RevenueAccountRule, SeriesState
from tenants.access import get_for_tenant_or_404, role_required
from tenants.models import Role

ADMINS = (Role.ADMIN,)


@require_POST
@role_required(*ADMINS)
def revenue_account_add(request):
    data = request.POST
    try:
        rule = revenue_accounts.revenue_rule_create(
            tenant=request.tenant, actor=request.user, department=data.get("department") or None,
            vat_rate=data.get("vat_rate") or None, account=data.get("account", ""),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            messages.error(request, f"Revenue account rule not saved: {field.replace('_', ' ')}: {' '.join(errors)}")
    else:
        messages.success(request, f"Revenue account rule saved: {rule}.")
    return redirect("integration-settings")


@require_POST
@role_required(*ADMINS)
def revenue_account_delete(request, pk):
    rule = get_for_tenant_or_404(RevenueAccountRule.objects.select_related("department"), request.tenant, pk=pk)
    described = str(rule)
    revenue_accounts.revenue_rule_delete(rule=rule, actor=request.user)
    messages.success(request, f"Revenue account rule removed: {described}.")
    return redirect("integration-settings")


@require_POST
@role_required(*ADMINS)
def invoice_series_check(request):
    checks = invoice_series.invoice_series_check(tenant=request.tenant)
    for check in checks:
        level = messages.SUCCESS if check.state in (SeriesState.OK, SeriesState.UNKNOWN) else messages.WARNING
        text = f"Invoice series for {check.departments}: {check.get_state_display()}. {check.message}"
        messages.add_message(request, level, text)
    if not checks:
        messages.info(request, "No credential serves a department yet: nothing to compare.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "integration-settings"
    return redirect(target)
