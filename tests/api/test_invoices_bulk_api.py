"""POST /api/v1/invoices/bulk: many invoices per request, all or nothing, errors by index."""

import pytest

from exports.models import ExportBatch, ExportItem, ExportStatus, Invoice, InvoiceLine
from tests.api.conftest import INVOICE

pytestmark = pytest.mark.django_db
URL = "/api/v1/invoices/bulk"


def invoices(count, start=1):
    return [
        {**INVOICE, "external_id": f"inv-{n}", "number": n,
         "lines": [{**INVOICE["lines"][0], "product_number": f"P-{n}-{k}"} for k in range(1 + n % 3)]}
        for n in range(start, start + count)
    ]


def test_bulk_creates_then_replaces_in_a_fixed_number_of_queries(invoice_refs, django_assert_max_num_queries):
    api = invoice_refs
    with django_assert_max_num_queries(20):
        response = api.post(URL, invoices(200), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 200 and response.json()["updated"] == 0
    assert Invoice.objects.count() == 200
    assert InvoiceLine.objects.count() == sum(1 + n % 3 for n in range(1, 201))
    # The same request again replaces: no second invoice, the lines as sent.
    changed = invoices(3)
    changed[0]["text"] = "changed"
    again = api.post(URL, changed, format="json").json()
    assert again["created"] == 0 and again["updated"] == 3
    assert Invoice.objects.count() == 200 and Invoice.objects.get(external_id="inv-1").text == "changed"
    assert api.get("/api/v1/invoices/inv-2").json()["lines"][0]["product_number"] == "P-2-0"


def test_bulk_names_each_bad_invoice_by_index_and_saves_nothing(invoice_refs):
    api = invoice_refs
    rows = invoices(5)
    rows[1]["customer"] = "c-missing"
    rows[3]["lines"] = []
    rows[4]["number"] = rows[0]["number"]  # twice in one request
    response = api.post(URL, rows, format="json")
    assert response.status_code == 400
    errors = {e["index"]: e for e in response.json()["errors"]}
    assert set(errors) == {1, 3, 4}
    assert "c-missing" in str(errors[1]["errors"]["customer"]) and errors[1]["external_id"] == "inv-2"
    assert "lines" in errors[3]["errors"]
    assert errors[4]["errors"]["number"] == ["Also at index 0 of this request."]
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_bulk_refuses_a_number_another_invoice_holds(invoice_refs):
    api = invoice_refs
    api.post("/api/v1/invoices", INVOICE, format="json")
    rows = invoices(2, start=5000)
    rows[1]["number"] = INVOICE["number"]
    response = api.post(URL, rows, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert "already used by 'inv-1001'" in str(response.json()["errors"][0]["errors"]["number"])
    assert Invoice.objects.count() == 1


def test_bulk_refuses_to_change_an_exported_invoice(invoice_refs):
    api = invoice_refs
    api.post(URL, invoices(3), format="json")
    exported = Invoice.objects.get(external_id="inv-2")
    batch = ExportBatch.objects.create(tenant=api.tenant)
    ExportItem.objects.create(tenant=api.tenant, batch=batch, invoice=exported, status=ExportStatus.DONE)
    rows = invoices(3)
    for row in rows:
        row["text"] = "edited"
    response = api.post(URL, rows, format="json")
    assert response.status_code == 409
    assert [e["index"] for e in response.json()["errors"]] == [1]
    assert "cannot be changed" in response.json()["errors"][0]["errors"]["external_id"][0]
    assert not Invoice.objects.filter(text="edited").exists()


def test_bulk_needs_a_list_of_at_most_1000(invoice_refs):
    api = invoice_refs
    assert api.post(URL, {"external_id": "x"}, format="json").status_code == 400
    assert api.post(URL, [], format="json").status_code == 400
    assert api.post(URL, [{}] * 1001, format="json").status_code == 400


def test_bulk_sees_only_its_own_tenants_records(make_api, invoice_refs):
    other = make_api("other")
    other.post("/api/v1/departments", {"code": "OSLO", "name": "Oslo"}, format="json")
    response = other.post(URL, invoices(1), format="json")  # c-42 and p-7 belong to acme
    assert response.status_code == 400
    assert set(response.json()["errors"][0]["errors"]) == {"customer", "project"}
    assert not Invoice.objects.exists()
