from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from tenants import services
from tenants.api_auth import HasAdminApiKey
from tenants.models import IntegrationSettings, SevenOfficeCredential


class CredentialSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    identity_id = serializers.UUIDField(required=False, allow_null=True)
    departments = serializers.JSONField(help_text='A list of department codes, or "all".')
    created_at = serializers.DateTimeField(read_only=True)

    def validate_departments(self, value):
        if value == services.ALL_DEPARTMENTS:
            return value
        if not isinstance(value, list) or not value or not all(isinstance(code, str) for code in value):
            raise serializers.ValidationError('Give a non-empty list of department codes, or "all".')
        found = {d.code: d for d in self.context["tenant"].departments.filter(code__in=value)}
        unknown = [code for code in value if code not in found]
        if unknown:
            raise serializers.ValidationError(f"Unknown department code(s): {', '.join(unknown)}.")
        return [found[code] for code in value]

    def to_representation(self, credential):
        return {
            "id": credential.pk,
            "username": credential.username,
            "identity_id": str(credential.identity_id) if credential.identity_id else None,
            "departments": services.ALL_DEPARTMENTS
            if credential.all_departments
            else [d.code for d in credential.departments.all()],
            "created_at": serializers.DateTimeField().to_representation(credential.created_at),
        }


class CredentialList(ListModelMixin, GenericAPIView):
    """24SO credentials (admin keys only). The password is write-only and never returned."""

    permission_classes = [HasAdminApiKey]
    serializer_class = CredentialSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "tenant": self.request.user.tenant}

    def get_queryset(self):
        return SevenOfficeCredential.objects.filter(tenant=self.request.user.tenant).prefetch_related("departments")

    def get(self, request):
        return self.list(request)

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            credential = services.credential_create(
                tenant=request.user.tenant, actor=request.user, username=data["username"], password=data["password"],
                identity_id=data.get("identity_id"), departments=data["departments"],
            )
        except services.ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(self.get_serializer(credential).data, status=status.HTTP_201_CREATED)


class IntegrationSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntegrationSettings
        fields = ["active", *services.SETTINGS_FIELDS]
        read_only_fields = ["active"]


class SettingsDetail(GenericAPIView):
    """The tenant's 24SO settings (admin keys only). PATCH changes the fields it names and
    records each change in the audit log; a 400 names every invalid field and saves nothing."""

    permission_classes = [HasAdminApiKey]
    serializer_class = IntegrationSettingsSerializer

    def get_object(self):
        return services.integration_settings(self.request.user.tenant)

    def get(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request):
        integration = self.get_object()
        serializer = self.get_serializer(integration, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            integration = services.integration_settings_update(
                tenant=request.user.tenant, actor=request.user, **serializer.validated_data
            )
        except services.ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(self.get_serializer(integration).data)
