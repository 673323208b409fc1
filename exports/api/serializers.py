from datetime import datetime
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field

from rest_framework import serializers

from exports import sync
from exports.models import BindingKind, Customer, Invoice, InvoiceKind, MatchRule, Project, SyncStatus
from tenants.models import Department


class TenantSlugRelatedField(serializers.SlugRelatedField):
    """A reference by external id (or code) that only sees the request's tenant."""

    def get_queryset(self):
        return super().get_queryset().filter(tenant=self.context["tenant"])

    def to_internal_value(self, data):
        # A bulk request looks every reference up once, beforehand (context "known").
        known = self.context.get("known", {}).get(self.queryset.model)
        if known is not None:
            if str(data) in known:
                return known[str(data)]
            raise serializers.ValidationError(f"Unknown {self.slug_field.replace('_', ' ')} {data!r}.")
        try:
            return self.get_queryset().get(**{self.slug_field: str(data)})
        except self.get_queryset().model.DoesNotExist:
            raise serializers.ValidationError(f"Unknown {self.slug_field.replace('_', ' ')} {data!r}.") from None


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, min_length=2, required=False, default="NO")


SYNC_PRECEDENCE = [SyncStatus.NEEDS_DECISION, SyncStatus.ERROR, SyncStatus.PENDING, SyncStatus.SYNCED]  # worst first


class BindingSerializer(serializers.Serializer):
    identity_id = serializers.UUIDField(help_text="The 24SO client (identity).")
    sevenoffice_id = serializers.IntegerField(allow_null=True, help_text="24SO's customer number or project id there.")
    sync_status = serializers.ChoiceField(choices=SyncStatus.choices)
    sync_message = serializers.CharField()
    match_rule = serializers.ChoiceField(choices=MatchRule.choices, allow_null=True,
                                         help_text="How the hub found the record in 24SO.")
    candidates = serializers.ListField(child=serializers.DictField(), help_text="Choices when a decision is needed.")
    synced_at = serializers.DateTimeField(allow_null=True)


class SyncStateMixin(serializers.Serializer):
    """Sync fields: per 24SO client (`bindings`), and rolled up with the first client's number.

    The view puts the records' bindings in the context (one query for a whole page)."""

    binding_kind = None
    sevenoffice_id = serializers.SerializerMethodField(help_text="24SO's id in the tenant's first client; null until synced.")
    sync_status = serializers.SerializerMethodField(help_text="pending, synced, error or needs_decision (the worst client's).")
    sync_message = serializers.SerializerMethodField()
    synced_at = serializers.SerializerMethodField()
    bindings = serializers.SerializerMethodField()

    def _bindings(self, record):
        if "bindings" not in self.context:  # a single record: fetch its own
            self.context["bindings"] = sync.bindings_by_record(record.tenant, self.binding_kind, [record.pk])
        return self.context["bindings"].get(record.pk, [])

    def get_sevenoffice_id(self, record) -> int | None:
        bindings = self._bindings(record)
        return bindings[0].sevenoffice_id if bindings else None

    def get_sync_status(self, record) -> str:
        statuses = {b.sync_status for b in self._bindings(record)} or {SyncStatus.PENDING}
        return next(s for s in SYNC_PRECEDENCE if s in statuses)

    def get_sync_message(self, record) -> str:
        return next((b.sync_message for b in self._bindings(record) if b.sync_message), "")

    def get_synced_at(self, record) -> datetime | None:
        bindings = self._bindings(record)
        return bindings[0].synced_at if bindings else None

    @extend_schema_field(BindingSerializer(many=True))
    def get_bindings(self, record):
        return [
            {"identity_id": str(b.identity_id), "sevenoffice_id": b.sevenoffice_id, "sync_status": b.sync_status,
             "sync_message": b.sync_message, "match_rule": b.match_rule or None, "candidates": b.candidates,
             "synced_at": b.synced_at}
            for b in self._bindings(record)
        ]


SYNC_FIELDS = ["sevenoffice_id", "sync_status", "sync_message", "synced_at", "bindings"]


class CustomerSerializer(SyncStateMixin, serializers.ModelSerializer):
    binding_kind = BindingKind.CUSTOMER
    external_id = serializers.CharField(max_length=100)
    address = AddressSerializer(required=False)
    visiting_address = AddressSerializer(required=False)

    class Meta:
        model = Customer
        fields = ["external_id", "name", "organization_name", "organization_number", "email", "phone", "address",
                  "visiting_address", "created_at", "updated_at", *SYNC_FIELDS]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, customer):
        data = super().to_representation(customer)
        data["address"] = {f: getattr(customer, f) for f in ("street", "postal_code", "city", "country")}
        data["visiting_address"] = {f: getattr(customer, f"visit_{f}") for f in ("street", "postal_code", "city", "country")}
        return data

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values.update(values.pop("address", {}))
        values.update({f"visit_{k}": v for k, v in values.pop("visiting_address", {}).items()})
        return values


