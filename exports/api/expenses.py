"""Expense API: start and follow imports from 24SO, list expenses, change billable, download documents,
bill expenses on an invoice."""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from exports import expenses
from exports.api.views import ByIdPagination
from exports.models import Expense, ExpenseAttachment, ExpenseImport, Invoice, InvoiceLine, Project
from tenants.access import get_for_tenant_or_404


class ExpenseAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Downloads the document (same API key).")

    class Meta:
        model = ExpenseAttachment
        fields = ["id", "name", "size", "content_type", "url"]

    def get_url(self, attachment) -> str:
        path = reverse("api-expense-attachment", args=[attachment.expense_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ExpenseSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.external_id", read_only=True)
    invoice = serializers.SerializerMethodField(help_text="External id of the invoice it was billed on, if any.")
    attachments = ExpenseAttachmentSerializer(many=True, read_only=True)
    sevenoffice_identity_id = serializers.UUIDField(source="identity_id", read_only=True)

    class Meta:
        model = Expense
        fields = ["id", "description", "amount", "amount_excl_vat", "supplier_name", "supplier_invoice_number",
                  "invoice_date", "project", "billable", "invoice", "attachments", "sevenoffice_identity_id",
                  "transaction_no", "stamp_no", "created_at", "updated_at"]
        read_only_fields = [f for f in fields if f != "billable"]

    def get_invoice(self, expense) -> str | None:
        line = expense.invoice_line
        return line.invoice.external_id if line else None


class BillableSerializer(serializers.Serializer):
    billable = serializers.BooleanField()


def expense_queryset():
    return Expense.objects.select_related("project", "invoice_line__invoice").prefetch_related("attachments")


class ExpenseList(GenericAPIView):
    """The tenant's imported expenses, newest first by id; filter by project, billable or invoice."""

    serializer_class = ExpenseSerializer
    pagination_class = ByIdPagination

    @extend_schema(operation_id="expenses_list", responses=ExpenseSerializer(many=True), parameters=[
        OpenApiParameter("project", str, description="A project's external id."),
        OpenApiParameter("invoice", str, description="An invoice's external id: the expenses billed on it."),
        OpenApiParameter("billable", bool),
    ])
    def get(self, request):
        tenant = request.user.tenant
        queryset = expense_queryset().filter(tenant=tenant)
        params = request.query_params
        if "project" in params:
            project = Project.objects.filter(tenant=tenant, external_id=params["project"]).first()
            if project is None:
                raise serializers.ValidationError({"project": [f"Unknown project {params['project']!r}."]})
            queryset = queryset.filter(project=project)
        if "invoice" in params:
            invoice = Invoice.objects.filter(tenant=tenant, external_id=params["invoice"]).first()
            if invoice is None:
                raise serializers.ValidationError({"invoice": [f"Unknown invoice {params['invoice']!r}."]})
            queryset = queryset.filter(invoice_line__invoice=invoice)
        if "billable" in params:
            wanted = {"true": True, "false": False}.get(params["billable"].lower())
            if wanted is None:
                raise serializers.ValidationError({"billable": ["Use true or false."]})
            queryset = queryset.filter(billable=wanted)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ExpenseDetail(GenericAPIView):
    """One expense; PATCH changes whether it is billable (not once it is billed)."""

    serializer_class = ExpenseSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(get_for_tenant_or_404(expense_queryset(), request.user.tenant, pk=pk)).data)

    @extend_schema(request=BillableSerializer)
    def patch(self, request, pk):
        expense = get_for_tenant_or_404(expense_queryset(), request.user.tenant, pk=pk)
        wanted = BillableSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            expenses.expense_set_billable(expense=expense, billable=wanted.validated_data["billable"])
        except expenses.ExpenseError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from None
        return Response(self.get_serializer(get_for_tenant_or_404(expense_queryset(), request.user.tenant, pk=pk)).data)


class ExpenseAttachmentDownload(GenericAPIView):
    """The stored document itself."""

    serializer_class = None

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk, attachment_pk):
        return attachment_response(request.user.tenant, attachment_pk, expense_id=pk)


