"""Business operations on tenants, users, API keys and 24SO credentials."""

import hmac
from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants import crypto
from tenants.models import (
    ApiKey,
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


def user_create(*, tenant: Tenant, username: str, password: str, role: str, email: str = ""):
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."})
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"A user named {username!r} already exists."})
    user = User(username=username, email=email)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


def api_key_create(*, tenant: Tenant, name: str = "", is_admin: bool = False) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never retrievable again."""
    lookup, secret, full_key = ApiKey.new_key_material()
    api_key = ApiKey.objects.create(
        tenant=tenant, name=name, lookup=lookup, key_hash=ApiKey.hash_secret(secret), is_admin=is_admin
    )
    return api_key, full_key


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
