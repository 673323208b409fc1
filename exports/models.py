from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q

from tenants.models import Department, Tenant

CENT = Decimal("0.01")


class Customer(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200, help_text="The customer, or the contact person when an organisation is set.")
    organization_name = models.CharField(
        max_length=200, blank=True,
        help_text="When set, 24SO gets the organisation's name and the person's name goes on invoices as a comment.",
    )
    organization_number = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, default="NO")
    visit_street = models.CharField(max_length=200, blank=True)
    visit_postal_code = models.CharField(max_length=20, blank=True)
    visit_city = models.CharField(max_length=100, blank=True)
    visit_country = models.CharField(max_length=2, blank=True)
    sync_version = models.PositiveIntegerField(default=0, help_text="Bumped on every change that 24SO should get.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "external_id"], name="customer_external_id_unique_per_tenant")
        ]

    def __str__(self):
        return self.name

    @property
    def sevenoffice_name(self) -> str:
        return self.organization_name or self.name


class Project(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="projects")
    external_id = models.CharField(max_length=100)
    number = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=200)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="projects")
    sync_version = models.PositiveIntegerField(default=0, help_text="Bumped on every change that 24SO should get.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "external_id"], name="project_external_id_unique_per_tenant")
        ]

    def __str__(self):
        return f"{self.number} {self.name}".strip()


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class Invoice(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invoices")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="invoices")
    external_id = models.CharField(max_length=100)
    number = models.PositiveBigIntegerField(help_text="The tenant's own invoice number.")
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    credits = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes",
        help_text="The invoice a credit note credits.",
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices")
    invoice_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3, default="NOK")
    our_reference = models.CharField(max_length=100, blank=True)
    your_reference = models.CharField(max_length=50, blank=True)
    text = models.TextField(blank=True, max_length=750)
    finalised_at = models.DateTimeField(null=True, blank=True, help_text="When the source system finalised it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-invoice_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "external_id"], name="invoice_external_id_unique_per_tenant"),
            models.UniqueConstraint(fields=["tenant", "number"], name="invoice_number_unique_per_tenant"),
            models.CheckConstraint(
                condition=Q(kind="credit_note") | Q(credits__isnull=True), name="only_credit_notes_credit"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-invoice_date", "-number"], name="invoice_overview"),
            models.Index(fields=["tenant", "department", "-invoice_date"], name="invoice_by_department"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product_number = models.CharField(max_length=100)
    product_name = models.CharField(max_length=125)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, help_text="Excluding VAT.")
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique")]

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"

    @property
    def net_amount(self) -> Decimal:
        gross = self.quantity * self.unit_price * (1 - self.discount_percent / 100)
        return gross.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def vat_amount(self) -> Decimal:
        return (self.net_amount * self.vat_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    IN_TRANSFER = "in_transfer", "In transfer"
    DONE = "done", "Done"
    LOGIN_ERROR = "login_error", "Login error"
    DUPLICATE = "duplicate", "Duplicate"
    FAILED = "failed", "Failed"


# An invoice reaches 24SO through at most one item in these states, whatever the batch.
LIVE_STATUSES = (ExportStatus.IN_TRANSFER, ExportStatus.DONE)
OPEN_STATUSES = (ExportStatus.QUEUED, ExportStatus.IN_TRANSFER)


class ExportBatch(models.Model):
    """One click on *Export to 24SevenOffice* (or one API call): the receipt."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="export_batches")
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="export_batches"
    )
    source = models.CharField(max_length=20, default="ui")
    realtime_day = models.DateField(null=True, blank=True, help_text="The day whose real-time exports this collects.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "export batches"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "realtime_day"], name="one_realtime_receipt_per_day")
        ]

    def __str__(self):
        return f"Export {self.pk}"


class SentAs(models.TextChoices):
    """The 24SO document an invoice became."""

    INVOICE = "invoice", "Invoice"
    ORDER = "order", "Order"
    VOUCHER = "voucher", "Voucher"


class ExportItem(models.Model):
    """One invoice on a receipt. Its status changes only through exports.transitions."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(ExportBatch, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="export_items")
    status = models.CharField(max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    message = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, help_text="Which claim holds the item in transfer.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the last SaveInvoices call started.")
    # The 24SO binding: which account and client hold the invoice, and its ids there.
    sevenoffice_username = models.CharField(max_length=254, blank=True)
    sevenoffice_identity_id = models.UUIDField(null=True, blank=True)
    sevenoffice_order_id = models.BigIntegerField(null=True, blank=True)
    sevenoffice_invoice_id = models.BigIntegerField(null=True, blank=True)
    sent_as = models.CharField(
        max_length=10, choices=SentAs.choices, blank=True, help_text="What the invoice was sent as, set when it is sent."
    )
    sevenoffice_transaction_no = models.BigIntegerField(null=True, blank=True, help_text="A voucher's number in 24SO.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "invoice"], name="export_item_once_per_batch"),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(status__in=LIVE_STATUSES), name="one_live_transfer_per_invoice"
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="export_item_batch_status"),
            models.Index(fields=["status", "lease_until"], name="export_item_sweep"),
        ]

    def __str__(self):
        return f"{self.invoice} in {self.batch}: {self.status}"

    @property
    def number_differs(self) -> bool:
        """24SO assigned another number than the hub's: its invoice series needs aligning."""
        return self.sevenoffice_invoice_id is not None and self.sevenoffice_invoice_id != self.invoice.number


class BindingKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PROJECT = "project", "Project"
    PRODUCT = "product", "Product"
    PRODUCT_CATEGORY = "product_category", "Product category"


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SYNCED = "synced", "Synced"
    ERROR = "error", "Error"
    NEEDS_DECISION = "needs_decision", "Needs decision"


class MatchRule(models.TextChoices):
    CREATED = "created", "Created in 24SO"
    EMAIL = "email", "Matched by e-mail"
    ORGANIZATION_NUMBER = "organization_number", "Matched by organisation number"
    EXTERNAL_ID = "external_id", "Found by the hub's id"
    CHOSEN = "chosen", "Chosen by an admin"
    FACTORING = "factoring", "Factoring customer"


class SevenOfficeBinding(models.Model):
    """A hub record (or product number) and its id in one 24SO client (identity).

    A row with no sevenoffice_id is a claim: one worker is creating the record in 24SO right
    now, so others wait for it instead of creating a second one. Customers and projects also
    keep their sync state here, per client.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    identity_id = models.UUIDField()
    kind = models.CharField(max_length=20, choices=BindingKind.choices)
    key = models.CharField(max_length=120, help_text="The hub's key: a record id or a product number.")
    sevenoffice_id = models.BigIntegerField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_status = models.CharField(max_length=20, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    sync_message = models.TextField(blank=True)
    match_rule = models.CharField(max_length=30, choices=MatchRule.choices, blank=True)
    version_synced = models.PositiveIntegerField(default=0)
    candidates = models.JSONField(default=list, blank=True, help_text="24SO records to choose from (needs decision).")
    chosen_sevenoffice_id = models.BigIntegerField(null=True, blank=True, help_text="An admin's choice, kept.")
    alerted_at = models.DateTimeField(null=True, blank=True, help_text="When a sync-failure mail named this failure.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "identity_id", "kind", "key"], name="binding_unique_per_client")
        ]

    def __str__(self):
        return f"{self.kind} {self.key} -> {self.sevenoffice_id} in {self.identity_id}"


# Repeating-invoice agreements live in their own module; imported here so Django finds them.
from exports.repeating_models import RepeatingAgreement, RepeatingLine, RepeatingSheetUpload  # noqa: E402, F401
