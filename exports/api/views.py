"""The source-system API: thin views that validate, call one service and serialize."""

from django.db.models import Prefetch
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from exports import records
from exports.api.serializers import CustomerSerializer, DepartmentSerializer, InvoiceSerializer, ProjectSerializer
from exports.models import Customer, Invoice, InvoiceLine, Project
from tenants.access import get_for_tenant_or_404
from tenants.models import Department


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
        record, created = self.upsert(tenant=request.user.tenant, **serializer.validated_data)
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
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position"))
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
