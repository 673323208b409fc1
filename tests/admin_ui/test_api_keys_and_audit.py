import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from tenants import services
from tenants.models import ApiKey, AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_an_api_key_is_shown_once_works_and_stops_working_when_revoked(tenant, login):
    client = login("admin")
    response = client.post("/settings/api-keys/", {"name": "Staffing system"})
    page = response.content.decode()
    key = ApiKey.objects.get(tenant=tenant)
    full_key = page.split('<code>')[1].split('</code>')[0]
    assert full_key.startswith(f"hub_{key.lookup}_") and response["Cache-Control"] == "no-store"
    assert full_key not in client.get("/settings/api-keys/").content.decode()  # never again

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {full_key}")
    assert api.get("/api/v1/customers").status_code == 200
    assert api.get("/api/v1/credentials").status_code == 403  # not an admin key

    client.post(f"/settings/api-keys/{key.pk}/revoke/")
    assert api.get("/api/v1/customers").status_code == 401
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor_label"))
    assert actions == [(AuditAction.API_KEY_CREATED, "acme-admin"), (AuditAction.API_KEY_REVOKED, "acme-admin")]
    assert full_key not in str(AuditEvent.objects.values_list("details", flat=True))


def test_exports_started_in_the_browser_and_through_the_api_are_audited(tenant, login):
    from tests.admin_ui.conftest import make_objects

    objects = make_objects(tenant)
    login("accountant").post("/exports/start/", {"invoice": []})  # nothing ticked: nothing started
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_STARTED).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {objects['plain_key']}")
    response = api.post("/api/v1/exports", {"invoices": [objects["invoice"].external_id]}, format="json")
    assert response.status_code == 202
    event = AuditEvent.objects.get(action=AuditAction.EXPORT_STARTED)
    assert event.actor_label.startswith("API key hub_") and event.target == f"Export {response.json()['id']}"
    assert event.details == {"invoices": 1}


def test_the_audit_log_is_append_only(tenant):
    event = services.audit_record(tenant=tenant, actor=None, action=AuditAction.SETTINGS_CHANGED)
    event.target = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(target="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request, event)
                or model_admin.has_delete_permission(request, event))


def test_the_audit_page_filters_by_action_actor_and_date(tenant, login):
    services.integration_activate(tenant=tenant, actor=None)
    client = login("admin")
    client.post("/settings/api-keys/", {"name": "x"})
    page = client.get("/settings/audit/").content.decode()
    assert 'data-action="integration.activated"' in page and 'data-action="api_key.created"' in page

    page = client.get("/settings/audit/?action=api_key.created").content.decode()
    assert 'data-action="api_key.created"' in page and 'data-action="integration.activated"' not in page
    page = client.get("/settings/audit/?actor=system").content.decode()
    assert 'data-action="integration.activated"' in page and 'data-action="api_key.created"' not in page
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = client.get(f"/settings/audit/?date_from={tomorrow}").content.decode()
    assert "No events match." in page
