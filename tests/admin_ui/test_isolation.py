"""A user or API key of tenant A gets 404 for every object of tenant B."""

import pytest
from rest_framework.test import APIClient

from exports.models import ExportBatch, ExportItem
from tenants.models import ApiKey, SevenOfficeCredential
from tests.admin_ui.conftest import PASSWORD, make_objects, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_and_b(tenant):
    return make_objects(tenant), make_objects(make_tenant("bravo"))


def browser_paths(b):
    batch, credential, key = b["batch"].pk, b["credential"].pk, b["api_key"].pk
    return [
        ("get", f"/exports/{batch}/"), ("get", f"/exports/{batch}/updates"), ("post", f"/exports/{batch}/retry/"),
        ("get", f"/settings/credentials/{credential}/"), ("post", f"/settings/credentials/{credential}/"),
        ("get", f"/settings/credentials/{credential}/rotate/"), ("post", f"/settings/credentials/{credential}/rotate/"),
        ("get", f"/settings/credentials/{credential}/delete/"), ("post", f"/settings/credentials/{credential}/delete/"),
        ("post", f"/settings/credentials/{credential}/test/"), ("post", f"/settings/credentials/{credential}/identity/"),
        ("post", f"/settings/api-keys/{key}/revoke/"),
        ("post", f"/customers/{b['customer'].pk}/resync/"), ("post", f"/customers/{b['customer'].pk}/choose/"),
        ("post", f"/projects/{b['project'].pk}/resync/"),
        ("post", f"/settings/users/{b['member'].pk}/"),
        ("get", f"/invoices/{b['invoice'].pk}/"), ("post", f"/invoices/{b['invoice'].pk}/check-payment/"),
        ("post", f"/exports/{batch}/check-payment/"),
    ]


@pytest.mark.parametrize("role", ["admin", "accountant", "ops"])
def test_a_user_of_a_gets_404_for_every_object_of_b(client, a_and_b, role):
    _, b = a_and_b
    assert client.login(username=f"acme-{role}", password=PASSWORD)
    for method, path in browser_paths(b):
        if role != "admin" and ("/settings/" in path or path.endswith("/choose/")):
            continue  # refused earlier by role (403), as the matrix shows
        response = getattr(client, method)(path, {"password": "x" * 12, "identity_id": "x", "username": "x"}
                                           if method == "post" else None)
        assert response.status_code == 404, (method, path, response.status_code)
    # Nothing of B changed.
    assert SevenOfficeCredential.objects.filter(pk=b["credential"].pk, username="bravo@24so.no").exists()
    assert ApiKey.objects.get(pk=b["api_key"].pk).revoked_at is None


def test_a_user_of_a_cannot_export_or_preview_invoices_of_b(client, a_and_b):
    _, b = a_and_b
    assert client.login(username="acme-accountant", password=PASSWORD)
    before = ExportBatch.objects.count()
    response = client.post("/exports/start/", {"invoice": [b["invoice"].pk]})
    assert response.status_code == 302 and ExportBatch.objects.count() == before
    assert b["invoice"].external_id not in client.post("/exports/confirm/", {"invoice": [b["invoice"].pk]},
                                                       follow=True).content.decode()
    assert ExportItem.objects.filter(invoice=b["invoice"]).count() == 1  # only B's own export


def test_lists_show_only_the_own_tenant(client, a_and_b):
    _, b = a_and_b
    assert client.login(username="acme-admin", password=PASSWORD)
    for path in ("/settings/credentials/", "/settings/api-keys/", "/settings/audit/", "/health/", "/invoices/"):
        page = client.get(path).content.decode()
        assert "bravo" not in page.lower(), path


@pytest.mark.parametrize("key", ["admin_key", "plain_key"])
def test_an_api_key_of_a_gets_404_for_every_object_of_b(a_and_b, key):
    a, b = a_and_b
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {a[key]}")
    for path in (f"/api/v1/customers/{b['customer'].external_id}", f"/api/v1/projects/{b['project'].external_id}",
                 f"/api/v1/invoices/{b['invoice'].external_id}", f"/api/v1/exports/{b['batch'].pk}"):
        assert api.get(path).status_code == 404, path
    for path in ("resync", "choose-match"):
        response = api.post(f"/api/v1/customers/{b['customer'].external_id}/{path}",
                            {"identity_id": "a0000000-0000-4000-8000-00000000000a", "sevenoffice_id": 1}, format="json")
        assert response.status_code == (403 if path == "choose-match" and key == "plain_key" else 404), path
    assert api.post(f"/api/v1/invoices/{b['invoice'].external_id}/check-payment").status_code == 404
    response = api.post("/api/v1/exports", {"invoices": [b["invoice"].external_id]}, format="json")
    assert response.status_code == 400 and "Unknown invoice" in str(response.json())
    for path in ("/api/v1/customers", "/api/v1/projects", "/api/v1/invoices"):
        assert "bravo" not in api.get(path).content.decode(), path
    if key == "admin_key":
        assert [c["username"] for c in api.get("/api/v1/credentials").json()] == ["acme@24so.no"]
