import pytest

from tenants.models import AuditAction, AuditEvent, IntegrationSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(make_api):
    return make_api("settings-co", admin=True)


def test_get_lists_every_setting_with_defaults(admin_api):
    response = admin_api.get("/api/v1/settings")
    assert response.status_code == 200
    body = response.json()
    assert body["export_mode"] == "invoice"
    assert body["posting_mode"] == "invoice"
    assert body["generic_product_name"] == ""
    assert body["customer_ledger_account"] == 1500
    assert body["revenue_account"] == 3000
    assert body["expense_import_enabled"] is False
    assert body["active"] is False


def test_patch_changes_only_named_fields_and_audits_them(admin_api):
    response = admin_api.patch(
        "/api/v1/settings",
        {"export_mode": "order", "generic_product_name": "Rental", "generic_product_category": "Rentals"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    stored = IntegrationSettings.objects.get(tenant=admin_api.tenant)
    assert (stored.export_mode, stored.generic_product_name, stored.generic_product_category) == (
        "order", "Rental", "Rentals"
    )
    assert stored.posting_mode == "invoice"
    event = AuditEvent.objects.get(tenant=admin_api.tenant, action=AuditAction.SETTINGS_CHANGED)
    assert event.details["changes"]["export_mode"] == ["invoice", "order"]


def test_invalid_values_name_the_field_and_save_nothing(admin_api):
    response = admin_api.patch(
        "/api/v1/settings", {"export_mode": "fax", "expense_accounts": "4000, abc", "revenue_account": 12},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"export_mode", "expense_accounts", "revenue_account"}
    assert "'abc'" in response.json()["expense_accounts"][0]
    assert IntegrationSettings.objects.get(tenant=admin_api.tenant).export_mode == "invoice"


def test_expense_import_needs_accounts(admin_api):
    response = admin_api.patch("/api/v1/settings", {"expense_import_enabled": True}, format="json")
    assert response.status_code == 400
    assert "expense_accounts" in response.json()
    ok = admin_api.patch(
        "/api/v1/settings", {"expense_import_enabled": True, "expense_accounts": "4000,4300"}, format="json"
    )
    assert ok.status_code == 200, ok.json()


def test_accountant_keys_cannot_read_or_change_settings(make_api):
    api = make_api("plain-co")
    assert api.get("/api/v1/settings").status_code == 403
    assert api.patch("/api/v1/settings", {"export_mode": "order"}, format="json").status_code == 403