class ProjectSerializer(SyncStateMixin, serializers.ModelSerializer):
    binding_kind = BindingKind.PROJECT
    external_id = serializers.CharField(max_length=100)
    customer = TenantSlugRelatedField(
        slug_field="external_id", queryset=Customer.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Project
        fields = ["external_id", "number", "name", "customer", "created_at", "updated_at", *SYNC_FIELDS]
        read_only_fields = ["created_at", "updated_at"]


class DepartmentSerializer(serializers.ModelSerializer):
    code = serializers.CharField(max_length=40)

    class Meta:
        model = Department
        fields = ["code", "name", "sevenoffice_department_id", "export_mode"]

    def validate_code(self, code):
        Department._meta.get_field("code").run_validators(code)
        return code


class InvoiceLineSerializer(serializers.Serializer):
    product_number = serializers.CharField(max_length=100)
    product_name = serializers.CharField(max_length=125)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), default=Decimal("0")
    )
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"))
    period_start = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="First day of a rental period (with period_end)."
    )
    period_end = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="Last day of the period; the 24SO row is then named \"<product_name> (<start> – <end>)\".",
    )

    def validate(self, attrs):
        start, end = attrs.get("period_start"), attrs.get("period_end")
        if (start is None) != (end is None):
            missing = "period_end" if end is None else "period_start"
            raise serializers.ValidationError({missing: "A period needs both period_start and period_end."})
        if start is not None and end < start:
            raise serializers.ValidationError({"period_end": f"The period ends ({end}) before it starts ({start})."})
        return attrs


# Read back from 24SO (exports.payments); never written through the API.
PAYMENT_FIELDS = ["payment_status", "paid_at", "open_amount", "payment_checked_at"]


class InvoicePaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["external_id", "number", *PAYMENT_FIELDS, "payment_changed_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(max_length=100)
    number = serializers.IntegerField(min_value=1)
    department = TenantSlugRelatedField(slug_field="code", queryset=Department.objects.all())
    customer = TenantSlugRelatedField(slug_field="external_id", queryset=Customer.objects.all())
    project = TenantSlugRelatedField(
        slug_field="external_id", queryset=Project.objects.all(), required=False, allow_null=True
    )
    credits = TenantSlugRelatedField(
        slug_field="external_id", queryset=Invoice.objects.all(), required=False, allow_null=True
    )
    lines = InvoiceLineSerializer(many=True, allow_empty=False)
    finalised = serializers.BooleanField(
        required=False, default=False, write_only=True,  # read back as finalised_at (and finalised, below)
        help_text="The invoice is final; with real-time export on, it goes to 24SevenOffice at once.",
    )

    class Meta:
        model = Invoice
        fields = [
            "external_id", "number", "kind", "credits", "department", "customer", "project", "invoice_date",
            "due_date", "currency", "our_reference", "your_reference", "text", "lines", "finalised", "finalised_at",
            "created_at", "updated_at", *PAYMENT_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at", "finalised_at", *PAYMENT_FIELDS]

    def to_representation(self, invoice):
        data = super().to_representation(invoice)
        data["lines"] = InvoiceLineSerializer(invoice.lines.all(), many=True).data
        data["finalised"] = invoice.finalised_at is not None
        # The newest export attempt: its status and 24SO's numbers (24SO assigns its own).
        items = getattr(invoice, "exports_newest_first", None)
        latest = items[0] if items else None
        data["export_status"] = latest.status if latest else None
        data["sevenoffice_invoice_id"] = latest.sevenoffice_invoice_id if latest else None
        data["sevenoffice_order_id"] = latest.sevenoffice_order_id if latest else None
        data["sevenoffice_number_differs"] = bool(latest and latest.number_differs)
        return data

    def validate(self, attrs):
        errors = {}
        kind = attrs.get("kind", InvoiceKind.INVOICE)
        credited = attrs.get("credits")
        if kind == InvoiceKind.CREDIT_NOTE and credited is None:
            errors["credits"] = "A credit note must name the invoice it credits."
        if kind == InvoiceKind.INVOICE and credited is not None:
            errors["credits"] = "Only credit notes credit an invoice."
        if credited is not None and credited.kind != InvoiceKind.INVOICE:
            errors["credits"] = f"{credited.external_id!r} is not an invoice."
        if credited is not None and credited.external_id == attrs["external_id"]:
            errors["credits"] = "A credit note cannot credit itself."
        if attrs["due_date"] < attrs["invoice_date"]:
            errors["due_date"] = "The due date is before the invoice date."
        project = attrs.get("project")
        if project is not None and project.customer_id not in (None, attrs["customer"].pk):
            errors["project"] = f"Project {project.external_id!r} belongs to another customer."
        if "numbers" in self.context:  # a bulk request: the numbers in use, read once
            taken = self.context["numbers"].get(attrs["number"])
            taken = None if taken == attrs["external_id"] else taken
        else:
            taken = (
                Invoice.objects.filter(tenant=self.context["tenant"], number=attrs["number"])
                .exclude(external_id=attrs["external_id"])
                .values_list("external_id", flat=True)
                .first()
            )
        if taken:
            errors["number"] = f"Invoice number {attrs['number']} is already used by {taken!r}."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
