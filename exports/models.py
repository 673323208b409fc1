from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import F, Q

from tenants.models import Department, Tenant

CENT = Decimal("0.01")
ROW_NAME_MAX = 300  # InvoiceRow.Name in 24SO


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


class PaymentStatus(models.TextChoices):
    """What 24SO says about an exported invoice's payment."""

    UNKNOWN = "unknown", "Unknown"
    UNPAID = "unpaid", "Unpaid"
    PARTLY_PAID = "partly_paid", "Partly paid"
    PAID = "paid", "Paid"


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
    # Read back from 24SO by exports.payments; written nowhere else.
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNKNOWN)
    paid_at = models.DateField(null=True, blank=True, help_text="The day 24SO saw it paid in full.")
    open_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="What 24SO still has open on it."
    )
    payment_checked_at = models.DateTimeField(null=True, blank=True, help_text="When 24SO last answered about it.")
    payment_changed_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When status, paid date or open amount last changed."
    )
    payment_attempted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the hub last asked 24SO (answered or not): the refresh order."
    )
    payment_message = models.CharField(max_length=500, blank=True, help_text="Why the last check got no answer.")

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
            models.Index(fields=["payment_status", "payment_attempted_at"], name="invoice_payment_refresh"),
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
    period_start = models.DateField(null=True, blank=True, help_text="First day of a rental or service period.")
    period_end = models.DateField(null=True, blank=True, help_text="Last day of the period.")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique"),
            models.CheckConstraint(
                condition=(Q(period_start__isnull=True, period_end__isnull=True)
                           | Q(period_start__isnull=False, period_end__isnull=False,
                                period_end__gte=models.F("period_start"))),
                name="invoice_line_period_complete_and_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"

    @property
    def net_amount(self) -> Decimal:
        gross = self.quantity * self.unit_price * (1 - self.discount_percent / 100)
        return gross.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def vat_amount(self) -> Decimal:
        return (self.net_amount * self.vat_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def sevenoffice_name(self) -> str:
        """The 24SO row name: the product, and its period when it has one, e.g.
        "Tractor (2021-01-10 – 2021-01-12)"; the product name gives way to 24SO's 300-char cap."""
        if self.period_start is None:
            return self.product_name[:ROW_NAME_MAX]
        period = f" ({self.period_start.isoformat()} – {self.period_end.isoformat()})"
        return self.product_name[: ROW_NAME_MAX - len(period)] + period


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
        return (self.sent_as != SentAs.ORDER and self.sevenoffice_invoice_id is not None
                and self.sevenoffice_invoice_id != self.invoice.number)

    @property
    def sevenoffice_document(self) -> str:
        """What 24SO holds for this item, as people say it: "Invoice 10001", "Order 12"."""
        if self.sent_as == SentAs.ORDER and self.sevenoffice_order_id is not None:
            return f"Order {self.sevenoffice_order_id}"
        if self.sent_as == SentAs.VOUCHER and self.sevenoffice_transaction_no is not None:
            return f"Voucher {self.sevenoffice_transaction_no}"
        if self.sevenoffice_invoice_id is not None:
            return f"Invoice {self.sevenoffice_invoice_id}"
        if self.sevenoffice_transaction_no is not None:
            return f"Voucher {self.sevenoffice_transaction_no}"
        return ""


class BindingKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PROJECT = "project", "Project"
    PRODUCT = "product", "Product"
    PRODUCT_CATEGORY = "product_category", "Product category"
    GENERIC_PRODUCT = "generic_product", "Generic product"  # keyed by its name, the tenant's setting


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
    key = models.CharField(max_length=150, help_text="The hub's key: a record id, a product number or a name.")
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


# --- Expenses imported from 24SO --------------------------------------------------------------


class ExpenseImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


EXPENSE_IMPORT_OPEN = (ExpenseImportStatus.QUEUED, ExpenseImportStatus.RUNNING)


class ExpenseImport(models.Model):
    """One run of the expense import. Its status changes only in exports.expenses.

    `watermarks` holds, per 24SO client (identity id), the moment up to which the run read
    changes; the next run reads from there. A client that failed keeps its earlier mark."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="expense_imports")
    status = models.CharField(max_length=10, choices=ExpenseImportStatus.choices, default=ExpenseImportStatus.QUEUED)
    trigger = models.CharField(max_length=10, default="manual", help_text="manual or scheduled")
    full = models.BooleanField(default=False, help_text="Read everything again, not only what changed.")
    requested_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The running worker's last sign of life.")
    finished_at = models.DateTimeField(null=True, blank=True)
    imported = models.PositiveIntegerField(default=0)
    already_imported = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True, help_text="[{client, key, reason, ...}]")
    failed = models.JSONField(default=list, blank=True, help_text="[{client, key, reason}]")
    watermarks = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(status__in=EXPENSE_IMPORT_OPEN), name="one_open_expense_import_per_tenant"
            )
        ]

    def __str__(self):
        return f"Expense import {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status == ExpenseImportStatus.FINISHED


class Expense(models.Model):
    """An approved supplier invoice posted in 24SO on an expense account and a hub project.

    `sevenoffice_key` (voucher year, type, number and project) is unique per 24SO client, so
    the same posting is never imported twice."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="expenses")
    identity_id = models.UUIDField(help_text="The 24SO client it was read from.")
    sevenoffice_key = models.CharField(max_length=80)
    transaction_no = models.BigIntegerField(help_text="The voucher number in 24SO.")
    stamp_no = models.BigIntegerField(null=True, blank=True, help_text="The document's stamp number in 24SO.")
    supplier_sevenoffice_id = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Including VAT.")
    amount_excl_vat = models.DecimalField(max_digits=14, decimal_places=2)
    supplier_name = models.CharField(max_length=200, blank=True)
    supplier_invoice_number = models.CharField(max_length=100, blank=True)
    invoice_date = models.DateField()
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenses")
    billable = models.BooleanField(default=False)
    invoice_line = models.OneToOneField(
        InvoiceLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="expense",
        help_text="The customer invoice row it was billed on.",
    )
    imported_by = models.ForeignKey(ExpenseImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-invoice_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "identity_id", "sevenoffice_key"], name="expense_once_per_client")
        ]
        indexes = [models.Index(fields=["tenant", "project", "-invoice_date"], name="expense_by_project")]

    def __str__(self):
        return f"{self.supplier_name} {self.supplier_invoice_number} ({self.amount})".strip()


