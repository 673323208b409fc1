import pytest
from rest_framework.test import APIClient

from tenants import services


@pytest.fixture
def make_api():
    """An API client for a new tenant: make_api("acme", admin=True)."""

    def make(slug="acme", admin=False):
        tenant, _ = services.tenant_create(slug=slug, name=slug.title())
        _, key = services.api_key_create(tenant=tenant, is_admin=admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.tenant = tenant
        return client

    return make


@pytest.fixture
def api(make_api):
    return make_api()


INVOICE = {
    "external_id": "inv-1001", "number": 1001, "kind": "invoice", "department": "OSLO", "customer": "c-42",
    "project": "p-7", "invoice_date": "2026-11-02", "due_date": "2026-11-16", "currency": "NOK",
    "our_reference": "Kari", "your_reference": "PO 77", "text": "Thanks",
    "lines": [{"product_number": "P-1", "product_name": "Consulting", "quantity": "2", "unit_price": "1200.00",
               "discount_percent": "0", "vat_rate": "25"}],
}


@pytest.fixture
def invoice_refs(api):
    api.post("/api/v1/departments", {"code": "OSLO", "name": "Oslo"}, format="json")
    api.post("/api/v1/customers", {"external_id": "c-42", "name": "Fjord AS"}, format="json")
    api.post("/api/v1/projects", {"external_id": "p-7", "number": "7", "name": "Build", "customer": "c-42"}, format="json")
    return api
