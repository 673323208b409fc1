"""Export through the API with real worker processes and the sandbox over HTTP."""

import time
from collections import Counter

import pytest
from rest_framework.test import APIClient

from exports import transfer
from exports.demo import demo_seed
from exports.models import BindingKind, ExportItem, ExportStatus, Invoice, SevenOfficeBinding
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants.services import api_key_create

pytestmark = [pytest.mark.e2e]
S = ExportStatus
IDENTITIES = (sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID)


@pytest.fixture
def api_tenant(workers):
    tenant = demo_seed(username=sandbox_accounts.DEFAULT_USERNAME, password=sandbox_accounts.DEFAULT_PASSWORD,
                       identities=list(IDENTITIES), invoices=60)
    _, key = api_key_create(tenant=tenant)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return tenant, client


def wait_finished(client, export_id, timeout=90, workers=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/exports/{export_id}").json()
        if body["finished"]:
            return body
        time.sleep(0.3)
    raise AssertionError(f"export not finished: {body['counts']}\n{workers.logs()[-6000:] if workers else ''}")


def sandbox_references(sandbox):
    refs = Counter()
    for identity in IDENTITIES:
        for order in sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=identity).get("orders", []):
            refs[order.get("ReferenceNumber")] += 1
    return refs


def test_mixed_export_through_api_ends_in_done_login_error_duplicate_and_failed(api_tenant, sandbox, workers):
    tenant, client = api_tenant
    invoices = list(Invoice.objects.filter(tenant=tenant).select_related("department"))
    already = [i for i in invoices if i.department.code == "OSLO" and i.kind == "invoice"][:2]
    first = client.post("/api/v1/exports", {"invoices": [i.external_id for i in already]}, format="json")
    assert first.status_code == 202
    wait_finished(client, first.json()["id"], workers=workers)
    # A customer someone deleted in 24SO: the hub's binding points at an id 24SO no longer has.
    bergen = next(i for i in invoices if i.department.code == "BERGEN" and i.kind == "invoice")
    orphaned = [i for i in invoices if i.customer_id == bergen.customer_id and i.department.code in ("OSLO", "BERGEN")]
    SevenOfficeBinding.objects.create(tenant=tenant, identity_id=IDENTITIES[0], kind=BindingKind.CUSTOMER,
                                      key=str(bergen.customer_id), sevenoffice_id=987654)

    response = client.post("/api/v1/exports", {"invoices": [i.external_id for i in invoices]}, format="json")
    assert response.status_code == 202 and response.json()["url"].endswith(f"/api/v1/exports/{response.json()['id']}")
    body = wait_finished(client, response.json()["id"])

    stavanger = sum(1 for i in invoices if i.department.code == "STAVANGER")
    failed = [i for i in orphaned if i not in already]
    assert body["counts"] == {"queued": 0, "in_transfer": 0, "done": len(invoices) - stavanger - 2 - len(failed),
                              "login_error": stavanger, "duplicate": 2, "failed": len(failed)}, workers.logs()
    items = {item["invoice"]: item for item in body["items"]}
    assert items[already[0].external_id]["status"] == "duplicate"
    assert "987654" in items[bergen.external_id]["message"]  # 24SO's own words about the customer
    done = [item for item in body["items"] if item["status"] == "done"]
    # Trondheim sends orders: no invoice number until someone publishes them in 24SO.
    by_number = {i.external_id: i.department.code for i in invoices}
    assert all(isinstance(item["sevenoffice_invoice_id"], int) for item in done if by_number[item["invoice"]] != "TRONDHEIM")
    orders = [item for item in done if by_number[item["invoice"]] == "TRONDHEIM"]
    assert orders and all(item["sent_as"] == "order" and item["sevenoffice_invoice_id"] is None
                          and item["sevenoffice_document"] == f"Order {item['sevenoffice_order_id']}" for item in orders)
    sent = [i for i in invoices if i.department.code != "STAVANGER" and i not in failed]
    assert sandbox_references(sandbox) == Counter(transfer.hub_reference(i) for i in sent)


def test_overlapping_exports_at_once_send_each_invoice_once(api_tenant, sandbox, workers):
    tenant, client = api_tenant
    invoices = list(Invoice.objects.filter(tenant=tenant).exclude(department__code="STAVANGER").order_by("number"))
    first_half, second_half = invoices[: len(invoices) * 2 // 3], invoices[len(invoices) // 3 :]
    overlap = set(first_half) & set(second_half)
    a = client.post("/api/v1/exports", {"invoices": [i.external_id for i in first_half]}, format="json").json()
    b = client.post("/api/v1/exports", {"invoices": [i.external_id for i in second_half]}, format="json").json()
    bodies = [wait_finished(client, a["id"]), wait_finished(client, b["id"])]
    assert sandbox_references(sandbox) == Counter(transfer.hub_reference(i) for i in invoices)
    statuses = Counter(item["status"] for body in bodies for item in body["items"])
    assert statuses == {"done": len(invoices), "duplicate": len(overlap)}


def test_exported_invoice_cannot_be_changed(api_tenant, workers):
    tenant, client = api_tenant
    invoice = Invoice.objects.filter(tenant=tenant, department__code="OSLO", kind="invoice").first()
    export = client.post("/api/v1/exports", {"invoices": [invoice.external_id]}, format="json").json()
    wait_finished(client, export["id"])
    body = client.get(f"/api/v1/invoices/{invoice.external_id}").json()
    body["text"] = "changed"
    response = client.post("/api/v1/invoices", body, format="json")
    assert response.status_code == 409
    assert "cannot be changed" in response.json()["detail"]


def test_unknown_invoices_are_named_and_nothing_is_queued(api_tenant):
    tenant, client = api_tenant
    response = client.post("/api/v1/exports", {"invoices": ["inv-1001", "nope-1", "nope-2"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"invoices": ["Unknown invoice(s): nope-1, nope-2."]}
    assert not ExportItem.objects.exists()


def test_faults_and_a_killed_worker_lose_and_double_nothing(api_tenant, sandbox, workers):
    tenant, client = api_tenant
    invoices = list(Invoice.objects.filter(tenant=tenant).exclude(department__code="STAVANGER"))
    # The drill's mix: 10 % HTTP 500, 5 % answers dropped after the write was committed,
    # sessions expiring every few calls, and a worker killed mid-export.
    sandbox.control(http_500_rate=0.1, soap_fault_rate=0.03, drop_after_commit_rate=0.05, session_expiry_calls=9,
                    timeout_rate=0.02, timeout_seconds=6, seed=7)
    export = client.post("/api/v1/exports", {"invoices": [i.external_id for i in invoices]}, format="json").json()
    time.sleep(0.5)
    victim = next(p for p in workers.processes if p.poll() is None)
    workers.kill(victim)
    workers.start()
    body = wait_finished(client, export["id"], timeout=240)
    sandbox.control(http_500_rate=0, soap_fault_rate=0, drop_after_commit_rate=0, session_expiry_calls=0, timeout_rate=0)
    assert body["counts"]["done"] == len(invoices), (body["counts"], [i["message"] for i in body["items"]
                                                                       if i["status"] != "done"][:5])
    assert sandbox_references(sandbox) == Counter(transfer.hub_reference(i) for i in invoices)
