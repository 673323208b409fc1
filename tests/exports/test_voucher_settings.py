"""Revenue account rules (API and settings page), the invoice series check, the receipt of a
voucher export and the hub's copy of an invoice."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from exports import transfer, vouchers
from exports.amounts import invoice_amounts
from exports.invoice_series import invoice_series_check
from exports.models import ExportItem, InvoiceSeriesCheck, RevenueAccountRule, SeriesState
from tenants.models import AuditAction, AuditEvent
from tenants.services import api_key_create
from tests.admin_ui.conftest import PASSWORD, make_objects, make_tenant
from tests.exports.test_transfer_service import send_all
from tests.exports.voucher_helpers import make_invoice, use_vouchers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches():
    vouchers._fiscal_years.clear()
    transfer._tax_codes.clear()


def admin_api(tenant):
    _, key = api_key_create(tenant=tenant, is_admin=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


# --- Revenue account rules ---------------------------------------------------------------------


def test_api_creates_changes_and_removes_rules_with_audit(db):
    tenant = make_tenant("acme")
    api = admin_api(tenant)
    created = api.post("/api/v1/revenue-accounts", {"department": "OSLO", "vat_rate": "12", "account": 3010},
                       format="json")
    assert created.status_code == 201, created.json()
    rule = created.json()
    assert rule == {"id": rule["id"], "department": "OSLO", "vat_rate": "12.00", "account": 3010}
    assert api.post("/api/v1/revenue-accounts", {"vat_rate": "0", "account": 3100}, format="json").status_code == 201
    assert [r["account"] for r in api.get("/api/v1/revenue-accounts").json()] == [3100, 3010]

    changed = api.patch(f"/api/v1/revenue-accounts/{rule['id']}", {"account": 3020}, format="json")
    assert changed.status_code == 200 and changed.json()["account"] == 3020
    assert changed.json()["department"] == "OSLO"  # untouched fields stay
    assert api.delete(f"/api/v1/revenue-accounts/{rule['id']}").status_code == 204
    events = AuditEvent.objects.filter(tenant=tenant, action=AuditAction.SETTINGS_CHANGED, target="revenue accounts")
    details = [e.details for e in events.order_by("pk")]
    assert details[0] == {"created": {"department": "OSLO", "vat_rate": "12.00", "account": 3010}}
    assert details[2] == {"changed": {"from": {"department": "OSLO", "vat_rate": "12.00", "account": 3010},
                                      "to": {"department": "OSLO", "vat_rate": "12.00", "account": 3020}}}
    assert details[3] == {"deleted": {"department": "OSLO", "vat_rate": "12.00", "account": 3020}}


@pytest.mark.parametrize("body, field", [
    ({"department": "NOPE", "account": 3000}, "department"),
    ({"vat_rate": "25.555", "account": 3000}, "vat_rate"),
    ({"vat_rate": "101", "account": 3000}, "vat_rate"),
    ({"vat_rate": "abc", "account": 3000}, "vat_rate"),
    ({"vat_rate": "25", "account": 99}, "account"),
    ({"vat_rate": "25", "account": "x"}, "account"),
    ({"account": 3000}, "department"),  # names neither department nor rate
    ({"vat_rate": "25", "account": 3000, "colour": "red"}, "colour"),
])
def test_api_refuses_bad_rules_naming_the_field_and_saves_nothing(db, body, field):
    api = admin_api(make_tenant("acme"))
    response = api.post("/api/v1/revenue-accounts", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not RevenueAccountRule.objects.exists()


def test_a_second_rule_for_the_same_department_and_rate_is_refused(db):
    api = admin_api(make_tenant("acme"))
    for body in ({"department": "OSLO", "account": 3000}, {"vat_rate": "25", "account": 3000},
                 {"department": "OSLO", "vat_rate": "25", "account": 3000}):
        assert api.post("/api/v1/revenue-accounts", body, format="json").status_code == 201
        again = api.post("/api/v1/revenue-accounts", {**body, "account": 3100}, format="json")
        assert again.status_code == 400 and "already is a rule" in str(again.json())
    assert RevenueAccountRule.objects.count() == 3


def test_rules_of_another_tenant_are_404_through_api_and_pages(client, db):
    a, b = make_objects(make_tenant("acme")), make_objects(make_tenant("bravo"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {a['admin_key']}")
    theirs = b["revenue_rule"].pk
    assert api.get(f"/api/v1/revenue-accounts/{theirs}").status_code == 404
    assert api.patch(f"/api/v1/revenue-accounts/{theirs}", {"account": 3000}, format="json").status_code == 404
    assert api.delete(f"/api/v1/revenue-accounts/{theirs}").status_code == 404
    assert [r["id"] for r in api.get("/api/v1/revenue-accounts").json()] == [a["revenue_rule"].pk]
    assert client.login(username="acme-admin", password=PASSWORD)
    assert client.post(f"/settings/24sevenoffice/revenue-accounts/{theirs}/delete/").status_code == 404
    assert client.get(f"/invoices/{b['invoice'].pk}/copy").status_code == 404
    assert RevenueAccountRule.objects.filter(pk=theirs, account=3100).exists()
    # A department code of another tenant is unknown here.
    b["revenue_rule"].tenant.departments.create(code="BRAVOONLY", name="B")
    response = client.post("/settings/24sevenoffice/revenue-accounts/", {"department": "BRAVOONLY", "account": "3000"},
                           follow=True)
    assert "Unknown department code" in response.content.decode()


def test_settings_page_adds_lists_and_removes_rules(client, db):
    tenant = make_tenant("acme")
    assert client.login(username="acme-admin", password=PASSWORD)
    page = client.post("/settings/24sevenoffice/revenue-accounts/", {"department": "BERGEN", "vat_rate": "15",
                                                                     "account": "3015"}, follow=True)
    body = page.content.decode()
    assert "Revenue account rule saved" in body and 'id="revenue-accounts"' in body and "3015" in body
    rule = RevenueAccountRule.objects.get(tenant=tenant)
    assert (rule.department.code, rule.vat_rate, rule.account) == ("BERGEN", Decimal("15.00"), 3015)
    refused = client.post("/settings/24sevenoffice/revenue-accounts/", {"vat_rate": "15", "account": "12"}, follow=True)
    assert "account: Give an account number between 1000" in refused.content.decode()
    client.post(f"/settings/24sevenoffice/revenue-accounts/{rule.pk}/delete/")
    assert not RevenueAccountRule.objects.exists()


# --- Invoice series ----------------------------------------------------------------------------


def test_series_check_finds_gap_and_collision_with_the_fix_spelled_out(sandbox, demo_tenant, client):
    use_vouchers(demo_tenant)
    first_oslo = demo_tenant.invoices.filter(department__code__in=["OSLO", "BERGEN"]).order_by("number").first()
    sandbox.set_invoice_series(first_oslo.number)  # aligned, as the docs ask before the first export
    checks = {c.departments: c for c in invoice_series_check(tenant=demo_tenant)}
    assert set(checks) == {"BERGEN, OSLO", "TRONDHEIM"}  # one per credential; Stavanger has none
    assert (checks["BERGEN, OSLO"].state, checks["BERGEN, OSLO"].hub_next) == (SeriesState.OK, first_oslo.number)
    # The other client was never aligned: its series still starts at 10001, past the hub's numbers.
    assert (checks["TRONDHEIM"].state, checks["TRONDHEIM"].expected) == (SeriesState.COLLISION, 10001)

    sandbox.set_invoice_series(900)
    gap = {c.departments: c for c in invoice_series_check(tenant=demo_tenant)}["BERGEN, OSLO"]
    assert (gap.state, gap.expected) == (SeriesState.GAP, 900)
    assert f"Set the start number of the invoice series in 24SevenOffice to {gap.hub_next}." in gap.message
    assert f"900–{gap.hub_next - 1} would be missing" in gap.message

    sandbox.set_invoice_series(20000)
    collision = {c.departments: c for c in invoice_series_check(tenant=demo_tenant)}["BERGEN, OSLO"]
    assert (collision.state, collision.expected) == (SeriesState.COLLISION, 20000)
    assert f"to {collision.hub_next}." in collision.message and "already at 20000" in collision.message
    assert InvoiceSeriesCheck.objects.filter(tenant=demo_tenant).count() == 2  # replaced, not added

    assert client.login(username="admin", password="demo-admin-pass")
    for page in ("/settings/24sevenoffice/", "/health/"):
        body = client.get(page).content.decode()
        assert 'data-state="collision"' in body and "already at 20000" in body, page


def test_series_follows_what_the_hub_has_posted(sandbox, demo_tenant):
    use_vouchers(demo_tenant)
    oslo = list(demo_tenant.invoices.filter(department__code__in=["OSLO", "BERGEN"]).order_by("number"))
    sandbox.set_invoice_series(oslo[0].number)
    send_all(transfer.export_create(tenant=demo_tenant, invoices=oslo[:3]))
    check = {c.departments: c for c in invoice_series_check(tenant=demo_tenant)}["BERGEN, OSLO"]
    assert check.hub_next == oslo[3].number
    # 24SO moved past the three vouchers; in step exactly when the hub's numbers are consecutive there.
    assert check.expected == oslo[2].number + 1
    assert check.state == (SeriesState.OK if oslo[3].number == oslo[2].number + 1 else SeriesState.GAP)


# --- Receipt and the hub's copy ------------------------------------------------------------------


def test_receipt_shows_voucher_numbers_the_attachment_note_and_series_problems(sandbox, demo_tenant, client):
    use_vouchers(demo_tenant)
    invoice = make_invoice(demo_tenant, 5001, [("3", "99.99", "0", "25"), ("1", "10", "0", "12")])
    batch = transfer.export_create(tenant=demo_tenant, invoices=[invoice])
    send_all(batch)
    sandbox.set_invoice_series(20000)
    invoice_series_check(tenant=demo_tenant)
    item = ExportItem.objects.get(batch=batch)

    assert client.login(username="accountant", password="demo-accountant-pass")
    body = client.get(f"/exports/{batch.pk}/").content.decode()
    assert "Voucher 5001" in body and "takes no attachments on vouchers" in body
    assert f'href="/invoices/{invoice.pk}/copy"' in body
    assert 'data-state="collision"' in body  # the series problem, where it matters
    assert 'id="check-series"' not in body  # only admins check again
    update = client.get(f"/exports/{batch.pk}/updates", {"since": "2000-01-01T00:00:00Z"}).json()["items"][0]
    assert (update["sent_as"], update["sevenoffice_transaction_no"]) == ("voucher", 5001)
    assert item.sevenoffice_invoice_id is None

    copy = client.get(f"/invoices/{invoice.pk}/copy").content.decode()
    amounts = invoice_amounts(invoice)
    assert f'id="total">{amounts.total:.2f}<' in copy and amounts.total == Decimal("386.16")
    assert "Posted in 24SevenOffice as voucher 5001" in copy and "takes no attachments on vouchers" in copy


def test_hub_copy_of_a_credit_note_is_negative_and_names_the_invoice(demo_tenant, client):
    invoice = make_invoice(demo_tenant, 5001, [("2", "100", "0", "25")], invoice_date=date(2026, 3, 1))
    credit = make_invoice(demo_tenant, 5002, [("2", "100", "0", "25")], credits=invoice)
    assert client.login(username="ops", password="demo-ops-pass")
    copy = client.get(f"/invoices/{credit.pk}/copy").content.decode()
    assert 'id="total">-250.00<' in copy and "Credits invoice 5001" in copy and "Not in 24SevenOffice yet" in copy
