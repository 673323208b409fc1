"""The payment fields of the invoice API, check-payment and payment_changed_since, against the
sandbox over HTTP (the export runs in-process)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exports import transfer
from exports.models import ExportItem, Invoice
from tenants.services import api_key_create, tenant_create

from tests.exports.test_transfer_service import send_all

pytestmark = pytest.mark.django_db
TODAY = date.today().isoformat()


def api_for(tenant):
    _, key = api_key_create(tenant=tenant)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def exported(sandbox, demo_tenant):
    invoices = list(Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice")
                    .order_by("number")[:3])
    send_all(transfer.export_create(tenant=demo_tenant, invoices=invoices[:2]))
    so_ids = dict(ExportItem.objects.filter(invoice__in=invoices[:2]).values_list("invoice_id", "sevenoffice_invoice_id"))
    return invoices, so_ids


def test_check_payment_asks_24so_and_the_invoice_shows_it(sandbox, demo_tenant, exported):
    (paid, part, never), so_ids = exported
    api = api_for(demo_tenant)
    before = api.get(f"/api/v1/invoices/{paid.external_id}").json()
    assert {k: before[k] for k in ("payment_status", "paid_at", "open_amount", "payment_checked_at")} == {
        "payment_status": "unknown", "paid_at": None, "open_amount": None, "payment_checked_at": None}
    sandbox.register_payment(so_ids[paid.pk], date=TODAY)
    sandbox.register_payment(so_ids[part.pk], "100.00", TODAY)

    response = api.post(f"/api/v1/invoices/{paid.external_id}/check-payment")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["external_id"], body["payment_status"], body["paid_at"], body["open_amount"]) == (
        paid.external_id, "paid", TODAY, "0.00")
    assert body["payment_checked_at"]
    assert api.get(f"/api/v1/invoices/{paid.external_id}").json()["payment_status"] == "paid"

    body = api.post(f"/api/v1/invoices/{part.external_id}/check-payment").json()
    assert body["payment_status"] == "partly_paid" and Decimal(body["open_amount"]) > 0
    listed = {i["external_id"]: i for i in api.get("/api/v1/invoices?page_size=1000").json()["results"]}
    assert listed[part.external_id]["payment_status"] == "partly_paid"
    assert listed[part.external_id]["open_amount"] == body["open_amount"]

    refused = api.post(f"/api/v1/invoices/{never.external_id}/check-payment")
    assert refused.status_code == 409 and "never exported" in refused.json()["detail"]


def test_payment_changed_since_lists_only_invoices_whose_payment_changed(sandbox, demo_tenant, exported):
    (first, second, _), so_ids = exported
    api = api_for(demo_tenant)
    api.post(f"/api/v1/invoices/{first.external_id}/check-payment")
    api.post(f"/api/v1/invoices/{second.external_id}/check-payment")  # both: unknown -> unpaid
    since = timezone.now()
    sandbox.register_payment(so_ids[second.pk], date=TODAY)
    api.post(f"/api/v1/invoices/{first.external_id}/check-payment")  # unchanged
    api.post(f"/api/v1/invoices/{second.external_id}/check-payment")  # unpaid -> paid

    listed = api.get("/api/v1/invoices", {"payment_changed_since": since.isoformat()}).json()["results"]
    assert [(i["external_id"], i["payment_status"]) for i in listed] == [(second.external_id, "paid")]
    assert len(api.get("/api/v1/invoices", {"payment_changed_since": "2000-01-01T00:00:00Z"}).json()["results"]) == 2
    bad = api.get("/api/v1/invoices", {"payment_changed_since": "yesterday"})
    assert bad.status_code == 400 and "payment_changed_since" in bad.json()


def test_24so_not_answering_is_a_502_that_keeps_the_status(sandbox, demo_tenant, exported):
    (invoice, _, _), _ = exported
    api = api_for(demo_tenant)
    assert api.post(f"/api/v1/invoices/{invoice.external_id}/check-payment").json()["payment_status"] == "unpaid"
    sandbox.control(http_500_rate=1.0, operations=["GetTransactions"])
    response = api.post(f"/api/v1/invoices/{invoice.external_id}/check-payment")
    sandbox.control(http_500_rate=0, operations=None)
    assert response.status_code == 502
    assert "did not answer" in response.json()["detail"] and response.json()["payment_status"] == "unpaid"


def test_another_tenants_invoice_is_not_found(sandbox, demo_tenant, exported):
    (invoice, _, _), _ = exported
    other, _ = tenant_create(slug="other", name="Other AS")
    api = api_for(other)
    assert api.get(f"/api/v1/invoices/{invoice.external_id}").status_code == 404
    assert api.post(f"/api/v1/invoices/{invoice.external_id}/check-payment").status_code == 404
    invoice.refresh_from_db()
    assert invoice.payment_checked_at is None
