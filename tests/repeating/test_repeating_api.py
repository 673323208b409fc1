"""The repeating-invoice API contract: agreements by order id, the sheet out and in."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from exports.models import Customer, RepeatingAgreement
from tenants import services
from tests.repeating.conftest import xlsx

AGREEMENT = {
    "order_id": "S-1", "customer": "c-1", "payment_days": 14, "department": "OSLO", "project": "p-1",
    "invoice_text": "Monthly support", "invoice_title": "Support", "currency": "NOK",
    "lines": [
        {"product_number": "SUB-1", "name": "Support", "quantity": "1", "price": "499.00", "discount": "0",
         "next_date": "2026-01-31", "factor": 1, "frequency": 2},
        {"name": "Backup", "quantity": "3", "price": "20", "next_date": "15.02.2026", "factor": 20, "frequency": 6},
    ],
}


def api_for(tenant):
    _, key = services.api_key_create(tenant=tenant, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def api(shop):
    return api_for(shop)


def test_post_creates_then_updates_by_order_id(api, shop):
    created = api.post("/api/v1/repeating-invoices", AGREEMENT, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["customer"] == "c-1" and body["department"] == "OSLO" and body["project"] == "p-1"
    assert [line["repeats"] for line in body["lines"]] == ["every month", "every 20th day"]
    assert [line["creates_product"] for line in body["lines"]] == [False, True]
    assert body["lines"][1]["next_date"] == "2026-02-15"

    changed = {**AGREEMENT, "payment_days": 30, "lines": AGREEMENT["lines"][:1]}
    updated = api.post("/api/v1/repeating-invoices", changed, format="json")
    assert updated.status_code == 200
    agreement = RepeatingAgreement.objects.get(tenant=shop, order_id="S-1")
    assert agreement.payment_days == 30 and agreement.lines.count() == 1
    assert api.get("/api/v1/repeating-invoices/S-1").json()["payment_days"] == 30
    assert [a["order_id"] for a in api.get("/api/v1/repeating-invoices").json()["results"]] == ["S-1"]


def test_bad_agreements_are_refused_naming_fields_and_lines(api, shop):
    bad = {**AGREEMENT, "customer": "nobody", "lines": [
        AGREEMENT["lines"][0],
        {**AGREEMENT["lines"][1], "frequency": 7, "next_date": "31/01/2026"},
    ]}
    response = api.post("/api/v1/repeating-invoices", bad, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "Unknown external id 'nobody'" in errors["customer"][0]
    assert list(errors["lines"]) == ["1"]  # by line index
    assert "Unknown frequency 7" in errors["lines"]["1"]["frequency"][0]
    assert "wrong format" in errors["lines"]["1"]["next_date"][0]
    no_price = {**AGREEMENT, "lines": [{**AGREEMENT["lines"][1], "price": None}]}
    response = api.post("/api/v1/repeating-invoices", no_price, format="json")
    assert response.status_code == 400
    assert "give the price" in response.json()["lines"]["0"]["price"][0]
    assert not RepeatingAgreement.objects.exists()


def test_another_tenants_agreements_and_customers_are_out_of_reach(api, shop):
    other, _ = services.tenant_create(slug="other", name="Other")
    Customer.objects.create(tenant=other, external_id="theirs", name="Theirs AS")
    assert api.post("/api/v1/repeating-invoices", AGREEMENT, format="json").status_code == 201
    theirs = api_for(other)
    assert theirs.get("/api/v1/repeating-invoices/S-1").status_code == 404
    assert theirs.get("/api/v1/repeating-invoices").json()["results"] == []
    assert api.post("/api/v1/repeating-invoices", {**AGREEMENT, "customer": "theirs"}, format="json").status_code == 400


def test_sheet_download_and_upload(api, shop):
    api.post("/api/v1/repeating-invoices", AGREEMENT, format="json")
    response = api.get("/api/v1/repeating-invoices/sheet")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet["A"]] == ["RepeatingOrderId", "S-1", "S-1"]

    # The same sheet, with the order id changed, is a new agreement.
    for cell in sheet["A"][1:]:
        cell.value = "S-2"
    out = io.BytesIO()
    sheet.parent.save(out)
    preview = api.post("/api/v1/repeating-invoices/sheet?dry_run=1", {"file": _file(out.getvalue())},
                       format="multipart")
    assert preview.status_code == 200, preview.json()
    assert preview.json() == {"dry_run": True, "created": ["S-2"], "changed": [], "unchanged": 0, "agreements": 1,
                              "lines": 2}
    assert not RepeatingAgreement.objects.filter(order_id="S-2").exists()
    applied = api.post("/api/v1/repeating-invoices/sheet", {"file": _file(out.getvalue())}, format="multipart")
    assert applied.status_code == 200 and applied.json()["created"] == ["S-2"]
    assert RepeatingAgreement.objects.get(order_id="S-2").lines.count() == 2


def test_sheet_upload_with_errors_saves_nothing(api, shop):
    sheet = xlsx([["RepeatingOrderId", "RepeatingCustomerId", "RepeatingQuantity", "RepeatingName", "RepeatingPrice",
                   "RepeatingDate", "RepeatingFrequency"],
                  ["1", "10001", "1", "Fine", "10", "01.02.2026", "2"],
                  ["2", "10001", "1", "Bad", "10", "2026-02-01", "9"]])
    response = api.post("/api/v1/repeating-invoices/sheet", {"file": _file(sheet)}, format="multipart")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [
        (3, "RepeatingDate"), (3, "RepeatingFrequency")]
    assert not RepeatingAgreement.objects.exists()


def test_sheet_upload_refuses_what_is_not_a_sheet(api):
    response = api.post("/api/v1/repeating-invoices/sheet", {"file": _file(b"%PDF-1.4 nothing")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] is None
    assert "not an .xlsx" in response.json()["errors"][0]["message"]
    missing = api.post("/api/v1/repeating-invoices/sheet", {}, format="multipart")
    assert missing.status_code == 400 and "'file'" in missing.json()["errors"][0]["message"]


def test_download_says_which_records_24so_lacks(api, shop):
    Customer.objects.create(tenant=shop, external_id="c-new", name="Ny AS")
    api.post("/api/v1/repeating-invoices", {**AGREEMENT, "customer": "c-new"}, format="json")
    response = api.get("/api/v1/repeating-invoices/sheet")
    assert response.status_code == 409
    assert response.json()["problems"] == [
        "Order S-1: customer Ny AS is not in 24SevenOffice yet; send it with Resync on the Customers page."]


def _file(data: bytes):
    upload = io.BytesIO(data)
    upload.name = "repeating.xlsx"
    return upload