class PendingExpenseReason(models.TextChoices):
    NOT_APPROVED = "not_approved", "Document not approved yet"
    PROJECT_MISSING = "project_missing", "Project not in the hub yet"


class PendingExpense(models.Model):
    """A supplier invoice an import skipped for a reason that may pass: its document not yet
    approved, or its project not yet in the hub. Approval or a new hub project does not change
    the ledger lines, so the change-date read would never see it again: each run re-checks
    these instead, until imported or EXPENSE_PENDING_DAYS old."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="pending_expenses")
    identity_id = models.UUIDField()
    sevenoffice_key = models.CharField(max_length=80)
    reason = models.CharField(max_length=20, choices=PendingExpenseReason.choices)
    # Enough to re-check it (stamp, project) and re-read its voucher (year by date, type, number).
    stamp_no = models.BigIntegerField(null=True, blank=True)
    project_sevenoffice_id = models.BigIntegerField(null=True, blank=True)
    voucher_date = models.DateField()
    transaction_type_id = models.IntegerField(null=True, blank=True)
    transaction_no = models.BigIntegerField()
    described = models.JSONField(default=dict, blank=True, help_text="As the run that skipped it reported it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "identity_id", "sevenoffice_key"], name="pending_expense_once")
        ]

    def __str__(self):
        return f"{self.sevenoffice_key} ({self.reason})"


def expense_attachment_path(attachment, filename: str) -> str:
    return f"expenses/{attachment.expense.tenant_id}/{attachment.expense_id}/{filename}"


class ExpenseAttachment(models.Model):
    """A supplier invoice's document (image or PDF) as downloaded from 24SO."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="attachments")
    sevenoffice_file_id = models.BigIntegerField()
    file = models.FileField(upload_to=expense_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["expense", "sevenoffice_file_id"], name="expense_attachment_once")
        ]

    def __str__(self):
        return self.name


class RevenueAccountRule(models.Model):
    """Vouchers: the revenue account for a department, a VAT rate, or both. The most specific
    rule wins (department and rate, then department, then rate); without one the tenant's
    revenue_account setting applies."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="revenue_account_rules")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="revenue_account_rules"
    )
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    account = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Rules for every department first, then per department; per rate within each.
        ordering = [F("department__code").asc(nulls_first=True), F("vat_rate").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(vat_rate__isnull=False), name="revenue_rule_names_something"
            ),
            models.UniqueConstraint(fields=["tenant", "department", "vat_rate"], name="revenue_rule_unique"),
            # NULLs are distinct in a plain unique constraint: one for each half-empty shape.
            models.UniqueConstraint(
                fields=["tenant", "department"], condition=Q(vat_rate__isnull=True), name="revenue_rule_department_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "vat_rate"], condition=Q(department__isnull=True), name="revenue_rule_rate_unique"
            ),
        ]

    def __str__(self):
        parts = [f"department {self.department.code}" if self.department_id else "",
                 f"VAT {self.vat_rate.normalize()} %" if self.vat_rate is not None else ""]
        return f"{' and '.join(p for p in parts if p)} -> {self.account}"


class SeriesState(models.TextChoices):
    OK = "ok", "In step"
    GAP = "gap", "Gap"
    COLLISION = "collision", "Collision"
    UNKNOWN = "unknown", "Nothing to compare"
    ERROR = "error", "Could not check"


class InvoiceSeriesCheck(models.Model):
    """The last comparison of the hub's next invoice number with what one 24SO client expects."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    credential = models.OneToOneField(
        "tenants.SevenOfficeCredential", on_delete=models.CASCADE, related_name="invoice_series_check"
    )
    departments = models.CharField(max_length=300, help_text="Codes of the departments the credential serves.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    hub_next = models.PositiveBigIntegerField(null=True, blank=True)
    expected = models.PositiveBigIntegerField(null=True, blank=True, help_text="24SO's next number.")
    state = models.CharField(max_length=10, choices=SeriesState.choices)
    message = models.TextField(blank=True)
    checked_at = models.DateTimeField()
    # The gap or collision last mailed to the tenant's error address; cleared when in step
    # again, so each new problem is mailed once (exports.series_watch).
    alerted_state = models.CharField(max_length=10, choices=SeriesState.choices, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["departments"]

    def __str__(self):
        return f"{self.departments}: {self.state}"

    @property
    def needs_fix(self) -> bool:
        return self.state in (SeriesState.GAP, SeriesState.COLLISION)


class InvoiceSeriesTrigger(models.Model):
    """The automatic series check after a receipt finished for one credential. The unique pair
    is the claim: of the chunks that finish it together, only one starts the check."""

    batch = models.ForeignKey(ExportBatch, on_delete=models.CASCADE, related_name="+")
    credential = models.ForeignKey("tenants.SevenOfficeCredential", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "credential"], name="series_check_once_per_receipt_credential")
        ]


# Repeating-invoice agreements live in their own module; imported here so Django finds them.
from exports.repeating_models import RepeatingAgreement, RepeatingLine, RepeatingSheetUpload  # noqa: E402, F401
