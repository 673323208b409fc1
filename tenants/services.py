"""Business operations on tenants, users, API keys and 24SO credentials."""

import hmac
from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sevenoffice import errors as so_errors
from sevenoffice.client import SevenOfficeClient
from sevenoffice.types import Credential
from tenants import crypto
from tenants.models import (
    ApiKey,
    AuditAction,
    AuditEvent,
    CredentialDepartment,
    Department,
    IntegrationSettings,
    Membership,
    Role,
    SevenOfficeCredential,
    Tenant,
)

ALL_DEPARTMENTS = "all"


def tenant_create(*, slug: str, name: str) -> tuple[Tenant, bool]:
    tenant, created = Tenant.objects.get_or_create(slug=slug, defaults={"name": name})
    if not created and tenant.name != name:
        tenant.name = name
        tenant.save(update_fields=["name"])
    return tenant, created


def integration_settings(tenant: Tenant) -> IntegrationSettings:
    return IntegrationSettings.objects.get_or_create(tenant=tenant)[0]


def user_create(*, tenant: Tenant, username: str, password: str, role: str, email: str = "", actor=None):
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."})
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"A user named {username!r} already exists."})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, tenant=tenant, role=role)
        if actor is not None:
            audit_record(tenant=tenant, actor=actor, action=AuditAction.USER_CREATED, target=username,
                         details={"role": role})
    return user


def user_update(*, membership: Membership, role: str, active: bool, actor) -> list[str]:
    """Change a member's role or deactivate them (their history stays); returns what changed.

    A tenant always keeps one active admin, and admins cannot lock themselves out."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    user = membership.user
    demoted = membership.role == Role.ADMIN and (role != Role.ADMIN or not active)
    if demoted and not Membership.objects.filter(
        tenant=membership.tenant, role=Role.ADMIN, user__is_active=True
    ).exclude(pk=membership.pk).exists():
        raise ValidationError({"role": "The tenant needs at least one active admin."})
    if user.pk == getattr(actor, "pk", None) and (not active or role != membership.role):
        raise ValidationError({"role": "You cannot change your own role or deactivate yourself."})
    changed = []
    with transaction.atomic():
        if role != membership.role:
            changed.append(f"role {membership.role} -> {role}")
            membership.role = role
            membership.save(update_fields=["role"])
        if active != user.is_active:
            changed.append("activated" if active else "deactivated")
            user.is_active = active
            user.save(update_fields=["is_active"])
        if changed:
            audit_record(tenant=membership.tenant, actor=actor, action=AuditAction.USER_CHANGED,
                         target=user.username, details={"changes": changed})
    return changed


def api_key_create(*, tenant: Tenant, name: str = "", is_admin: bool = False, actor=None) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never retrievable again."""
    lookup, secret, full_key = ApiKey.new_key_material()
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            tenant=tenant, name=name, lookup=lookup, key_hash=ApiKey.hash_secret(secret), is_admin=is_admin
        )
        audit_record(
            tenant=tenant, actor=actor, action=AuditAction.API_KEY_CREATED, target=str(api_key),
            details={"name": name, "is_admin": is_admin},
        )
    return api_key, full_key


def api_key_revoke(*, api_key: ApiKey, actor=None) -> bool:
    """Revoke a key at once (its next request gets 401). False when it already was revoked."""
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            audit_record(tenant=api_key.tenant, actor=actor, action=AuditAction.API_KEY_REVOKED, target=str(api_key))
    return bool(revoked)


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    prefix, _, rest = raw_key.partition("_")
    lookup, _, secret = rest.partition("_")
    if prefix != ApiKey.PREFIX or not lookup or not secret:
        return None
    api_key = ApiKey.objects.select_related("tenant").filter(lookup=lookup, revoked_at__isnull=True).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, ApiKey.hash_secret(secret)):
        return None
    return api_key


