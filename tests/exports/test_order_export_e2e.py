"""Orders through the API with real worker processes and the sandbox over HTTP."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from exports import transfer
from exports.demo import demo_seed
from exports.models import Invoice
from sevenoffice.client import SevenOfficeClient
from sevenoffice.sandbox import accounts as sandbox_accounts
from sevenoffice.types import Company, Credential
from tenants.services import api_key_create
from tests.exports.test_export_e2e import IDENTITIES, sandbox_references, wait_finished

pytestmark = [pytest.mark.e2e]
OSLO_CLIENT = sandbox_accounts.DEMO_AS_IDENTITY_ID


@pytest.fixture
def rental(workers):
    """The demo tenant with a source-system key and an admin key; no exports yet."""
    tenant = demo_seed(username=sandbox_accounts.DEFAULT_USERNAME, password=sandbox_accounts.DEFAULT_PASSWORD,
                       identities=list(IDENTITIES), invoices=40)
    clients = []
    for is_admin in (False, True):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_create(tenant=tenant, is_admin=is_admin)[1]}")
        clients.append(client)
    return tenant, *clients


def so_data(sandbox, identity=OSLO_CLIENT):
    return sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=identity)


def rental_invoice(number, customer, lines):
    return {
        "external_id": f"rent-{number}", "number": number, "department": "OSLO", "customer": customer,
        "invoice_date": "2021-01-12", "due_date": "2021-01-26", "lines": lines,
    }


def rental_line(name, rate, start="2021-01-10", end="2021-01-12", **extra):
    return {"product_number": f"R-{name[:3].upper()}", "product_name": name, "quantity": "3", "unit_price": "500",
            "discount_percent": "10", "vat_rate": rate, "period_start": start, "period_end": end, **extra}


def test_rental_orders_reach_24so_with_generic_product_vat_codes_dated_rows_and_customers(rental, sandbox, workers):
    tenant, api, admin = rental
    settings = admin.patch("/api/v1/settings", {"export_mode": "order", "generic_product_name": "Machine rental",
                                                 "generic_product_category": "Machines"}, format="json")
    assert settings.status_code == 200, settings.json()
    client = SevenOfficeClient(Credential(sandbox_accounts.DEFAULT_USERNAME, sandbox_accounts.DEFAULT_PASSWORD,
                                          OSLO_CLIENT))
    known = client.save_company(Company(name="Gardsbruk AS (old)", email="post@gardsbruk.example"))
    for external_id, name, email in (("farm", "Gardsbruk AS", "post@gardsbruk.example"),
                                     ("builder", "Byggmester Hansen", "hansen@bygg.example")):
        body = {"external_id": external_id, "name": name, "email": email,
                "address": {"street": "Tunet 1", "postal_code": "7000", "city": "Trondheim", "country": "NO"}}
        assert api.post("/api/v1/customers", body, format="json").status_code == 201
    documents = [
        rental_invoice(91001, "farm", [rental_line("Tractor", "25"), rental_line("Plough", "15", "2021-01-11")]),
        rental_invoice(91002, "builder", [rental_line("Food truck", "12"), rental_line("Export crate", "0")]),
        rental_invoice(91003, "builder", [rental_line("Boat", "13")]),  # 24SO has no code for 13 %
    ]
    for document in documents:
        response = api.post("/api/v1/invoices", document, format="json")
        assert response.status_code == 201, response.json()

    export = api.post("/api/v1/exports", {"invoices": [d["external_id"] for d in documents]}, format="json").json()
    body = wait_finished(api, export["id"], workers=workers)

    items = {item["invoice"]: item for item in body["items"]}
    assert body["counts"]["done"] == 2 and body["counts"]["failed"] == 1, body
    assert items["rent-91003"]["message"] == "24SevenOffice has no VAT code for 13 %."
    for external_id in ("rent-91001", "rent-91002"):
        item = items[external_id]
        assert item["sent_as"] == "order" and item["sevenoffice_invoice_id"] is None
        assert item["sevenoffice_document"] == f"Order {item['sevenoffice_order_id']}"

    data = so_data(sandbox)
    [product] = [p for p in data["products"] if p["Name"] == "Machine rental"]
    assert [c["Id"] for c in data["categories"] if c["Name"] == "Machines"] == [product["CategoryId"]]
    orders = {o["ReferenceNumber"]: o for o in data["orders"]}
    invoices = {i.external_id: i for i in Invoice.objects.filter(tenant=tenant, external_id__startswith="rent-")}
    farm, builder = (orders[transfer.hub_reference(invoices[k])] for k in ("rent-91001", "rent-91002"))
    rows = [r for order in (farm, builder) for r in sorted(order["InvoiceRows"], key=lambda r: r["SequenceNumber"])]
    assert [(r["Name"], r["TaxSettings"]["TaxCode"]) for r in rows] == [
        ("Tractor (2021-01-10 – 2021-01-12)", 3), ("Plough (2021-01-11 – 2021-01-12)", 31),
        ("Food truck (2021-01-10 – 2021-01-12)", 33), ("Export crate (2021-01-10 – 2021-01-12)", 5),
    ]
    assert {r["ProductId"] for r in rows} == {product["Id"]}
    assert all(str(r["DiscountRate"]) in ("10", "10.00") and str(r["Price"]) in ("500", "500.00") for r in rows)
    assert farm["OrderStatus"] == builder["OrderStatus"] == "ForInvoicing"
    assert farm["CustomerId"] == known.id  # matched by e-mail, and updated with the hub's data
    companies = {c["Id"]: c for c in data["companies"]}
    assert companies[known.id]["Name"] == "Gardsbruk AS"
    assert companies[builder["CustomerId"]]["Name"] == "Byggmester Hansen"  # created
    assert not [t for t in data["transactions"] if t.get("InvoiceNo") in ("91001", "91002")]


def test_concurrent_exports_with_lost_answers_create_one_generic_product_and_send_each_order_once(
    rental, sandbox, workers
):
    tenant, api, admin = rental
    admin.patch("/api/v1/settings", {"export_mode": "order"}, format="json")  # demo: Rental in Rentals
    workers.start()  # a second process: four chunks of two exports run at once
    invoices = list(Invoice.objects.filter(tenant=tenant).exclude(department__code="STAVANGER").order_by("number"))
    # Slow calls widen the race, and every create of a product or category reaches 24SO but its
    # answer is lost: a worker must find it there on the next attempt, never create it again.
    sandbox.control(latency_ms=80, drop_after_commit_rate=1.0, operations=["SaveProducts", "SaveCategories"])
    exports = [
        api.post("/api/v1/exports", {"invoices": [i.external_id for i in half]}, format="json").json()
        for half in (invoices[0::2], invoices[1::2])
    ]
    bodies = [wait_finished(api, e["id"], timeout=240, workers=workers) for e in exports]
    sandbox.control(latency_ms=0, drop_after_commit_rate=0)
    stats = sandbox.stats()["accounts"][sandbox_accounts.DEFAULT_USERNAME]
    # One create per client, each answer lost and the record found again; never a second create.
    assert stats["calls"]["SaveProducts"] == stats["calls"]["SaveCategories"] == len(IDENTITIES)
    assert stats["faults_injected"]["drop_after_commit"] == 2 * len(IDENTITIES)

    statuses = Counter(item["status"] for body in bodies for item in body["items"])
    assert statuses == {"done": len(invoices)}, [i["message"] for b in bodies for i in b["items"] if i["status"] != "done"]
    assert sandbox_references(sandbox) == Counter(transfer.hub_reference(i) for i in invoices)
    for identity in IDENTITIES:
        data = so_data(sandbox, identity)
        assert [p["Name"] for p in data["products"]].count("Rental") == 1, identity
        assert [c["Name"] for c in data["categories"]].count("Rentals") == 1, identity
        assert {o["OrderStatus"] for o in data["orders"]} == {"ForInvoicing"}
        assert len(data["products"]) == 1  # no per-number products: every row uses the generic one
