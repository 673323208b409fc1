import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from tenants import crypto


class ExportMode(models.TextChoices):
    """How a finalised document travels to 24SO."""

    INVOICE = "invoice", "As an invoice"
    ORDER = "order", "As an order, published as an invoice inside 24SO"


class PostingMode(models.TextChoices):
    INVOICE = "invoice", "Invoice orders"
    VOUCHER = "voucher", "Journal vouchers"


def validate_account_list(value: str) -> None:
    """A comma-separated list of ledger account numbers, for example "4000, 4300"."""
    if not value.strip():
        return
    bad = [part.strip() for part in value.split(",") if not re.fullmatch(r"[1-9][0-9]{3,5}", part.strip())]
    if bad:
        raise ValidationError(
            f"Not an account number: {', '.join(repr(b) for b in bad)}. "
            "Give account numbers separated by commas, for example \"4000, 4300\"."
        )


def account_numbers(value: str) -> list[int]:
    return sorted({int(part) for part in value.split(",") if part.strip()})


class Tenant(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Department(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="departments")
    code = models.CharField(
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", "Use letters, digits, '-', '_' or '.'.")],
    )
    name = models.CharField(max_length=200)
    sevenoffice_department_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The matching department in 24SevenOffice, if invoices should carry it."
    )
    export_mode = models.CharField(
        max_length=10, choices=ExportMode.choices, blank=True,
        help_text="How this department's documents travel to 24SO; empty follows the tenant's setting.",
    )

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="department_code_unique_per_tenant")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    ACCOUNTANT = "accountant", "Accountant"
    OPS = "ops", "Ops"


class Membership(models.Model):
    """A user's place in a tenant. One tenant per user keeps every request's scope unambiguous."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    def __str__(self):
        return f"{self.user} ({self.role} of {self.tenant})"


class SevenOfficeCredential(models.Model):
    """A 24SO login (community user) and the departments whose exports use it.

    The password is stored only encrypted (tenants.crypto) and never leaves through repr,
    forms or the API. A department-specific credential wins over the all-departments one.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="credentials")
    username = models.CharField(max_length=254)
    password_encrypted = models.TextField(editable=False)
    identity_id = models.UUIDField(
        null=True, blank=True, help_text="The 24SO client (identity) to use when the login reaches several."
    )
    all_departments = models.BooleanField(
        default=False, help_text="Serve every department that has no credential of its own."
    )
    departments = models.ManyToManyField(
        Department, through="CredentialDepartment", related_name="credentials", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The last "Test connection": when, whether it worked, what to tell the admin (never the
    # password), and the clients (identities) the login reached, for choosing one.
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=500, blank=True)
    last_test_identities = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(all_departments=True), name="one_all_departments_credential_per_tenant"
            )
        ]

    def __str__(self):
        scope = "all departments" if self.all_departments else "chosen departments"
        return f"{self.username} ({scope})"

    def __repr__(self):
        return f"<SevenOfficeCredential {self.pk} {self.username!r}>"

    @property
    def identity_label(self) -> str:
        """The chosen client's name as the last test found it, else its id."""
        if not self.identity_id:
            return ""
        names = {i["id"]: i["name"] for i in self.last_test_identities or []}
        return names.get(str(self.identity_id).lower(), str(self.identity_id))

    def set_password(self, raw_password: str) -> None:
        self.password_encrypted = crypto.encrypt(raw_password)

    def reveal_password(self) -> str:
        """The plaintext, for the 24SO Login call only."""
        return crypto.decrypt(self.password_encrypted)


class CredentialDepartment(models.Model):
    """Scope row: a department belongs to at most one department-specific credential."""

    credential = models.ForeignKey(SevenOfficeCredential, on_delete=models.CASCADE)
    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="credential_scope")

    def __str__(self):
        return f"{self.department.code} -> {self.credential.username}"


class ApiKey(models.Model):
    """A source system's key for the REST API. Only a hash is stored; the key is shown once."""

    PREFIX = "hub"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    lookup = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    is_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.PREFIX}_{self.lookup}… ({self.name or 'unnamed'})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        # The secret is 32 random bytes, so a fast hash is enough (no dictionary to attack).
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_key_material(cls) -> tuple[str, str, str]:
        """(lookup, secret, full key). The full key is `hub_<lookup>_<secret>`."""
        lookup = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        return lookup, secret, f"{cls.PREFIX}_{lookup}_{secret}"


