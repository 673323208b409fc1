"""REST API authentication: `Authorization: Token <key>`, one tenant per key."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from tenants.models import ApiKey
from tenants.services import api_key_authenticate


class ApiKeyUser:
    """Stands in for request.user on API requests; the tenant and rights come from the key."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.tenant = api_key.tenant
        self.is_admin = api_key.is_admin

    def __str__(self):
        return f"api key {self.api_key.lookup}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, raw_key = header.partition(" ")
        if keyword != self.keyword:
            return None
        api_key = api_key_authenticate(raw_key.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        # At most one write a minute per key, so busy integrations don't write on every call.
        now = timezone.now()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request):
        return self.keyword


class HasApiKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, ApiKeyUser)


class HasAdminApiKey(permissions.BasePermission):
    message = "This endpoint needs an admin API key."

    def has_permission(self, request, view):
        return isinstance(request.user, ApiKeyUser) and request.user.is_admin


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; keys come from `manage.py create_api_key <tenant>`.",
        }
