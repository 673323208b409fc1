"""POST /api/v1/invoices/bulk: many invoices in one request, all or nothing."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from exports import records
from exports.api.serializers import InvoiceSerializer
from exports.models import Customer, Invoice, Project
from tenants.models import Department

BULK_MAX = 1000


def _strings(rows, name) -> set[str]:
    return {str(row[name]) for row in rows if isinstance(row, dict) and row.get(name) not in (None, "")}


def bulk_references(tenant, rows) -> dict:
    """Every record the rows refer to, in one query per kind (the serializer's "known")."""
    return {
        Department: {d.code: d for d in Department.objects.filter(tenant=tenant)},
        Customer: {c.external_id: c for c in Customer.objects.filter(tenant=tenant, external_id__in=_strings(rows, "customer"))},
        Project: {p.external_id: p for p in Project.objects.filter(tenant=tenant, external_id__in=_strings(rows, "project"))},
        Invoice: {i.external_id: i for i in Invoice.objects.filter(tenant=tenant, external_id__in=_strings(rows, "credits"))},
    }


def numbers_in_use(tenant, rows) -> dict[int, str]:
    numbers = set()
    for row in rows:
        try:
            numbers.add(int(row["number"]))
        except (TypeError, ValueError, KeyError):
            continue
    return dict(Invoice.objects.filter(tenant=tenant, number__in=numbers).values_list("number", "external_id"))


def repeated_in_request(rows) -> list[dict]:
    """An external id or number twice in one request: the later ones are named."""
    errors, seen = [], {"external_id": {}, "number": {}}
    for index, row in enumerate(rows):
        for name, first_seen in seen.items():
            value = row.get(name) if isinstance(row, dict) else None
            if value in (None, ""):
                continue
            if str(value) in first_seen:
                errors.append({"index": index, "external_id": row.get("external_id"),
                               "errors": {name: [f"Also at index {first_seen[str(value)]} of this request."]}})
            else:
                first_seen[str(value)] = index
    return errors


class InvoiceBulk(GenericAPIView):
    """Create or replace up to 1000 invoices in one request (each as in POST /invoices).

    Atomic: when any invoice is refused, none is saved, and the answer names each refused
    one by its index in the list. Invoices a credit note credits must exist beforehand."""

    serializer_class = InvoiceSerializer

    @extend_schema(
        request=InvoiceSerializer(many=True),
        responses={
            200: inline_serializer("InvoiceBulkSaved", {
                "created": serializers.IntegerField(), "updated": serializers.IntegerField(),
                "invoices": inline_serializer("InvoiceBulkRow", {
                    "external_id": serializers.CharField(), "created": serializers.BooleanField()}, many=True),
            }),
            400: inline_serializer("InvoiceBulkErrors", {"errors": serializers.ListField(child=serializers.DictField())}),
        },
    )
    def post(self, request):
        rows = request.data
        if not isinstance(rows, list) or not 1 <= len(rows) <= BULK_MAX:
            return Response({"detail": f"Send a JSON list of 1 to {BULK_MAX} invoices."}, status=status.HTTP_400_BAD_REQUEST)
        tenant = request.user.tenant
        context = {**self.get_serializer_context(), "tenant": tenant, "known": bulk_references(tenant, rows),
                   "numbers": numbers_in_use(tenant, rows)}
        errors = repeated_in_request(rows)
        serializer = InvoiceSerializer(data=rows, many=True, context=context)  # fields built once, not per row
        if not serializer.is_valid():
            found = serializer.errors  # per row: a list, or (DRF 3.16+) a dict of the failing indexes
            for index, row_errors in (found.items() if isinstance(found, dict) else enumerate(found)):
                if row_errors:
                    row = rows[int(index)]
                    external_id = row.get("external_id") if isinstance(row, dict) else None
                    errors.append({"index": int(index), "external_id": external_id, "errors": row_errors})
        if errors:
            return Response({"errors": sorted(errors, key=lambda e: e["index"])}, status=status.HTTP_400_BAD_REQUEST)
        try:
            saved = records.invoices_bulk_upsert(tenant=tenant, invoices=serializer.validated_data)
        except records.BulkRejected as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_409_CONFLICT)
        created = sum(1 for _, was_created in saved if was_created)
        return Response({
            "created": created, "updated": len(saved) - created,
            "invoices": [{"external_id": invoice.external_id, "created": was_created} for invoice, was_created in saved],
        })
