"""The repeating-invoice API: agreements by order id, and 24SO's import sheet out and in."""

from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from exports import repeating, repeating_upload
from exports.api.serializers import TenantSlugRelatedField
from exports.api.views import UpsertDetailView, UpsertView
from exports.models import Customer, Project, RepeatingAgreement
from exports.repeating_models import Frequency, frequency_in_words
from exports.repeating_sheet import SheetNotReady, agreements_for_sheet, sheet_bytes
from tenants.models import Department

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FREQUENCIES = ", ".join(f"{value} {label.lower()}" for value, label in Frequency.choices)


class RepeatingLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="24SO's product id.")
    product_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=125)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                     help_text="Excluding VAT. Needed when neither product id nor number is given.")
    discount = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"),
                                        max_value=Decimal("100"), default=Decimal("0"))
    price_is_fixed = serializers.BooleanField(default=False)
    next_date = serializers.DateField(input_formats=["iso-8601", "%d.%m.%Y"], help_text="YYYY-MM-DD or dd.mm.yyyy.")
    factor = serializers.IntegerField(min_value=1, default=1)
    frequency = serializers.ChoiceField(
        choices=Frequency.choices, help_text=FREQUENCIES,
        error_messages={"invalid_choice": f"Unknown frequency {{input}}; use {FREQUENCIES}."},
    )
    position = serializers.IntegerField(min_value=1, required=False, help_text="Line order (RepeatingCartOrder).")
    type_of_sale = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    repeats = serializers.SerializerMethodField(help_text="Factor and frequency in words, e.g. every 20th day.")
    creates_product = serializers.SerializerMethodField(help_text="24SO creates a product from name and price.")

    def get_repeats(self, line) -> str:
        return frequency_in_words(line["factor"], line["frequency"])

    def get_creates_product(self, line) -> bool:
        return line["product_id"] is None and not line["product_number"]


