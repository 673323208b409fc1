"""Real-time flows with real worker processes: a source system that only calls the API."""

import time

import pytest
from rest_framework.test import APIClient

from exports.demo import demo_seed
from exports.models import ExportBatch
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants.services import api_key_create, integration_settings

pytestmark = [pytest.mark.e2e]
FIRST = sandbox_accounts.DEMO_AS_IDENTITY_ID


@pytest.fixture
def api(workers):
    tenant = demo_seed(username=sandbox_accounts.DEFAULT_USERNAME, password=sandbox_accounts.DEFAULT_PASSWORD,
                       identities=[FIRST, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID], invoices=4)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_create(tenant=tenant)[1]}")
    client.tenant = tenant
    return client


def eventually(check, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def companies(sandbox):
    return sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=FIRST).get("companies", [])


def test_customer_pushed_through_the_api_gets_its_24so_number_within_seconds(api, sandbox):
    api.post("/api/v1/customers", {"external_id": "c-rt", "name": "Sanntid AS", "email": "post@sanntid.example"},
             format="json")
    body = eventually(lambda: (b := api.get("/api/v1/customers/c-rt").json())["sync_status"] == "synced" and b, 30)
    assert body, api.get("/api/v1/customers/c-rt").json()
    assert body["sevenoffice_id"] in {c["Id"] for c in companies(sandbox)}


def test_a_burst_of_changes_is_coalesced_and_the_newest_wins(api, sandbox):
    api.post("/api/v1/customers", {"external_id": "c-burst", "name": "Burst AS"}, format="json")
    eventually(lambda: api.get("/api/v1/customers/c-burst").json()["sync_status"] == "synced", 30)
    before = sandbox.stats()["accounts"][sandbox_accounts.DEFAULT_USERNAME]["calls"].get("SaveCompanies", 0)
    for n in range(50):
        api.post("/api/v1/customers", {"external_id": "c-burst", "name": "Burst AS", "phone": f"+47 {n:08d}"},
                 format="json")

    def newest_in_24so():
        mine = [c for c in companies(sandbox) if c.get("Name") == "Burst AS"]
        phones = mine[0].get("PhoneNumbers", {}) if mine else {}
        return any("00000049" in str(v) for v in phones.values())

    assert eventually(newest_in_24so, 60)
    time.sleep(1.5)  # let any stragglers finish
    after = sandbox.stats()["accounts"][sandbox_accounts.DEFAULT_USERNAME]["calls"].get("SaveCompanies", 0)
    pushes_per_client = (after - before) / 2  # two clients
    assert pushes_per_client <= 10, pushes_per_client  # 50 changes, a handful of pushes
    assert len([c for c in companies(sandbox) if c.get("Name") == "Burst AS"]) == 1


def test_finalised_invoice_is_exported_at_once_onto_the_days_receipt(api, sandbox):
    settings = integration_settings(api.tenant)
    settings.realtime_invoice_export = True
    settings.save()
    invoice = {
        "external_id": "inv-rt", "number": 9001, "kind": "invoice", "department": "OSLO", "customer": "c-1",
        "invoice_date": "2026-11-20", "due_date": "2026-12-04",
        "lines": [{"product_number": "P-100", "product_name": "Consulting hour", "quantity": "3",
                   "unit_price": "1250.00", "vat_rate": "25"}],
    }
    draft = api.post("/api/v1/invoices", invoice, format="json")
    assert draft.status_code == 201 and draft.json()["finalised"] is False
    assert not ExportBatch.objects.filter(realtime_day__isnull=False).exists()  # drafts stay home

    final = api.post("/api/v1/invoices", {**invoice, "finalised": True}, format="json")
    assert final.status_code == 200 and final.json()["finalised"] is True
    body = eventually(lambda: (b := api.get("/api/v1/invoices/inv-rt").json())["export_status"] == "done" and b, 30)
    assert body, api.get("/api/v1/invoices/inv-rt").json()
    batch = ExportBatch.objects.get(realtime_day__isnull=False)
    assert batch.source == "realtime" and batch.items.count() == 1
    orders = sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=FIRST)["orders"]
    assert [o["InvoiceRows"][0]["Quantity"] for o in orders if o["ReferenceNumber"].endswith("/9001")] == ["3.00"]
