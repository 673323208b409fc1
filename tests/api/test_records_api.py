import copy

import pytest

from exports.models import Customer, Invoice, InvoiceLine
from tests.api.conftest import INVOICE

pytestmark = pytest.mark.django_db


def test_requests_without_a_valid_key_are_refused(client):
    assert client.get("/api/v1/customers").status_code in (401, 403)
    bad = client.get("/api/v1/customers", HTTP_AUTHORIZATION="Token hub_nope_nope")
    assert bad.status_code == 401


def test_customer_upsert_by_external_id_never_duplicates(api):
    body = {"external_id": "c-42", "name": "Fjord AS", "organization_number": "912345678", "email": "a@fjord.no",
            "phone": "+47 22 00 00 00", "address": {"street": "Kaia 1", "postal_code": "0150", "city": "Oslo", "country": "NO"}}
    first = api.post("/api/v1/customers", body, format="json")
    assert first.status_code == 201
    body["address"]["city"] = "Bergen"
    again = api.post("/api/v1/customers", body, format="json")
    assert again.status_code == 200
    assert again.json()["address"] == {"street": "Kaia 1", "postal_code": "0150", "city": "Bergen", "country": "NO"}
    assert Customer.objects.filter(external_id="c-42").count() == 1
    assert api.get("/api/v1/customers/c-42").json()["name"] == "Fjord AS"


def test_invoice_round_trip_and_idempotent_retry(invoice_refs):
    api = invoice_refs
    created = api.post("/api/v1/invoices", INVOICE, format="json")
    assert created.status_code == 201, created.json()
    retried = api.post("/api/v1/invoices", INVOICE, format="json")
    assert retried.status_code == 200
    body = api.get("/api/v1/invoices/inv-1001").json()
    assert {k: body[k] for k in ("number", "kind", "department", "customer", "project", "credits")} == {
        "number": 1001, "kind": "invoice", "department": "OSLO", "customer": "c-42", "project": "p-7", "credits": None,
    }
    assert body["lines"] == [{"product_number": "P-1", "product_name": "Consulting", "quantity": "2.0000",
                              "unit_price": "1200.00", "discount_percent": "0.00", "vat_rate": "25.00",
                              "period_start": None, "period_end": None}]
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 1


def test_credit_note_names_the_invoice_it_credits(invoice_refs):
    api = invoice_refs
    api.post("/api/v1/invoices", INVOICE, format="json")
    credit = {**INVOICE, "external_id": "cn-1", "number": 1002, "kind": "credit_note"}
    missing = api.post("/api/v1/invoices", credit, format="json")
    assert missing.status_code == 400 and "credits" in missing.json()
    ok = api.post("/api/v1/invoices", {**credit, "credits": "inv-1001"}, format="json")
    assert ok.status_code == 201 and ok.json()["credits"] == "inv-1001"


def test_invalid_invoice_names_every_field_and_saves_nothing(invoice_refs):
    api = invoice_refs
    bad = copy.deepcopy(INVOICE)
    bad.update(department="NOWHERE", customer="c-missing", invoice_date="02.11.2026")
    bad["lines"] = [bad["lines"][0], {"product_number": "P-2", "quantity": "abc", "unit_price": "1", "vat_rate": "125"}]
    response = api.post("/api/v1/invoices", bad, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "Unknown code 'NOWHERE'." in errors["department"][0]
    assert "Unknown external id 'c-missing'." in errors["customer"][0]
    assert "invoice_date" in errors
    assert list(errors["lines"]) == ["1"]  # only the second line is wrong, named by its index
    assert set(errors["lines"]["1"]) == {"product_name", "quantity", "vat_rate"}
    assert Invoice.objects.count() == 0 and InvoiceLine.objects.count() == 0


def test_invoice_number_taken_by_another_invoice_is_refused(invoice_refs):
    api = invoice_refs
    api.post("/api/v1/invoices", INVOICE, format="json")
    other = api.post("/api/v1/invoices", {**INVOICE, "external_id": "inv-x"}, format="json")
    assert other.status_code == 400
    assert other.json()["number"] == ["Invoice number 1001 is already used by 'inv-1001'."]


def test_tenant_a_gets_404_for_tenant_b_records(make_api, invoice_refs):
    tenant_b = invoice_refs
    tenant_b.post("/api/v1/invoices", INVOICE, format="json")
    tenant_a = make_api("other")
    for path in ("/api/v1/customers/c-42", "/api/v1/projects/p-7", "/api/v1/invoices/inv-1001"):
        assert tenant_a.get(path).status_code == 404, path
        assert tenant_b.get(path).status_code == 200, path
    assert tenant_a.get("/api/v1/invoices").json()["results"] == []
    # and A cannot reference B's records either
    tenant_a.post("/api/v1/departments", {"code": "OSLO", "name": "Oslo"}, format="json")
    response = tenant_a.post("/api/v1/invoices", {**INVOICE, "project": None}, format="json")
    assert response.status_code == 400 and "customer" in response.json()


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema")
    assert schema.status_code == 200 and b"/api/v1/invoices" in schema.content
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
