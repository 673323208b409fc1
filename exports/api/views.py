"""The source-system API: thin views that validate, call one service and serialize."""

from django.db.models import Prefetch
from django.db.models import Q
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from exports import payments, records, sync, transfer
from exports.api.serializers import (
    CustomerSerializer,
    DepartmentSerializer,
    InvoicePaymentSerializer,
    InvoiceSerializer,
    ProjectSerializer,
)
from exports.models import (
    BindingKind,
    Customer,
    ExportBatch,
    ExportItem,
    Invoice,
    InvoiceLine,
    Project,
    SevenOfficeBinding,
    SyncStatus,
)
from tenants.access import get_for_tenant_or_404
from tenants.api_auth import HasAdminApiKey
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
        # getattr: the OpenAPI generator builds serializers without a signed-in key.
        return {**super().get_serializer_context(), "tenant": getattr(self.request.user, "tenant", None)}

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


class SyncStateViewMixin:
    """List and detail views of synced records: bindings in one query, filters on sync state."""

    binding_kind = None

    def filter_sync(self, queryset):
        params = self.request.query_params
        if changed_since := params.get("changed_since"):
            moment = parse_datetime(changed_since)
            if moment is None:
                raise serializers.ValidationError({"changed_since": "Use an ISO 8601 date-time."})
            synced_keys = SevenOfficeBinding.objects.filter(
                tenant=self.request.user.tenant, kind=self.binding_kind, synced_at__gte=moment
            ).values_list("key", flat=True)
            queryset = queryset.filter(Q(updated_at__gte=moment) | Q(pk__in=[int(k) for k in synced_keys]))
        if status_wanted := params.get("sync_status"):
            if status_wanted not in SyncStatus.values:
                raise serializers.ValidationError({"sync_status": f"One of {', '.join(SyncStatus.values)}."})
            keyed = SevenOfficeBinding.objects.filter(tenant=self.request.user.tenant, kind=self.binding_kind)
            with_status = keyed.filter(sync_status=status_wanted).values_list("key", flat=True)
            ids = {int(k) for k in with_status}
            if status_wanted == SyncStatus.PENDING:  # never synced anywhere yet counts as pending
                ids |= set(queryset.exclude(pk__in=[int(k) for k in keyed.values_list("key", flat=True)])
                           .values_list("pk", flat=True))
            queryset = queryset.filter(pk__in=ids)
        return queryset

    def list(self, request):
        # A whole page's bindings in one go; single records fetch their own (SyncStateMixin).
        page = self.paginate_queryset(self.filter_sync(self.get_queryset()))
        bindings = sync.bindings_by_record(request.user.tenant, self.binding_kind, [r.pk for r in page])
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(), "bindings": bindings})
        return self.get_paginated_response(serializer.data)


class DepartmentList(UpsertView):
    queryset, serializer_class = Department.objects.all(), DepartmentSerializer
    upsert = staticmethod(records.department_upsert)


class CustomerList(SyncStateViewMixin, UpsertView):
    binding_kind = BindingKind.CUSTOMER
    queryset, serializer_class = Customer.objects.all(), CustomerSerializer
    upsert = staticmethod(records.customer_upsert)


class CustomerDetail(SyncStateViewMixin, UpsertDetailView):
    binding_kind = BindingKind.CUSTOMER
    queryset, serializer_class = Customer.objects.all(), CustomerSerializer


class ProjectList(SyncStateViewMixin, UpsertView):
    binding_kind = BindingKind.PROJECT
    queryset, serializer_class = Project.objects.select_related("customer"), ProjectSerializer
    upsert = staticmethod(records.project_upsert)


class ProjectDetail(SyncStateViewMixin, UpsertDetailView):
    binding_kind = BindingKind.PROJECT
    queryset, serializer_class = Project.objects.select_related("customer"), ProjectSerializer


class InvoiceList(UpsertView):
    queryset, serializer_class = invoice_queryset(), InvoiceSerializer
    upsert = staticmethod(records.invoice_upsert)

    def get_queryset(self):
        queryset = super().get_queryset()
        if (since := self.request.query_params.get("payment_changed_since")) is not None:
            queryset = queryset.filter(payment_changed_at__gte=_moment("payment_changed_since", since))
        return queryset

    @extend_schema(parameters=[OpenApiParameter(
        "payment_changed_since", OpenApiTypes.DATETIME,
        description="Only invoices whose payment status, paid date or open amount changed at or after this time.",
    )])
    def get(self, request):
        return super().get(request)


