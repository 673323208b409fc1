"""Revenue accounts for vouchers per department and VAT rate (admin keys only)."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from exports import revenue_accounts
from exports.models import RevenueAccountRule
from tenants.access import get_for_tenant_or_404
from tenants.api_auth import HasAdminApiKey


class RevenueAccountRuleSerializer(serializers.Serializer):
    """Input is checked by the service, which names every bad field; these types document it."""

    id = serializers.IntegerField(read_only=True)
    department = serializers.CharField(
        allow_null=True, required=False, help_text="A department code; null for every department."
    )
    vat_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, required=False, coerce_to_string=True,
        help_text="VAT rate in per cent, e.g. \"25\"; null for every rate.",
    )
    account = serializers.IntegerField(help_text="The revenue account in 24SO's chart of accounts.")

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        unknown = set(data) - {"department", "vat_rate", "account"}
        if unknown:
            raise serializers.ValidationError({name: ["Not a field of a revenue account rule."] for name in unknown})
        return dict(data)  # typed and validated by the service, all fields at once

    def to_representation(self, rule):
        return {
            "id": rule.pk,
            "department": rule.department.code if rule.department_id else None,
            "vat_rate": str(rule.vat_rate) if rule.vat_rate is not None else None,
            "account": rule.account,
        }


def _service_call(function, **kwargs):
    try:
        return function(**kwargs)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from None


class _RevenueAccountView(GenericAPIView):
    permission_classes = [HasAdminApiKey]
    serializer_class = RevenueAccountRuleSerializer

    def get_queryset(self):
        return RevenueAccountRule.objects.filter(tenant=self.request.user.tenant).select_related("department")


class RevenueAccountList(_RevenueAccountView):
    """The tenant's revenue account rules. For each VAT rate of an invoice the voucher credits
    the department-and-rate rule's account, else the department's, else the rate's, else the
    `revenue_account` setting. Changes are recorded in the audit log."""

    @extend_schema(operation_id="revenue_accounts_list", responses=RevenueAccountRuleSerializer(many=True))
    def get(self, request):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = _service_call(
            revenue_accounts.revenue_rule_create, tenant=request.user.tenant, actor=request.user,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)


class RevenueAccountDetail(_RevenueAccountView):
    """One rule: PATCH changes the fields it names, DELETE removes it (both audited)."""

    def get_object(self):
        return get_for_tenant_or_404(self.get_queryset(), self.request.user.tenant, pk=self.kwargs["pk"])

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request, pk):
        rule = self.get_object()
        serializer = self.get_serializer(rule, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = _service_call(revenue_accounts.revenue_rule_update, rule=rule, actor=request.user,
                             **serializer.validated_data)
        return Response(self.get_serializer(rule).data)

    def delete(self, request, pk):
        revenue_accounts.revenue_rule_delete(rule=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
