"""Expenses once imported: the API, the Expenses page, billing on an invoice, tenant isolation, runs."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exports import expenses
from exports.models import Customer, Expense, ExpenseImport, Invoice, InvoiceLine, Project
from sevenoffice.types import Transaction
from tenants import services
from tests.admin_ui.conftest import PASSWORD, make_objects, make_tenant
from tests.api.conftest import INVOICE
from tests.exports.expense_setup import stored_expense

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def a_and_b():
    return make_objects(make_tenant("acme")), make_objects(make_tenant("bravo"))


@pytest.fixture
def acme(a_and_b):
    return a_and_b[0]


def api(objects, key="plain_key"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {objects[key]}")
    return client


def open_invoice(objects, number=2001, **fields):
    values = dict(tenant=objects["customer"].tenant, external_id=f"open-{number}", number=number,
                  department=objects["invoice"].department, customer=objects["customer"],
                  project=objects["project"], invoice_date=date(2026, 11, 20), due_date=date(2026, 12, 4))
    values.update(fields)
    invoice = Invoice.objects.create(**values)
    InvoiceLine.objects.create(invoice=invoice, position=1, product_number="P-100", product_name="Consulting hour",
                               quantity=Decimal(2), unit_price=Decimal("1250.00"), vat_rate=Decimal(25))
    return invoice


# --- API -----------------------------------------------------------------------------------------


def test_expense_list_by_project_with_documents_that_download(acme):
    client = api(acme)
    other_project = Project.objects.create(tenant=acme["project"].tenant, external_id="other", name="Other")
    stored_expense(acme["project"].tenant, other_project, key="2026-3-9-x", supplier_invoice_number="OTHER")

    body = client.get("/api/v1/expenses", {"project": acme["project"].external_id}).json()

    [expense] = body["results"]
    assert {k: expense[k] for k in ("description", "amount", "supplier_name", "supplier_invoice_number",
                                     "invoice_date", "project", "billable", "invoice")} == {
        "description": "Taxi to site", "amount": "125.00", "supplier_name": "Taxi AS",
        "supplier_invoice_number": "T-7", "invoice_date": "2026-11-01", "project": acme["project"].external_id,
        "billable": True, "invoice": None}
    [document] = expense["attachments"]
    assert (document["name"], document["size"]) == ("T-7.pdf", len(b"%PDF-1.4 taxi receipt\n"))
    response = client.get(document["url"])
    assert b"".join(response.streaming_content) == b"%PDF-1.4 taxi receipt\n"
    assert 'filename="T-7.pdf"' in response["Content-Disposition"]


def test_validation_errors_name_the_field(acme):
    client = api(acme)
    expense = acme["expense"]
    assert client.get("/api/v1/expenses", {"project": "nope"}).json() == {"project": ["Unknown project 'nope'."]}
    assert list(client.get("/api/v1/expenses", {"billable": "maybe"}).json()) == ["billable"]
    assert list(client.get("/api/v1/expenses", {"invoice": "nope"}).json()) == ["invoice"]
    response = client.patch(f"/api/v1/expenses/{expense.pk}", {"billable": "perhaps"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["billable"]
    assert client.patch(f"/api/v1/expenses/{expense.pk}", {}, format="json").json() == {
        "billable": ["This field is required."]}
    response = client.post("/api/v1/expense-imports", {}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["expense_import_enabled"]
    assert client.post("/api/v1/expense-imports", {"full": "x"}, format="json").json().keys() == {"full"}
    assert not ExpenseImport.objects.filter(tenant=expense.tenant, status__in=["queued", "running"]).exists()


def test_billable_changes_through_the_api_but_not_once_billed(acme):
    client = api(acme)
    expense = acme["expense"]
    response = client.patch(f"/api/v1/expenses/{expense.pk}", {"billable": False}, format="json")
    assert response.status_code == 200 and response.json()["billable"] is False
    client.patch(f"/api/v1/expenses/{expense.pk}", {"billable": True}, format="json")
    invoice = open_invoice(acme)
    expenses.expenses_add_to_invoice(invoice=invoice, expense_ids=[expense.pk])

    response = client.patch(f"/api/v1/expenses/{expense.pk}", {"billable": False}, format="json")

    assert response.status_code == 400 and "billed on invoice 2001" in response.json()["billable"][0]
    assert Expense.objects.get(pk=expense.pk).billable is True
    assert client.get("/api/v1/expenses", {"invoice": invoice.external_id}).json()["results"][0]["id"] == expense.pk


def test_starting_an_import_while_one_is_open_returns_that_one(acme):
    tenant = acme["project"].tenant
    services.integration_settings_update(tenant=tenant, actor=None, expense_accounts="6800",
                                         expense_import_enabled=True)
    client = api(acme)
    first = client.post("/api/v1/expense-imports", {}, format="json")
    second = client.post("/api/v1/expense-imports", {}, format="json")
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    body = client.get(f"/api/v1/expense-imports/{first.json()['id']}").json()
    assert (body["finished"], body["status"], body["imported"], body["skipped"], body["failed"]) == (
        False, "queued", 0, [], [])


def test_a_silent_run_is_taken_over_and_a_live_one_is_not(acme):
    tenant = acme["project"].tenant
    services.integration_settings_update(tenant=tenant, actor=None, expense_accounts="6800",
                                         expense_import_enabled=True)
    run, _ = expenses.expense_import_start(tenant=tenant)
    assert expenses._claim(run.pk) is not None
    assert expenses._claim(run.pk) is None  # running, and its worker is alive
    ExpenseImport.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert expenses._claim(run.pk) is not None


# --- Billing on an invoice --------------------------------------------------------------------------


def test_an_api_key_bills_expenses_on_an_invoice_as_rows(acme):
    client = api(acme)
    expense = acme["expense"]
    second = stored_expense(expense.tenant, acme["project"], key="2026-3-2-x", supplier_invoice_number="T-8",
                            amount=Decimal("112.00"), amount_excl_vat=Decimal("100.00"), invoice_date=date(2026, 11, 2))
    invoice = open_invoice(acme)

    response = client.post(f"/api/v1/invoices/{invoice.external_id}/expenses",
                           {"expenses": [second.pk, expense.pk]}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["invoice"] == invoice.external_id
    assert [(r["expense"], r["position"], r["product_number"], r["unit_price"], r["vat_rate"]) for r in body["rows"]] == [
        (expense.pk, 2, "EXPENSE", "100.00", "25.00"), (second.pk, 3, "EXPENSE", "100.00", "12.00")]
    billed = client.get("/api/v1/expenses", {"invoice": invoice.external_id}).json()["results"]
    assert sorted(e["id"] for e in billed) == sorted([expense.pk, second.pk])

    again = client.post(f"/api/v1/invoices/{invoice.external_id}/expenses", {"expenses": [expense.pk]}, format="json")
    assert again.status_code == 400 and "already billed" in again.json()["expenses"][str(expense.pk)][0]
    assert invoice.lines.count() == 3


def test_billing_through_the_api_names_the_problem_per_expense_and_adds_nothing(acme):
    client = api(acme)
    expense = acme["expense"]
    not_billable = stored_expense(expense.tenant, acme["project"], key="2026-3-8-x", billable=False)
    invoice = open_invoice(acme)
    url = f"/api/v1/invoices/{invoice.external_id}/expenses"

    response = client.post(url, {"expenses": [expense.pk, not_billable.pk, 999999]}, format="json")

    assert response.status_code == 400
    problems = response.json()["expenses"]
    assert set(problems) == {str(not_billable.pk), "999999"}
    assert "not billable" in problems[str(not_billable.pk)][0] and "Unknown expense" in problems["999999"][0]
    assert invoice.lines.count() == 1 and Expense.objects.get(pk=expense.pk).invoice_line is None
    assert list(client.post(url, {"expenses": []}, format="json").json()) == ["expenses"]
    assert list(client.post(url, {"expenses": ["x"]}, format="json").json()) == ["expenses"]
    assert list(client.post(url, {}, format="json").json()) == ["expenses"]
    # The matrix invoice is queued for export: no rows may be added to it.
    queued = client.post(f"/api/v1/invoices/{acme['invoice'].external_id}/expenses", {"expenses": [expense.pk]},
                         format="json")
    assert queued.status_code == 400 and "queued for export" in queued.json()["invoice"][0]
    assert client.post("/api/v1/invoices/nope/expenses", {"expenses": [expense.pk]}, format="json").status_code == 404



def test_accountant_adds_billable_expenses_to_an_open_invoice_as_rows_once(client, acme):
    expense = acme["expense"]
    invoice = open_invoice(acme)
    assert client.login(username="acme-accountant", password=PASSWORD)
    page = client.get("/expenses/", {"project": acme["project"].pk}).content.decode()
    assert f'value="{invoice.pk}"' in page and f'name="expense" value="{expense.pk}"' in page

    response = client.post("/expenses/add-to-invoice/", {"invoice": invoice.pk, "expense": [expense.pk]})

    assert response.status_code == 302 and response.url == f"/invoices/{invoice.pk}/expenses/"
    row = InvoiceLine.objects.get(invoice=invoice, position=2)
    assert (row.product_number, row.quantity, row.unit_price, row.vat_rate) == (
        "EXPENSE", 1, Decimal("100.00"), Decimal("25"))
    assert "Taxi to site" in row.product_name and "T-7" in row.product_name
    assert Expense.objects.get(pk=expense.pk).invoice_line == row
    shown = client.get(response.url).content.decode()
    assert "T-7.pdf" in shown and f"/expenses/documents/{expense.attachments.get().pk}/" in shown

    again = client.post("/expenses/add-to-invoice/", {"invoice": invoice.pk, "expense": [expense.pk]}, follow=True)
    assert "already billed" in again.content.decode()
    assert invoice.lines.count() == 2


def test_expenses_go_only_on_an_open_invoice_of_the_projects_customer(acme):
    expense = acme["expense"]
    finalised = open_invoice(acme, 2002, finalised_at=timezone.now())
    stranger = Customer.objects.create(tenant=expense.tenant, external_id="stranger", name="Stranger AS")
    strangers = open_invoice(acme, 2003, customer=stranger, project=None)
    not_billable = stored_expense(expense.tenant, acme["project"], key="2026-3-8-x", billable=False)

    with pytest.raises(expenses.ExpenseError) as finalised_error:
        expenses.expenses_add_to_invoice(invoice=finalised, expense_ids=[expense.pk])
    with pytest.raises(expenses.ExpenseError) as customer_error:
        expenses.expenses_add_to_invoice(invoice=strangers, expense_ids=[expense.pk])
    with pytest.raises(expenses.ExpenseError) as billable_error:
        expenses.expenses_add_to_invoice(invoice=open_invoice(acme, 2004), expense_ids=[expense.pk, not_billable.pk])

    assert finalised_error.value.field == "invoice" and "finalised" in finalised_error.value.message
    assert "not the invoice's customer" in customer_error.value.message
    assert "not billable" in billable_error.value.message
    assert not InvoiceLine.objects.filter(product_number="EXPENSE").exists()  # all or nothing
    # 1001 is queued for export (make_objects), 2002 finalised, 2003 another customer's.
    assert expenses.invoices_open_for(expense.tenant, acme["customer"].pk) == [
        Invoice.objects.get(tenant=expense.tenant, number=2004)]


def test_expense_rows_survive_the_source_system_sending_the_invoice_again(acme):
    tenant = acme["project"].tenant
    invoice = open_invoice(acme)
    expenses.expenses_add_to_invoice(invoice=invoice, expense_ids=[acme["expense"].pk])
    client = api(acme)
    sent = {**INVOICE, "external_id": invoice.external_id, "number": invoice.number, "customer": "acme-c",
            "project": "acme-p", "lines": INVOICE["lines"] * 3}

    response = client.post("/api/v1/invoices", sent, format="json")

    assert response.status_code == 200, response.json()
    lines = list(InvoiceLine.objects.filter(invoice__tenant=tenant, invoice=invoice).order_by("position"))
    assert [(l.position, l.product_number) for l in lines] == [(1, "P-1"), (2, "P-1"), (3, "P-1"), (4, "EXPENSE")]
    assert Expense.objects.get(pk=acme["expense"].pk).invoice_line == lines[-1]


def test_billable_toggle_and_import_button_on_the_expenses_page(client, acme):
    expense = acme["expense"]
    assert client.login(username="acme-accountant", password=PASSWORD)
    client.post(f"/expenses/{expense.pk}/billable/", {"billable": "0"})
    assert Expense.objects.get(pk=expense.pk).billable is False
    page = client.post("/expenses/import/", follow=True).content.decode()
    assert "switched off" in page
    assert client.login(username="acme-ops", password=PASSWORD)
    page = client.get("/expenses/").content.decode()
    assert "T-7.pdf" in page and "Import now" not in page


# --- Tenant isolation ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "accountant", "ops"])
def test_a_user_of_a_gets_404_for_expenses_of_b(client, a_and_b, role):
    a, b = a_and_b
    assert client.login(username=f"acme-{role}", password=PASSWORD)
    paths = [("get", f"/expenses/documents/{b['attachment'].pk}/"), ("get", f"/invoices/{b['invoice'].pk}/expenses/")]
    if role != "ops":
        paths += [("post", f"/expenses/{b['expense'].pk}/billable/")]
    for method, path in paths:
        assert getattr(client, method)(path).status_code == 404, path
    if role != "ops":
        response = client.post("/expenses/add-to-invoice/", {"invoice": b["invoice"].pk, "expense": [b["expense"].pk]})
        assert response.status_code == 404
        mine = open_invoice(a)
        page = client.post("/expenses/add-to-invoice/", {"invoice": mine.pk, "expense": [b["expense"].pk]},
                           follow=True).content.decode()
        assert f"Unknown expense {b['expense'].pk}" in page
    assert Expense.objects.get(pk=b["expense"].pk).billable is True
    assert Expense.objects.get(pk=b["expense"].pk).invoice_line is None


def test_expenses_page_lists_only_the_own_tenants(client, a_and_b):
    a, b = a_and_b
    Expense.objects.filter(pk=b["expense"].pk).update(supplier_name="Bravo Leverandør")
    assert client.login(username="acme-admin", password=PASSWORD)
    page = client.get("/expenses/").content.decode()
    assert "Taxi AS" in page and "Bravo Leverandør" not in page


@pytest.mark.parametrize("key", ["admin_key", "plain_key"])
def test_an_api_key_of_a_gets_404_for_expenses_of_b(a_and_b, key):
    a, b = a_and_b
    client = api(a, key)
    expense, attachment = b["expense"], b["attachment"]
    for path in (f"/api/v1/expenses/{expense.pk}", f"/api/v1/expenses/{expense.pk}/attachments/{attachment.pk}",
                 f"/api/v1/expenses/{a['expense'].pk}/attachments/{attachment.pk}",
                 f"/api/v1/expense-imports/{b['expense_import'].pk}"):
        assert client.get(path).status_code == 404, path
    assert client.patch(f"/api/v1/expenses/{expense.pk}", {"billable": False}, format="json").status_code == 404
    bill = client.post(f"/api/v1/invoices/{b['invoice'].external_id}/expenses", {"expenses": [a["expense"].pk]},
                       format="json")
    assert bill.status_code == 404
    mine = open_invoice(a)
    bill = client.post(f"/api/v1/invoices/{mine.external_id}/expenses", {"expenses": [expense.pk]}, format="json")
    assert bill.status_code == 400 and list(bill.json()["expenses"]) == [str(expense.pk)]
    assert Expense.objects.get(pk=expense.pk).invoice_line is None and mine.lines.count() == 1
    assert Expense.objects.get(pk=expense.pk).billable is True
    listed = client.get("/api/v1/expenses").json()["results"]
    assert [e["id"] for e in listed] == [a["expense"].pk]
    assert list(client.get("/api/v1/expenses", {"project": b["project"].external_id}).json()) == ["project"]


# --- Pure rules -------------------------------------------------------------------------------------


def test_account_ranges_merge_neighbours():
    assert expenses.account_ranges([6800, 4000, 4001, 4002, 4300, 6801]) == [(4000, 4002), (4300, 4300), (6800, 6801)]


def _line(no, amount):
    return Transaction(date=date(2026, 3, 1), account_no=6800, amount=Decimal(amount), transaction_no=no)


def test_a_voucher_split_over_projects_shares_the_gross_in_proportion_and_sums_exactly():
    a = expenses.Candidate(key="a", lines=[_line(1, "100.00")], project_id=1)
    b = expenses.Candidate(key="b", lines=[_line(1, "200.00")], project_id=2)
    c = expenses.Candidate(key="c", lines=[_line(1, "33.33")], project_id=3)
    gross = Decimal("416.66")
    shares = [expenses._share_of_gross(x, [a, b, c], gross) for x in (a, b, c)]
    assert sum(shares) == gross and shares[0] == Decimal("125.00") and shares[1] == Decimal("250.00")
    assert expenses._share_of_gross(a, [a], Decimal("130.00")) == Decimal("130.00")


@pytest.mark.parametrize("gross, net, rate", [("125.00", "100.00", "25"), ("112.00", "100.00", "12"),
                                              ("100.00", "100.00", "0"), ("-625.00", "-500.00", "25"),
                                              ("110.00", "100.00", "10.00")])
def test_expense_rows_carry_the_suppliers_vat_rate(gross, net, rate):
    expense = Expense(amount=Decimal(gross), amount_excl_vat=Decimal(net))
    assert expenses.expense_vat_rate(expense) == Decimal(rate)
