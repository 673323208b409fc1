import pytest

from exports.models import ExportBatch, Invoice
from tenants import services
from tenants.models import AuditAction, AuditEvent
from tests.admin_ui.conftest import dept

pytestmark = pytest.mark.django_db

# What the settings page posts for the fields these tests leave alone.
UNCHANGED_DEFAULTS = {
    "export_mode": "invoice", "posting_mode": "invoice", "customer_ledger_account": "1500", "revenue_account": "3000",
}


def test_admin_activates_and_deactivates_with_audit_events(tenant, login):
    client = login("admin")
    page = client.get("/marketplace/").content.decode()
    assert "24SevenOffice" in page and 'id="activate"' in page

    response = client.post("/marketplace/24sevenoffice/activate/")
    assert response.status_code == 302 and response.url == "/settings/24sevenoffice/"
    assert services.integration_settings(tenant).active
    assert 'id="deactivate"' in client.get("/marketplace/").content.decode()

    client.post("/marketplace/24sevenoffice/deactivate/")
    assert not services.integration_settings(tenant).active
    events = list(AuditEvent.objects.filter(tenant=tenant).order_by("pk").values_list("action", "actor_label"))
    assert events == [
        (AuditAction.INTEGRATION_ACTIVATED, "acme-admin"), (AuditAction.INTEGRATION_DEACTIVATED, "acme-admin"),
    ]


@pytest.mark.parametrize("role", ["accountant", "ops"])
def test_others_see_the_marketplace_read_only_and_cannot_activate(tenant, login, role):
    client = login(role)
    page = client.get("/marketplace/").content.decode()
    assert "Only admins can activate" in page and 'id="activate"' not in page
    assert client.post("/marketplace/24sevenoffice/activate/").status_code == 403
    assert client.get("/settings/24sevenoffice/").status_code == 403
    assert not services.integration_settings(tenant).active
    assert not AuditEvent.objects.exists()


def test_deactivation_stops_new_exports_and_keeps_history(tenant, login):
    from exports.models import Customer

    services.integration_activate(tenant=tenant, actor=None)
    services.integration_settings_update(tenant=tenant, actor=None, invoice_export_enabled=True)
    customer = Customer.objects.create(tenant=tenant, external_id="c-1", name="Fjord AS")
    invoice = Invoice.objects.create(
        tenant=tenant, external_id="i-1", number=1, department=dept(tenant, "OSLO"), customer=customer,
        invoice_date="2026-11-01", due_date="2026-11-15",
    )
    client = login("accountant")
    assert client.post("/exports/start/", {"invoice": [invoice.pk]}).status_code == 302
    assert ExportBatch.objects.count() == 1

    login("admin").post("/marketplace/24sevenoffice/deactivate/")
    client = login("accountant")
    response = client.post("/exports/start/", {"invoice": [invoice.pk]}, follow=True)
    assert "not switched on" in response.content.decode()
    assert ExportBatch.objects.count() == 1  # no new export, the old receipt is still there
    assert client.get(f"/exports/{ExportBatch.objects.get().pk}/").status_code == 200


def test_settings_page_saves_and_audits_each_change_with_old_and_new_value(tenant, login):
    client = login("admin")
    page = client.get("/settings/24sevenoffice/").content.decode()
    # Every setting explains itself in one line.
    for line in ("Offer 24SevenOffice as an invoice export option", "Receives a summary when an export ends",
                 "login reaches several and none is chosen"):
        assert line in page
    identity = "a0000000-0000-4000-8000-000000000001"
    response = client.post("/settings/24sevenoffice/", {
        **UNCHANGED_DEFAULTS, "invoice_export_enabled": "on", "error_email": "errors@acme.no",
        "default_identity_id": identity,
    })
    assert response.status_code == 302
    settings = services.integration_settings(tenant)
    assert settings.invoice_export_enabled and settings.error_email == "errors@acme.no"
    assert str(settings.default_identity_id) == identity
    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert event.details["changes"] == {
        "invoice_export_enabled": [False, True], "error_email": ["", "errors@acme.no"],
        "default_identity_id": [None, identity],
    }
    # Saving unchanged values records nothing new.
    client.post("/settings/24sevenoffice/", {
        **UNCHANGED_DEFAULTS, "invoice_export_enabled": "on", "error_email": "errors@acme.no",
        "default_identity_id": identity,
    })
    assert AuditEvent.objects.filter(action=AuditAction.SETTINGS_CHANGED).count() == 1


def test_settings_refuse_a_bad_mail_address(tenant, login):
    response = login("admin").post("/settings/24sevenoffice/", {"error_email": "not-an-address"})
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    assert services.integration_settings(tenant).error_email == ""