class IntegrationSettings(models.Model):
    """A tenant's 24SevenOffice integration: activation and the options that shape exports."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="integration")
    active = models.BooleanField(default=False, help_text="The 24SevenOffice integration is activated.")
    invoice_export_enabled = models.BooleanField(
        default=False, help_text="Offer 24SevenOffice as an invoice export option in the invoice overview."
    )
    error_email = models.EmailField(blank=True, help_text="Receives a summary when an export ends with errors.")
    factoring_customer_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="When set, every customer is sent to 24SO under this one customer number."
    )
    project_client_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="A fixed number added to every project sent to 24SO."
    )
    realtime_invoice_export = models.BooleanField(
        default=False, help_text="Export invoices finalised through the API at once, without anyone ticking them."
    )
    default_identity_id = models.UUIDField(
        null=True, blank=True,
        help_text="The 24SevenOffice client used when a credential's login reaches several and none is chosen.",
    )
    export_mode = models.CharField(
        max_length=10, choices=ExportMode.choices, default=ExportMode.INVOICE,
        help_text="Send documents as invoices, or as orders that someone publishes as invoices inside 24SO.",
    )
    generic_product_name = models.CharField(
        max_length=125, blank=True,
        help_text="Order rows use this one 24SO product, found by name (created when missing), e.g. \"Rental\".",
    )
    generic_product_category = models.CharField(
        max_length=100, blank=True, help_text="The 24SO product category a created generic product is placed in.",
    )
    posting_mode = models.CharField(
        max_length=10, choices=PostingMode.choices, default=PostingMode.INVOICE,
        help_text="Post finalised invoices to 24SO as invoice orders, or as vouchers in the journal.",
    )
    customer_ledger_account = models.PositiveIntegerField(
        default=1500, validators=[MinValueValidator(1000), MaxValueValidator(999999)],
        help_text="Vouchers: the customer ledger (receivables) account.",
    )
    revenue_account = models.PositiveIntegerField(
        default=3000, validators=[MinValueValidator(1000), MaxValueValidator(999999)],
        help_text="Vouchers: the revenue account, unless a department or VAT rate has its own.",
    )
    expense_accounts = models.CharField(
        max_length=500, blank=True, validators=[validate_account_list],
        help_text="Expense import: the account numbers to import from, separated by commas, e.g. \"4000, 4300\".",
    )
    expenses_billable_by_default = models.BooleanField(
        default=False, help_text="Imported expenses start as billable to the customer.",
    )
    expense_import_enabled = models.BooleanField(
        default=False, help_text="Import approved supplier invoices posted on the expense accounts from 24SO.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"24SevenOffice settings of {self.tenant}"

    def clean(self):
        if self.expense_import_enabled and not self.expense_accounts.strip():
            raise ValidationError({"expense_accounts": "Give at least one account number to import expenses from."})

    def export_mode_for(self, department) -> str:
        """The department's own export mode, else the tenant's."""
        return (department.export_mode if department is not None else "") or self.export_mode

    @property
    def exports_allowed(self) -> bool:
        return self.active and self.invoice_export_enabled


class AuditAction(models.TextChoices):
    INTEGRATION_ACTIVATED = "integration.activated", "Integration activated"
    INTEGRATION_DEACTIVATED = "integration.deactivated", "Integration deactivated"
    SETTINGS_CHANGED = "settings.changed", "Settings changed"
    CREDENTIAL_CREATED = "credential.created", "Credential created"
    CREDENTIAL_CHANGED = "credential.changed", "Credential changed"
    CREDENTIAL_ROTATED = "credential.rotated", "Credential password rotated"
    CREDENTIAL_DELETED = "credential.deleted", "Credential deleted"
    CREDENTIAL_TESTED = "credential.tested", "Credential tested"
    CREDENTIAL_IDENTITY_CHOSEN = "credential.identity_chosen", "Credential identity chosen"
    USER_CREATED = "user.created", "User created"
    USER_CHANGED = "user.changed", "User changed"
    API_KEY_CREATED = "api_key.created", "API key created"
    API_KEY_REVOKED = "api_key.revoked", "API key revoked"
    EXPORT_STARTED = "export.started", "Export started"
    ALERT_SENT = "alert.sent", "Alert mail sent"


class AuditEventQuerySet(models.QuerySet):
    # Bulk changes would bypass save()/delete(); the log is append-only, so refuse them too.
    # (Deleting a whole tenant still cascades: the collector does not go through these.)
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what, when, to what. Append-only; `details` never holds a secret."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="audit_events")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text so the entry still names the actor after a user or key is gone.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "action", "-created_at"], name="audit_by_action")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class ExportAlert(models.Model):
    """The one alert mail of an export. The unique batch makes the row a claim: of two workers
    finishing the same export at once, only the one whose insert succeeds sends the mail."""

    batch = models.OneToOneField("exports.ExportBatch", on_delete=models.CASCADE, related_name="alert")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    recipient = models.EmailField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Alert for export {self.batch_id} to {self.recipient}"


class LoginFailure(models.Model):
    """A failed sign-in, kept briefly to throttle password guessing (tenants.login_throttle).
    In the database rather than a per-process cache so every web process sees the same count."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.username} from {self.ip_address} at {self.created_at}"
