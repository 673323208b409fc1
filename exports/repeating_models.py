"""Repeating-invoice (subscription) agreements and the sheet uploads that create them.

Imported by exports.models so Django finds them; the services are in exports.repeating and
the spreadsheet in exports.repeating_sheet.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from exports.models import Customer, Project
from tenants.models import Department, Tenant


class Frequency(models.IntegerChoices):
    """24SO's RepeatingFrequency codes; the factor says how many of these between invoices."""

    WEEKLY = 1, "Weekly"
    MONTHLY = 2, "Monthly"
    QUARTERLY = 3, "Quarterly"
    HALF_YEARLY = 4, "Every six months"
    YEARLY = 5, "Yearly"
    DAILY = 6, "Daily"


# Singular unit per code, and what factor 1 reads as.
FREQUENCY_UNITS = {1: "week", 2: "month", 3: "quarter", 4: "half-year", 5: "year", 6: "day"}
FREQUENCY_EVERY = {1: "every week", 2: "every month", 3: "every quarter", 4: "every six months",
                   5: "every year", 6: "every day"}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def frequency_in_words(factor: int | None, frequency: int | None) -> str:
    """factor 20 with frequency 6 (daily) reads "every 20th day"; factor 1 "every day"."""
    if frequency not in FREQUENCY_UNITS:
        return "not set"
    factor = factor or 1
    if factor == 1:
        return FREQUENCY_EVERY[frequency]
    return f"every {ordinal(factor)} {FREQUENCY_UNITS[frequency]}"


class RepeatingAgreement(models.Model):
    """One repeating invoice: 24SO's order header, identified by the tenant's order id."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="repeating_agreements")
    order_id = models.CharField(max_length=50, help_text="RepeatingOrderId: groups the lines of one repeating invoice.")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="repeating_agreements")
    payment_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Days from invoice date to due date.")
    our_reference = models.CharField(max_length=20, blank=True, help_text="The employee id in 24SevenOffice.")
    currency = models.CharField(max_length=3, blank=True)
    type_of_sale = models.PositiveIntegerField(
        null=True, blank=True, help_text="24SO's type group id; empty means credit sale, as 24SO does."
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    customer_reference = models.CharField(max_length=100, blank=True)
    invoice_text = models.TextField(blank=True, max_length=750)
    invoice_title = models.CharField(max_length=200, blank=True)
    delivery_name = models.CharField(max_length=200, blank=True)
    delivery_address = models.CharField(max_length=200, blank=True)
    delivery_zipcode = models.CharField(max_length=20, blank=True)
    delivery_ziparea = models.CharField(max_length=100, blank=True)
    delivery_city = models.CharField(max_length=100, blank=True)
    delivery_state = models.CharField(max_length=100, blank=True)
    delivery_country = models.CharField(max_length=100, blank=True)
    delivery_phone = models.CharField(max_length=50, blank=True)
    delivery_alternative = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "order_id"], name="repeating_order_id_unique_per_tenant")
        ]

    def __str__(self):
        return f"Repeating invoice {self.order_id}"


class RepeatingLine(models.Model):
    agreement = models.ForeignKey(RepeatingAgreement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(help_text="RepeatingCartOrder: the line's place in the order.")
    product_id = models.BigIntegerField(null=True, blank=True, help_text="24SO's product id.")
    product_number = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=125)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    discount = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, help_text="Excluding VAT.")
    price_is_fixed = models.BooleanField(default=False, help_text="Keep this price when the product's price changes.")
    next_date = models.DateField(help_text="When the next invoice is made.")
    factor = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    frequency = models.PositiveSmallIntegerField(choices=Frequency.choices)
    type_of_sale = models.PositiveIntegerField(null=True, blank=True, help_text="RepeatingTypegroupId.")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="repeating_line_position_unique")
        ]

    def __str__(self):
        return f"{self.quantity} × {self.name}"

    @property
    def creates_product(self) -> bool:
        """Neither product id nor number: 24SO creates a product from name and price."""
        return self.product_id is None and not self.product_number

    @property
    def repeats(self) -> str:
        return frequency_in_words(self.factor, self.frequency)


class SheetUploadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    CHECKING = "checking", "Checking"
    INVALID = "invalid", "Has errors"
    READY = "ready", "Ready to apply"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    REFUSED = "refused", "Refused"


class RepeatingSheetUpload(models.Model):
    """An uploaded sheet, checked and applied in the background; the page polls its progress.

    Its status changes only through exports.repeating_upload."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(help_text="The file as uploaded; dropped once applied.")
    status = models.CharField(max_length=20, choices=SheetUploadStatus.choices, default=SheetUploadStatus.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True, help_text="As the sheet declares it, if it does.")
    rows_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Sheet upload {self.pk} ({self.status})"
