"""Administration pages: the 24SO integration in the marketplace, its settings and credentials,
API keys, the audit log and the ops health view. Views validate, call one service, redirect."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenants import forms, health, services
from tenants.access import get_for_tenant_or_404, role_required
from tenants.models import ApiKey, AuditEvent, Membership, Role, SevenOfficeCredential

ADMINS = (Role.ADMIN,)
MEMBERS = (Role.ADMIN, Role.ACCOUNTANT, Role.OPS)
HEALTH_READERS = (Role.ADMIN, Role.OPS)
AUDIT_PAGE_SIZE = 100


def _credentials(request):
    return SevenOfficeCredential.objects.filter(tenant=request.tenant)


# --- Marketplace and settings -------------------------------------------------------------------


@role_required(*MEMBERS)
def marketplace(request):
    """Every member may look; only admins see the buttons (and only they may press them)."""
    context = {
        "integration": services.integration_settings(request.tenant),
        "is_admin": request.user.membership.role == Role.ADMIN,
        "credential_count": request.tenant.credentials.count(),
    }
    return render(request, "tenants/marketplace.html", context)


@require_POST
@role_required(*ADMINS)
def integration_activate(request):
    services.integration_activate(tenant=request.tenant, actor=request.user)
    messages.success(request, "24SevenOffice is activated. Add a credential, then switch it on as an export option.")
    return redirect("integration-settings")


@require_POST
@role_required(*ADMINS)
def integration_deactivate(request):
    services.integration_deactivate(tenant=request.tenant, actor=request.user)
    messages.success(request, "24SevenOffice is deactivated: no new exports start. Receipts and credentials are kept.")
    return redirect("marketplace")


@role_required(*ADMINS)
def integration_settings(request):
    integration = services.integration_settings(request.tenant)
    form = forms.IntegrationSettingsForm(request.POST or None, instance=integration, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        services.integration_settings_update(
            tenant=request.tenant, actor=request.user, **{name: form.cleaned_data[name] for name in form.fields}
        )
        messages.success(request, "Settings saved.")
        return redirect("integration-settings")
    return render(request, "tenants/settings.html", {"form": form, "integration": integration})


# --- Credentials ----------------------------------------------------------------------------------


@role_required(*ADMINS)
def credential_list(request):
    credentials = _credentials(request).prefetch_related("departments").order_by("username", "pk")
    context = {
        "credentials": credentials,
        "coverage": services.credential_coverage(request.tenant),
        "integration": services.integration_settings(request.tenant),
        "choose_forms": {
            c.pk: forms.IdentityChoiceForm(credential=c)
            for c in credentials if not c.identity_id and len(c.last_test_identities) > 1
        },
    }
    return render(request, "tenants/credentials.html", context)


@role_required(*ADMINS)
def credential_add(request):
    form = forms.CredentialCreateForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        credential = services.credential_create(
            tenant=request.tenant, actor=request.user, username=data["username"], password=data["password"],
            identity_id=data["identity_id"], departments=form.scope(),
        )
        messages.success(request, f"Credential {credential.username} saved. Test the connection next.")
        return redirect("credential-list")
    return render(request, "tenants/credential_form.html", {"form": form, "title": "Add a 24SevenOffice credential"})


@role_required(*ADMINS)
def credential_edit(request, pk):
    credential = get_for_tenant_or_404(_credentials(request), request.tenant, pk=pk)
    form = forms.CredentialEditForm(request.POST or None, tenant=request.tenant, credential=credential)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.credential_update(
            credential=credential, actor=request.user, username=data["username"], identity_id=data["identity_id"],
            departments=form.scope(),
        )
        messages.success(request, f"Credential {credential.username} saved.")
        return redirect("credential-list")
    context = {"form": form, "credential": credential, "title": f"Edit {credential.username}"}
    return render(request, "tenants/credential_form.html", context)


@role_required(*ADMINS)
def credential_rotate(request, pk):
    credential = get_for_tenant_or_404(_credentials(request), request.tenant, pk=pk)
    form = forms.CredentialRotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.credential_rotate(credential=credential, actor=request.user, password=form.cleaned_data["password"])
        messages.success(request, f"New password stored for {credential.username}. Test the connection again.")
        return redirect("credential-list")
    context = {"form": form, "credential": credential, "title": f"New password for {credential.username}"}
    return render(request, "tenants/credential_form.html", context)


@role_required(*ADMINS)
def credential_delete(request, pk):
    credential = get_for_tenant_or_404(_credentials(request), request.tenant, pk=pk)
    if request.method == "POST":
        services.credential_delete(credential=credential, actor=request.user)
        messages.success(request, f"Credential {credential.username} deleted.")
        return redirect("credential-list")
    return render(request, "tenants/credential_delete.html", {"credential": credential})


@require_POST
@role_required(*ADMINS)
def credential_test(request, pk):
    credential = get_for_tenant_or_404(_credentials(request), request.tenant, pk=pk)
    credential = services.credential_test(credential=credential, actor=request.user)
    level = messages.SUCCESS if credential.last_test_ok else messages.ERROR
    messages.add_message(request, level, f"{credential.username}: {credential.last_test_message}")
    return redirect("credential-list")


@require_POST
@role_required(*ADMINS)
def credential_identity(request, pk):
    credential = get_for_tenant_or_404(_credentials(request), request.tenant, pk=pk)
    form = forms.IdentityChoiceForm(request.POST, credential=credential)
    if form.is_valid():
        try:
            services.credential_identity_choose(
                credential=credential, actor=request.user, identity_id=form.cleaned_data["identity_id"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{credential.username}: {credential.last_test_message}")
    else:
        messages.error(request, "Choose one of the clients the last connection test found.")
    return redirect("credential-list")


# --- API keys --------------------------------------------------------------------------------------


@role_required(*ADMINS)
def api_keys(request):
    form = forms.ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        api_key, new_key = services.api_key_create(
            tenant=request.tenant, name=form.cleaned_data["name"], is_admin=form.cleaned_data["is_admin"],
            actor=request.user,
        )
        # Rendered once, in this response; only its hash is stored.
        form = forms.ApiKeyForm()
    keys = ApiKey.objects.filter(tenant=request.tenant).order_by("revoked_at", "-created_at")
    response = render(request, "tenants/api_keys.html", {"form": form, "keys": keys, "new_key": new_key})
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(*ADMINS)
def api_key_revoke(request, pk):
    api_key = get_for_tenant_or_404(ApiKey.objects.all(), request.tenant, pk=pk)
    if services.api_key_revoke(api_key=api_key, actor=request.user):
        messages.success(request, f"API key {api_key} revoked.")
    return redirect("api-keys")


# --- Users ------------------------------------------------------------------------------------------------


@role_required(*ADMINS)
def users(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"User {form.cleaned_data['username']} created.")
            return redirect("users")
    members = Membership.objects.filter(tenant=request.tenant).select_related("user").order_by("user__username")
    return render(request, "tenants/users.html", {"form": form, "members": members, "roles": Role.choices})


@require_POST
@role_required(*ADMINS)
def user_edit(request, pk):
    membership = get_for_tenant_or_404(Membership.objects.select_related("user"), request.tenant, user_id=pk)
    form = forms.UserChangeForm(request.POST)
    if form.is_valid():
        try:
            changed = services.user_update(membership=membership, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if changed:
                messages.success(request, f"{membership.user.username}: {', '.join(changed)}.")
    return redirect("users")


# --- Audit log and health ------------------------------------------------------------------------------


@role_required(*ADMINS)
def audit_log(request):
    form = forms.AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(tenant=request.tenant)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"])
        if data["date_from"]:
            events = events.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(created_at__date__lte=data["date_to"])
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "tenants/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@role_required(*HEALTH_READERS)
def health_view(request):
    minutes = request.GET.get("minutes", "")
    stuck_after = timedelta(minutes=int(minutes)) if minutes.isdigit() and int(minutes) > 0 else health.DEFAULT_STUCK_AFTER
    rows = health.department_health(request.tenant, stuck_after=stuck_after)
    context = {"rows": rows, "minutes": int(stuck_after.total_seconds() // 60)}
    return render(request, "tenants/health.html", context)