def _moment(name: str, value: str):
    """An ISO 8601 date-time query parameter; one without a zone is in the hub's time zone."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise serializers.ValidationError({name: "Use an ISO 8601 date-time, e.g. 2026-11-21T10:00:00Z "
                                                 "(URL-encode a + in the offset as %2B)."})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class InvoiceDetail(UpsertDetailView):
    queryset, serializer_class = invoice_queryset(), InvoiceSerializer


class InvoiceCheckPayment(GenericAPIView):
    """Ask 24SevenOffice now whether the invoice is paid; answers its payment fields.

    409 when the invoice was never exported; 502 (with the fields as they were) when
    24SevenOffice could not answer.
    """

    serializer_class = InvoicePaymentSerializer

    @extend_schema(request=None, responses={200: InvoicePaymentSerializer, 409: None, 502: None})
    def post(self, request, key):
        invoice = get_for_tenant_or_404(Invoice.objects.all(), request.user.tenant, external_id=key)
        report = payments.payments_check(invoices=[invoice])
        if invoice.pk in report.not_exported:
            return Response(
                {"detail": f"Invoice {invoice.external_id!r} was never exported to 24SevenOffice."},
                status=status.HTTP_409_CONFLICT,
            )
        invoice.refresh_from_db()
        data = self.get_serializer(invoice).data
        if error := report.errors.get(invoice.pk):
            return Response({"detail": error, **data}, status=status.HTTP_502_BAD_GATEWAY)
        return Response(data)


class ExportRequestSerializer(serializers.Serializer):
    invoices = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False, max_length=100_000)


class ExportItemSerializer(serializers.ModelSerializer):
    invoice = serializers.CharField(source="invoice.external_id")
    number = serializers.IntegerField(source="invoice.number")
    sevenoffice_invoice_id = serializers.IntegerField(allow_null=True)
    sevenoffice_order_id = serializers.IntegerField(allow_null=True)
    sevenoffice_identity_id = serializers.UUIDField(allow_null=True)
    sevenoffice_transaction_no = serializers.IntegerField(allow_null=True)
    sevenoffice_document = serializers.CharField(
        read_only=True, help_text='What 24SO holds, e.g. "Invoice 10001" or "Order 12"; empty until sent.'
    )

    class Meta:
        model = ExportItem
        fields = ["invoice", "number", "status", "message", "sent_as", "sevenoffice_invoice_id", "sevenoffice_order_id",
                  "sevenoffice_transaction_no", "sevenoffice_identity_id", "sevenoffice_document", "attempts",
                  "updated_at"]


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


class CustomerResync(GenericAPIView):
    """Send the customer to 24SevenOffice again (for example after fixing what failed)."""

    serializer_class = None

    @extend_schema(request=None, responses={202: inline_serializer("Resync", {"queued": serializers.BooleanField()})})
    def post(self, request, key):
        customer = get_for_tenant_or_404(Customer.objects.all(), request.user.tenant, external_id=key)
        sync.customer_changed(customer)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


class MatchChoiceSerializer(serializers.Serializer):
    identity_id = serializers.UUIDField(help_text="The 24SO client whose match is being decided.")
    sevenoffice_id = serializers.IntegerField(help_text="One of the binding's candidates.")


class CustomerChooseMatch(GenericAPIView):
    """An admin's answer when e-mail and organisation number match different 24SO customers."""

    permission_classes = [HasAdminApiKey]
    serializer_class = MatchChoiceSerializer

    @extend_schema(responses={202: inline_serializer("MatchChosen", {"queued": serializers.BooleanField()})})
    def post(self, request, key):
        customer = get_for_tenant_or_404(Customer.objects.all(), request.user.tenant, external_id=key)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sync.customer_choose_match(
                customer=customer, identity_id=str(serializer.validated_data["identity_id"]),
                sevenoffice_id=serializer.validated_data["sevenoffice_id"],
            )
        except ValueError:
            raise serializers.ValidationError({"sevenoffice_id": ["Not one of the candidates for that client."]}) from None
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)