class RepeatingAgreementSerializer(serializers.Serializer):
    order_id = serializers.CharField(max_length=50)
    customer = TenantSlugRelatedField(slug_field="external_id", queryset=Customer.objects.all())
    payment_days = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    our_reference = serializers.RegexField(r"^\d*$", max_length=20, required=False, allow_blank=True,
                                           help_text="The employee id in 24SevenOffice.")
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, allow_blank=True)
    type_of_sale = serializers.IntegerField(min_value=0, required=False, allow_null=True,
                                            help_text="24SO's type group id; empty is credit sale.")
    department = TenantSlugRelatedField(slug_field="code", queryset=Department.objects.all(), required=False,
                                        allow_null=True)
    project = TenantSlugRelatedField(slug_field="external_id", queryset=Project.objects.all(), required=False,
                                     allow_null=True)
    customer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    invoice_text = serializers.CharField(max_length=750, required=False, allow_blank=True)
    invoice_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    delivery_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    delivery_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    delivery_zipcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    delivery_ziparea = serializers.CharField(max_length=100, required=False, allow_blank=True)
    delivery_city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    delivery_state = serializers.CharField(max_length=100, required=False, allow_blank=True)
    delivery_country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    delivery_phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    delivery_alternative = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lines = RepeatingLineSerializer(many=True, allow_empty=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def validate(self, attrs):
        spec = agreement_spec(attrs)
        problems = repeating.spec_problems(spec)
        if problems:
            errors = {}  # the shape DRF gives lines' own errors: {"lines": {index: {field: [...]}}}
            for index, field_name, message in problems:
                if index is None:
                    errors[field_name] = [message]
                else:
                    errors.setdefault("lines", {}).setdefault(index, {}).setdefault(field_name, []).append(message)
            raise serializers.ValidationError(errors)
        return attrs

    def to_representation(self, agreement):
        spec = repeating.spec_of(agreement)
        data = {name: spec[name] for name in repeating.HEADER_FIELDS if not name.endswith("_id")}
        data.update(
            order_id=agreement.order_id, customer=agreement.customer.external_id,
            department=agreement.department.code if agreement.department_id else None,
            project=agreement.project.external_id if agreement.project_id else None,
            created_at=agreement.created_at, updated_at=agreement.updated_at,
            lines=RepeatingLineSerializer(spec["lines"], many=True).data,
        )
        return data


def agreement_spec(attrs) -> dict:
    """The service's spec from validated API data (records become their ids)."""
    spec = {k: v for k, v in attrs.items() if k not in ("customer", "department", "project", "lines")}
    spec["customer_id"] = attrs["customer"].pk
    spec["department_id"] = attrs["department"].pk if attrs.get("department") else None
    spec["project_id"] = attrs["project"].pk if attrs.get("project") else None
    spec["lines"] = [dict(line) for line in attrs["lines"]]
    return spec


def agreements_queryset():
    return RepeatingAgreement.objects.select_related("customer", "department", "project").prefetch_related("lines")


def _agreement_upsert(*, tenant, **validated):
    return repeating.agreement_save(tenant=tenant, spec=agreement_spec(validated))


class RepeatingInvoiceList(UpsertView):
    """GET lists the tenant's repeating invoices; POST creates or updates one by its order id
    (201 created, 200 updated; its lines are replaced by those given)."""

    queryset, serializer_class = agreements_queryset(), RepeatingAgreementSerializer
    upsert = staticmethod(_agreement_upsert)


class RepeatingInvoiceDetail(UpsertDetailView):
    queryset, serializer_class = agreements_queryset(), RepeatingAgreementSerializer
    key = "order_id"


ERRORS = inline_serializer("SheetError", {"row": serializers.IntegerField(allow_null=True),
                                          "column": serializers.CharField(allow_null=True),
                                          "message": serializers.CharField()}, many=True)
SHEET_RESULT = inline_serializer("SheetResult", {
    "dry_run": serializers.BooleanField(), "created": serializers.ListField(child=serializers.CharField()),
    "changed": serializers.ListField(child=serializers.DictField()), "unchanged": serializers.IntegerField(),
    "agreements": serializers.IntegerField(), "lines": serializers.IntegerField(),
})


class RepeatingInvoiceSheet(GenericAPIView):
    """GET: every repeating invoice as 24SO's import sheet (.xlsx). POST (multipart `file`):
    read a sheet and create or update the agreements it holds; with ?dry_run=1 only say what
    would change. Any problem answers 400 with every error by row and column, nothing saved."""

    parser_classes = [MultiPartParser]
    serializer_class = None

    @extend_schema(responses={(200, XLSX): bytes, 409: inline_serializer("SheetNotReady", {
        "detail": serializers.CharField(), "problems": serializers.ListField(child=serializers.CharField())})})
    def get(self, request):
        try:
            content = sheet_bytes(request.user.tenant, agreements_for_sheet(request.user.tenant))
        except SheetNotReady as exc:
            return Response({"detail": "Some agreements name records 24SevenOffice does not have yet.",
                             "problems": exc.problems}, status=status.HTTP_409_CONFLICT)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="repeating-invoices.xlsx"'
        return response

    @extend_schema(
        request={"multipart/form-data": inline_serializer("SheetUpload", {"file": serializers.FileField()})},
        parameters=[OpenApiParameter("dry_run", bool, description="1: check and preview, save nothing.")],
        responses={200: SHEET_RESULT, 400: inline_serializer("SheetErrors", {"errors": ERRORS})},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return _errors("Send the spreadsheet as the multipart field 'file'.")
        if upload.size > repeating_upload.MAX_FILE_BYTES:
            return _errors(repeating_upload.TOO_BIG)
        dry_run = request.query_params.get("dry_run") in ("1", "true", "yes")
        outcome = repeating_upload.sheet_import(tenant=request.user.tenant, data=upload.read(), dry_run=dry_run)
        if outcome.errors:
            return Response({"errors": outcome.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"dry_run": dry_run, **outcome.summary})


def _errors(message):
    return Response({"errors": [{"row": None, "column": None, "message": message}]}, status=status.HTTP_400_BAD_REQUEST)
