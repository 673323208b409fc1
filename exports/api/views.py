"""The source-system API: thin views that validate, call one service and serialize."""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from exports import records, transfer
from exports.api.serializers import CustomerSerializer, DepartmentSerializer, InvoiceSerializer, ProjectSerializer
from exports.models import Customer, ExportBatch, ExportItem, Invoice, InvoiceLine, Project
from tenants.access import get_for_tenant_or_404
from tenants.models import AuditAction, Department
from tenants.services import audit_record


class ByIdPagination(CursorPagination):
    ordering = "pk"
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"


class UpsertView(ListModelMixin, GenericAPIView):
    """GET lists the tenant's records (cursor-paged); POST creates or updates one by its key.

    POST answers 201 when it created the record and 200 when it updated it, so a retried
    request never makes a second record.
    """

    pagination_class = ByIdPagination
    upsert = None  # staticmethod(service)

    def get_queryset(self):
        return super().get_queryset().filter(tenant=self.request.user.tenant)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "tenant": self.request.user.tenant}

    def get(self, request):
        return self.list(request)

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record, created = self.upsert(tenant=request.user.tenant, **serializer.validated_data)
        except records.InvoiceLocked as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(
            self.get_serializer(record).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class UpsertDetailView(GenericAPIView):
    key = "external_id"

    def get(self, request, key):
        record = get_for_tenant_or_404(super().get_queryset(), request.user.tenant, **{self.key: key})
        return Response(self.get_serializer(record).data)


def invoice_queryset():
    return Invoice.objects.select_related("department", "customer", "project", "credits").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")),
        Prefetch("export_items", queryset=ExportItem.objects.order_by("-pk"), to_attr="exports_newest_first"),
    )


class DepartmentList(UpsertView):
    queryset, serializer_class = Department.objects.all(), DepartmentSerializer
    upsert = staticmethod(records.department_upsert)


class CustomerList(UpsertView):
    queryset, serializer_class = Customer.objects.all(), CustomerSerializer
    upsert = staticmethod(records.customer_upsert)


class CustomerDetail(UpsertDetailView):
    queryset, serializer_class = Customer.objects.all(), CustomerSerializer


class ProjectList(UpsertView):
    queryset, serializer_class = Project.objects.select_related("customer"), ProjectSerializer
    upsert = staticmethod(records.project_upsert)


class ProjectDetail(UpsertDetailView):
    queryset, serializer_class = Project.objects.select_related("customer"), ProjectSerializer


class InvoiceList(UpsertView):
    queryset, serializer_class = invoice_queryset(), InvoiceSerializer
    upsert = staticmethod(records.invoice_upsert)


class InvoiceDetail(UpsertDetailView):
    queryset, serializer_class = invoice_queryset(), InvoiceSerializer


class ExportRequestSerializer(serializers.Serializer):
    invoices = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False, max_length=100_000)


class ExportItemSerializer(serializers.ModelSerializer):
    invoice = serializers.CharField(source="invoice.external_id")
    number = serializers.IntegerField(source="invoice.number")
    sevenoffice_invoice_id = serializers.IntegerField(allow_null=True)
    sevenoffice_order_id = serializers.IntegerField(allow_null=True)
    sevenoffice_identity_id = serializers.UUIDField(allow_null=True)

    class Meta:
        model = ExportItem
        fields = ["invoice", "number", "status", "message", "sevenoffice_invoice_id", "sevenoffice_order_id",
                  "sevenoffice_identity_id", "attempts", "updated_at"]


class ExportList(GenericAPIView):
    """Start an export of invoices (by external id) to 24SO; answers 202 with the receipt."""

    serializer_class = ExportRequestSerializer

    @extend_schema(responses={202: inline_serializer("ExportStarted", {"id": serializers.IntegerField(),
                                                                       "url": serializers.URLField()})})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["invoices"]
        found = dict(
            Invoice.objects.filter(tenant=request.user.tenant, external_id__in=wanted).values_list("external_id", "pk")
        )
        unknown = [external_id for external_id in wanted if external_id not in found]
        if unknown:
            raise serializers.ValidationError({"invoices": [f"Unknown invoice(s): {', '.join(unknown[:50])}."]})
        batch = transfer.export_create(tenant=request.user.tenant, invoices=found.values(), source="api")
        audit_record(tenant=request.user.tenant, actor=request.user, action=AuditAction.EXPORT_STARTED, target=str(batch), details={"invoices": len(found)})
        url = request.build_absolute_uri(reverse("api-export", args=[batch.pk]))
        return Response({"id": batch.pk, "url": url}, status=status.HTTP_202_ACCEPTED)


class ExportDetail(GenericAPIView):
    """Totals per status, whether the export has finished, and every item."""

    serializer_class = ExportItemSerializer

    def get(self, request, pk):
        batch = get_for_tenant_or_404(ExportBatch.objects.all(), request.user.tenant, pk=pk)
        summary = transfer.export_summary(batch)
        items = ExportItem.objects.filter(batch=batch).select_related("invoice").order_by("pk")
        return Response({
            "id": batch.pk, "finished": summary["finished"], "counts": summary["counts"], "total": summary["total"],
            "created_at": batch.created_at, "items": self.get_serializer(items, many=True).data,
        })