def credential_save(
    *,
    tenant: Tenant,
    username: str,
    password: str | None,
    identity_id: UUID | str | None = None,
    departments: Iterable[Department] | str,
    credential: SevenOfficeCredential | None = None,
) -> SevenOfficeCredential:
    """Create or update a credential and its department scope, all or nothing.

    `departments` is "all" or the departments this credential serves. A department can be
    served by one department-specific credential only, and a tenant has at most one
    all-departments credential; breaking either rule names the department or credential.
    `password` None keeps the stored one (edits without re-entering the secret).
    """
    all_departments = departments == ALL_DEPARTMENTS
    chosen = [] if all_departments else list(departments)
    errors = credential_errors(
        tenant=tenant, username=username, password=password, departments=departments, credential=credential
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        credential = credential or SevenOfficeCredential(tenant=tenant)
        if _login_changes(credential, username, password, identity_id):
            # The last test described another login; it says nothing about this one.
            credential.last_tested_at = credential.last_test_ok = None
            credential.last_test_message, credential.last_test_identities = "", []
        credential.username = username
        credential.identity_id = identity_id or None
        credential.all_departments = all_departments
        if password:
            credential.set_password(password)
        credential.save()
        CredentialDepartment.objects.filter(credential=credential).exclude(department__in=chosen).delete()
        for department in chosen:
            CredentialDepartment.objects.get_or_create(credential=credential, department=department)
    return credential


def _login_changes(credential, username, password, identity_id) -> bool:
    def norm(value):
        return str(value).lower() if value else ""

    return (
        credential.pk is None or bool(password) or credential.username != username
        or norm(credential.identity_id) != norm(identity_id)
    )


def credential_errors(
    *,
    tenant: Tenant,
    username: str,
    password: str | None,
    departments: Iterable[Department] | str,
    credential: SevenOfficeCredential | None = None,
) -> dict[str, str]:
    """What is wrong with a credential before saving it, by field (empty when nothing)."""
    errors = {}
    if not username:
        errors["username"] = "Enter the 24SO username (the user's e-mail address)."
    if (credential is None or credential.pk is None) and not password:
        errors["password"] = "Enter the 24SO password."
    all_departments = departments == ALL_DEPARTMENTS
    chosen = [] if all_departments else list(departments)
    if not all_departments and not chosen:
        errors["departments"] = "Choose the departments this credential serves, or all departments."
    foreign = [d.code for d in chosen if d.tenant_id != tenant.pk]
    if foreign:
        errors["departments"] = f"Unknown department(s): {', '.join(foreign)}."
    others = SevenOfficeCredential.objects.filter(tenant=tenant)
    if credential is not None and credential.pk:
        others = others.exclude(pk=credential.pk)
    if all_departments and others.filter(all_departments=True).exists():
        errors["departments"] = "Another credential already serves all departments; edit that one instead."
    taken = CredentialDepartment.objects.filter(department__in=chosen, credential__in=others).select_related(
        "department", "credential"
    )
    if taken:
        errors["departments"] = "; ".join(
            f"Department {t.department.code} is already served by {t.credential.username}" for t in taken
        )
    return errors


def credential_identity(credential: SevenOfficeCredential) -> str | None:
    """The 24SO client a credential works in: its own choice, else the tenant's default client
    (for a login that reaches several and was never narrowed down); None lets the login decide."""
    if credential.identity_id:
        return str(credential.identity_id)
    default = IntegrationSettings.objects.filter(tenant_id=credential.tenant_id).values_list(
        "default_identity_id", flat=True
    ).first()
    return str(default) if default else None


def credential_for_department(department: Department) -> SevenOfficeCredential | None:
    """The credential that serves a department: its own one, else the tenant's all-departments one."""
    scope = CredentialDepartment.objects.select_related("credential").filter(department=department).first()
    if scope is not None:
        return scope.credential
    return SevenOfficeCredential.objects.filter(tenant_id=department.tenant_id, all_departments=True).first()


def credentials_by_department(tenant: Tenant) -> dict[int, SevenOfficeCredential | None]:
    """Department id -> serving credential for the whole tenant, in two queries."""
    credentials = {c.pk: c for c in SevenOfficeCredential.objects.filter(tenant=tenant)}
    fallback = next((c for c in credentials.values() if c.all_departments), None)
    specific = dict(
        CredentialDepartment.objects.filter(credential__tenant=tenant).values_list("department_id", "credential_id")
    )
    return {
        department_id: credentials[specific[department_id]] if department_id in specific else fallback
        for department_id in tenant.departments.values_list("pk", flat=True)
    }


def credential_for_account(*, tenant_id: int, username: str) -> SevenOfficeCredential | None:
    """A credential of the tenant that logs in as this 24SO user (records exported through
    it name the user); the all-departments one first when several share the login."""
    return (
        SevenOfficeCredential.objects.filter(tenant_id=tenant_id, username__iexact=username)
        .select_related("tenant").order_by("-all_departments", "pk").first()
    )


def departments_without_credential(tenant: Tenant):
    if SevenOfficeCredential.objects.filter(tenant=tenant, all_departments=True).exists():
        return Department.objects.none()
    return Department.objects.filter(tenant=tenant, credential_scope__isnull=True)


def credentials_reencrypt() -> int:
    """Re-encrypt every stored secret under the newest key; returns how many were rewritten.

    Run after putting a new key first in CREDENTIALS_KEYS; afterwards old keys can be removed.
    """
    count = 0
    for credential in SevenOfficeCredential.objects.only("pk", "password_encrypted").iterator():
        try:
            rotated = crypto.reencrypt(credential.password_encrypted)
        except crypto.SecretUnreadable as exc:
            raise crypto.SecretUnreadable(f"credential {credential.pk}: {exc}") from exc
        SevenOfficeCredential.objects.filter(pk=credential.pk).update(
            password_encrypted=rotated, updated_at=timezone.now()
        )
        count += 1
    return count


# --- Audit ------------------------------------------------------------------------------------


def actor_label(actor) -> str:
    """How an actor is named in the audit log: a username, an API key, or "system"."""
    if actor is None:
        return "system"
    api_key = actor if isinstance(actor, ApiKey) else getattr(actor, "api_key", None)
    if api_key is not None:
        return f"API key {api_key}"
    return actor.get_username()


def audit_record(*, tenant: Tenant, actor, action: str, target: str = "", details: dict | None = None) -> AuditEvent:
    """Append one event to the tenant's audit log. Callers pass no secrets in `details`."""
    user = actor if getattr(actor, "pk", None) and not isinstance(actor, ApiKey) else None
    return AuditEvent.objects.create(
        tenant=tenant, actor_user=user, actor_label=actor_label(actor)[:200], action=action,
        target=target[:300], details=details or {},
    )


# --- Integration activation and settings -------------------------------------------------------

SETTINGS_FIELDS = (
    "invoice_export_enabled", "error_email", "default_identity_id", "factoring_customer_id", "project_client_id",
    "realtime_invoice_export", "export_mode", "generic_product_name", "generic_product_category", "posting_mode",
    "customer_ledger_account", "revenue_account", "expense_accounts", "expenses_billable_by_default",
    "expense_import_enabled",
)


def integration_activate(*, tenant: Tenant, actor) -> IntegrationSettings:
    settings = integration_settings(tenant)
    if not settings.active:
        settings.active = True
        settings.save(update_fields=["active", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action=AuditAction.INTEGRATION_ACTIVATED, target="24SevenOffice")
    return settings


def integration_deactivate(*, tenant: Tenant, actor) -> IntegrationSettings:
    """Stops new exports (exports_allowed turns false); receipts, credentials and settings stay."""
    settings = integration_settings(tenant)
    if settings.active:
        settings.active = False
        settings.save(update_fields=["active", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action=AuditAction.INTEGRATION_DEACTIVATED, target="24SevenOffice")
    return settings


def integration_settings_update(*, tenant: Tenant, actor, **values) -> IntegrationSettings:
    """Change settings by name; the audit event lists each changed field's old and new value."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a setting: {', '.join(sorted(unknown))}")
    settings = integration_settings(tenant)
    changes = {}
    for name, value in values.items():
        old = getattr(settings, name)
        if _plain(old) != _plain(value):
            changes[name] = [_plain(old), _plain(value)]
            setattr(settings, name, value)
    if changes:
        settings.full_clean()
        settings.save()
        audit_record(tenant=tenant, actor=actor, action=AuditAction.SETTINGS_CHANGED, target="24SevenOffice",
                     details={"changes": changes})
    return settings


def _plain(value):
    return str(value).lower() if isinstance(value, UUID) else value


# --- Credentials, audited -------------------------------------------------------------------------


def _scope_details(credential: SevenOfficeCredential) -> dict:
    return {
        "username": credential.username,
        "identity_id": str(credential.identity_id) if credential.identity_id else None,
        "departments": ALL_DEPARTMENTS if credential.all_departments
        else sorted(credential.departments.values_list("code", flat=True)),
    }


def credential_create(*, tenant: Tenant, actor, username: str, password: str, identity_id=None,
                      departments) -> SevenOfficeCredential:
    with transaction.atomic():
        credential = credential_save(
            tenant=tenant, username=username, password=password, identity_id=identity_id, departments=departments
        )
        audit_record(tenant=tenant, actor=actor, action=AuditAction.CREDENTIAL_CREATED, target=credential.username,
                     details=_scope_details(credential))
    return credential


def credential_update(*, credential: SevenOfficeCredential, actor, username: str, identity_id=None,
                      departments) -> SevenOfficeCredential:
    """Change the login's username, identity or scope; the password stays (see credential_rotate)."""
    before = _scope_details(credential)
    with transaction.atomic():
        credential = credential_save(
            tenant=credential.tenant, username=username, password=None, identity_id=identity_id,
            departments=departments, credential=credential,
        )
        after = _scope_details(credential)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            audit_record(tenant=credential.tenant, actor=actor, action=AuditAction.CREDENTIAL_CHANGED,
                         target=credential.username, details={"changes": changes})
    return credential


def credential_rotate(*, credential: SevenOfficeCredential, actor, password: str) -> SevenOfficeCredential:
    """A new password for the same login (after it was changed in 24SO)."""
    if not password:
        raise ValidationError({"password": "Enter the new 24SO password."})
    with transaction.atomic():
        credential = credential_save(
            tenant=credential.tenant, username=credential.username, password=password,
            identity_id=credential.identity_id,
            departments=ALL_DEPARTMENTS if credential.all_departments else list(credential.departments.all()),
            credential=credential,
        )
        audit_record(tenant=credential.tenant, actor=actor, action=AuditAction.CREDENTIAL_ROTATED,
                     target=credential.username)
    return credential


def credential_delete(*, credential: SevenOfficeCredential, actor) -> None:
    """Departments it served fall back to the all-departments credential, or to none."""
    with transaction.atomic():
        details = _scope_details(credential)
        audit_record(tenant=credential.tenant, actor=actor, action=AuditAction.CREDENTIAL_DELETED,
                     target=credential.username, details=details)
        credential.delete()


def credential_test(*, credential: SevenOfficeCredential, actor) -> SevenOfficeCredential:
    """Log in to 24SO and record the outcome on the credential: the clients (identities) the
    login reaches, and which one exports use. One client is chosen by itself; of several, the
    tenant's default is taken when the login reaches it, else the admin picks one."""
    client = SevenOfficeClient(
        Credential(credential.username, credential.reveal_password(),
                   str(credential.identity_id) if credential.identity_id else None)
    )
    identities = []
    try:
        reached = client.test_connection()
    except so_errors.LoginFailed as exc:
        ok, message = False, f"24SevenOffice refused the login: {exc}"
    except so_errors.IdentityBlocked as exc:
        ok, message = False, f"24SevenOffice blocked the chosen client for this login: {exc}"
    except so_errors.RemoteUnavailable as exc:
        ok, message = False, f"24SevenOffice could not be reached: {exc}"
    except so_errors.SevenOfficeError as exc:
        ok, message = False, f"The test failed: {exc}"
    else:
        identities = [{"id": i.id.lower(), "name": i.label} for i in reached if not i.is_disabled]
        ok, message = _settle_identity(credential, identities)
    credential.last_tested_at = timezone.now()
    credential.last_test_ok = ok
    credential.last_test_message = message[:500]
    credential.last_test_identities = identities
    with transaction.atomic():
        credential.save(update_fields=[
            "identity_id", "last_tested_at", "last_test_ok", "last_test_message", "last_test_identities", "updated_at",
        ])
        audit_record(tenant=credential.tenant, actor=actor, action=AuditAction.CREDENTIAL_TESTED,
                     target=credential.username,
                     details={"ok": ok, "message": credential.last_test_message, "identities": len(identities)})
    return credential


def _settle_identity(credential: SevenOfficeCredential, identities: list[dict]) -> tuple[bool, str]:
    """Set credential.identity_id where the answer allows; returns (ok, message)."""
    by_id = {i["id"]: i["name"] for i in identities}
    if not identities:
        return False, "Logged in, but the login reaches no 24SevenOffice client."
    if credential.identity_id:
        chosen = str(credential.identity_id).lower()
        if chosen in by_id:
            return True, f"Logged in; exports go to {by_id[chosen]}."
        return False, "Logged in, but the chosen 24SevenOffice client is not among those this login reaches."
    if len(identities) == 1:
        credential.identity_id = identities[0]["id"]
        return True, f"Logged in; exports go to {identities[0]['name']}, the only client of this login."
    default = integration_settings(credential.tenant).default_identity_id
    if default and str(default).lower() in by_id:
        credential.identity_id = str(default).lower()
        return True, f"Logged in; exports go to {by_id[str(default).lower()]}, the default client."
    return False, f"Logged in; the login reaches {len(identities)} clients. Choose the one exports should go to."


def credential_identity_choose(*, credential: SevenOfficeCredential, actor, identity_id: str) -> SevenOfficeCredential:
    """Pick one of the clients the last test reached."""
    by_id = {i["id"]: i["name"] for i in credential.last_test_identities}
    identity_id = str(identity_id).lower()
    if identity_id not in by_id:
        raise ValidationError({"identity_id": "Choose one of the clients the last connection test found."})
    credential.identity_id = identity_id
    credential.last_test_ok = True
    credential.last_test_message = f"Logged in; exports go to {by_id[identity_id]}."
    with transaction.atomic():
        credential.save(update_fields=["identity_id", "last_test_ok", "last_test_message", "updated_at"])
        audit_record(tenant=credential.tenant, actor=actor, action=AuditAction.CREDENTIAL_IDENTITY_CHOSEN,
                     target=credential.username, details={"identity_id": identity_id, "name": by_id[identity_id]})
    return credential


def credential_coverage(tenant: Tenant) -> list[dict]:
    """Every department with the credential that serves it (None when none does)."""
    serving = credentials_by_department(tenant)
    return [{"department": d, "credential": serving.get(d.pk)} for d in tenant.departments.all()]