def attachment_response(tenant, attachment_pk, *, expense_id=None) -> FileResponse:
    """One of the tenant's stored documents as a download; 404 for anyone else's."""
    found = ExpenseAttachment.objects.filter(expense__tenant=tenant, pk=attachment_pk)
    if expense_id is not None:
        found = found.filter(expense_id=expense_id)
    attachment = found.first()
    if attachment is None:
        raise Http404("No expense document matches the given query.")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type)


class InvoiceExpensesRequestSerializer(serializers.Serializer):
    expenses = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                     help_text="Ids of billable expenses of the invoice customer's projects.")


class ExpenseRowSerializer(serializers.ModelSerializer):
    expense = serializers.IntegerField(source="expense.pk", read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["expense", "position", "product_number", "product_name", "quantity", "unit_price", "vat_rate"]


class InvoiceExpenses(GenericAPIView):
    """Bill expenses on an invoice of the hub: each becomes a row (net amount, the supplier's VAT
    rate), as on the Expenses page. All or nothing; 400 names the problem per expense id."""

    serializer_class = InvoiceExpensesRequestSerializer

    @extend_schema(responses={201: inline_serializer("InvoiceExpensesAdded", {
        "invoice": serializers.CharField(), "rows": ExpenseRowSerializer(many=True)})})
    def post(self, request, key):
        invoice = get_for_tenant_or_404(Invoice.objects.all(), request.user.tenant, external_id=key)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            lines = expenses.expenses_add_to_invoice(invoice=invoice, expense_ids=serializer.validated_data["expenses"])
        except expenses.ExpenseError as exc:
            if exc.problems:
                raise serializers.ValidationError(
                    {exc.field: {str(pk): [message] for pk, message in sorted(exc.problems.items())}}) from None
            raise serializers.ValidationError({exc.field: [exc.message]}) from None
        rows = (InvoiceLine.objects.filter(pk__in=[line.pk for line in lines]).select_related("expense")
                .order_by("position"))
        return Response({"invoice": invoice.external_id, "rows": ExpenseRowSerializer(rows, many=True).data},
                        status=status.HTTP_201_CREATED)


class ExpenseImportRequestSerializer(serializers.Serializer):
    full = serializers.BooleanField(required=False, default=False,
                                    help_text="Read every supplier invoice again, not only what changed since the last run.")


class ExpenseImportSerializer(serializers.ModelSerializer):
    finished = serializers.BooleanField(read_only=True)
    skipped = serializers.ListField(child=serializers.DictField(), help_text="What was not imported, each with a reason.")
    failed = serializers.ListField(child=serializers.DictField(), help_text="What failed, each with a reason.")

    class Meta:
        model = ExpenseImport
        fields = ["id", "status", "finished", "trigger", "full", "created_at", "started_at", "finished_at",
                  "imported", "already_imported", "skipped", "failed"]


class ExpenseImportList(GenericAPIView):
    """Start an expense import from 24SO (202), or get the one already under way (200)."""

    serializer_class = ExpenseImportRequestSerializer

    @extend_schema(responses={
        202: inline_serializer("ExpenseImportStarted", {"id": serializers.IntegerField(), "url": serializers.URLField()}),
        200: inline_serializer("ExpenseImportUnderWay", {"id": serializers.IntegerField(), "url": serializers.URLField()}),
    })
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            run, created = expenses.expense_import_start(tenant=request.user.tenant, actor=request.user,
                                                         full=serializer.validated_data["full"])
        except expenses.ExpenseError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from None
        url = request.build_absolute_uri(reverse("api-expense-import", args=[run.pk]))
        return Response({"id": run.pk, "url": url}, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class ExpenseImportDetail(GenericAPIView):
    """A run: whether it finished, how many it imported, and what it skipped or failed, with reasons."""

    serializer_class = ExpenseImportSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(get_for_tenant_or_404(ExpenseImport.objects.all(),
                                                                  request.user.tenant, pk=pk)).data)
