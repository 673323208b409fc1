from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q

from tenants.models import Department, Tenant

CENT = Decimal("0.01")


class Customer(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    organization_number = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, default="NO")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "external_id"], name="customer_external_id_unique_per_tenant")
        ]

    def __str__(self):
        return self.name


class Project(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="projects")
    external_id = models.CharField(max_length=100)
    number = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=200)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="projects")
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
