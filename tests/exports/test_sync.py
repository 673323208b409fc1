"""Customer and project sync against the sandbox over HTTP, called in-process."""

import pytest
from rest_framework.test import APIClient

from exports import sync, transfer
from exports.models import BindingKind, Customer, ExportItem, Invoice, MatchRule, Project, SevenOfficeBinding, SyncStatus
from sevenoffice.client import SevenOfficeClient
from sevenoffice.sandbox import accounts as sandbox_accounts
from sevenoffice.types import Company, Credential
from tenants.services import api_key_create, integration_settings

pytestmark = pytest.mark.django_db
FIRST, SECOND = sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID


@pytest.fixture
def api(demo_tenant):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_create(tenant=demo_tenant)[1]}")
    return client


def companies(sandbox, identity=FIRST):
    return sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=identity).get("companies", [])


def so_client(identity=FIRST):
    return SevenOfficeClient(Credential(sandbox_accounts.DEFAULT_USERNAME, sandbox_accounts.DEFAULT_PASSWORD, identity))


def push(api, **fields):
    body = {"external_id": "c-new", "name": "Kari Nordmann", "email": "kari@fjell.example",
            "organization_number": "998877665", "address": {"street": "Fjellveien 1", "postal_code": "0150",
                                                            "city": "Oslo", "country": "NO"}}
    body.update(fields)
    response = api.post("/api/v1/customers", body, format="json")
    assert response.status_code in (200, 201), response.json()
    customer = Customer.objects.get(external_id=body["external_id"])
    sync.customer_sync(customer.pk)
    return api.get(f"/api/v1/customers/{body['external_id']}").json()


def test_new_customer_gets_24so_numbers_in_every_client_and_changes_follow(sandbox, api):
    body = push(api)
    assert body["sync_status"] == "synced" and isinstance(body["sevenoffice_id"], int)
    assert [b["identity_id"] for b in body["bindings"]] == [FIRST, SECOND]
    assert all(b["match_rule"] == "created" for b in body["bindings"])
    created = {c["Id"]: c for c in companies(sandbox)}[body["sevenoffice_id"]]
    assert created["Name"] == "Kari Nordmann" and created["ExternalId"].startswith("HUB-")
    assert len(companies(sandbox, SECOND)) == 1

    changed = push(api, address={"street": "Havnegata 9", "postal_code": "5003", "city": "Bergen", "country": "NO"})
    assert changed["sevenoffice_id"] == body["sevenoffice_id"]
    assert len(companies(sandbox)) == 1  # updated, not created again
    updated = companies(sandbox)[0]
    assert updated["Addresses"]["Post"]["City"] == "Bergen"


@pytest.mark.parametrize("match_on, rule", [("email", "email"), ("organization_number", "organization_number")])
def test_existing_24so_customer_is_matched_and_updated(sandbox, api, match_on, rule):
    existing = so_client().save_company(Company(
        name="Old name AS", email="kari@fjell.example" if match_on == "email" else None,
        organization_number="998877665" if match_on == "organization_number" else None,
    ))
    body = push(api)
    first = body["bindings"][0]
    assert first["sevenoffice_id"] == existing.id and first["match_rule"] == rule
    assert len(companies(sandbox)) == 1
    assert companies(sandbox)[0]["Name"] == "Kari Nordmann"  # the hub's data won


def test_email_and_org_number_pointing_apart_wait_for_an_admin_and_the_choice_is_kept(sandbox, api):
    by_email = so_client().save_company(Company(name="Fjell (e-mail)", email="kari@fjell.example"))
    by_org = so_client().save_company(Company(name="Fjell (org)", organization_number="998877665"))
    body = push(api)
    assert body["sync_status"] == "needs_decision"
    first = body["bindings"][0]
    assert {(c["id"], c["matched_by"]) for c in first["candidates"]} == {(by_email.id, "email"), (by_org.id, "organization_number")}
    assert len(companies(sandbox)) == 2  # nothing guessed, nothing created

    customer = Customer.objects.get(external_id="c-new")
    sync.customer_choose_match(customer=customer, identity_id=FIRST, sevenoffice_id=by_org.id)
    sync.customer_sync(customer.pk)
    body = push(api, phone="+47 99 99 99 99")  # a later change keeps the choice
    first = body["bindings"][0]
    assert first["sevenoffice_id"] == by_org.id and first["match_rule"] == "chosen" and first["sync_status"] == "synced"
    assert len(companies(sandbox)) == 2


def test_factoring_sends_every_customer_under_one_number(sandbox, api, demo_tenant):
    settings = integration_settings(demo_tenant)
    settings.factoring_customer_id = 5555
    settings.save()
    body = push(api)
    assert body["sevenoffice_id"] == 5555 and body["bindings"][0]["match_rule"] == "factoring"
    assert companies(sandbox) == []


def test_project_waits_for_its_customer_then_follows_with_client_id(sandbox, api, demo_tenant):
    settings = integration_settings(demo_tenant)
    settings.project_client_id = 77
    settings.save()
    api.post("/api/v1/customers", {"external_id": "c-p", "name": "Prosjektkunde AS"}, format="json")
    api.post("/api/v1/projects", {"external_id": "p-9", "number": "9", "name": "Bygg", "customer": "c-p"}, format="json")
    project = Project.objects.get(external_id="p-9")
    sync.project_sync(project.pk)
    waiting = api.get("/api/v1/projects/p-9").json()
    assert waiting["sync_status"] == "pending" and "Waiting for customer Prosjektkunde AS" in waiting["sync_message"]

    sync.customer_sync(Customer.objects.get(external_id="c-p").pk)
    sync.project_sync(project.pk)
    done = api.get("/api/v1/projects/p-9").json()
    assert done["sync_status"] == "synced" and isinstance(done["sevenoffice_id"], int)
    from django.test import Client

    browser = Client()
    assert browser.login(username="accountant", password="demo-accountant-pass")
    page = browser.get("/projects/").content.decode()
    assert 'data-project="p-9"' in page and f"no. {done['sevenoffice_id']}" in page
    remote = next(p for p in sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=FIRST)["projects"]
                  if p["Id"] == done["sevenoffice_id"])
    customer_id = api.get("/api/v1/customers/c-p").json()["sevenoffice_id"]
    assert remote["CustomerId"] == customer_id and remote["OrderReferenceNumber"] == "77-9"


def test_organisation_customer_carries_the_organisation_and_the_person_goes_on_invoices(sandbox, api, demo_tenant):
    invoice = Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice").first()
    customer = invoice.customer
    Customer.objects.filter(pk=customer.pk).update(name="Ola Nordmann", organization_name="Nordmann Rør AS")
    batch = transfer.export_create(tenant=demo_tenant, invoices=[invoice])
    from tests.exports.test_transfer_service import send_all

    send_all(batch)
    assert ExportItem.objects.get(batch=batch).status == "done"
    data = sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=FIRST)
    assert [c["Name"] for c in data["companies"]] == ["Nordmann Rør AS"]
    assert data["orders"][0]["InvoiceTitle"] == "Ola Nordmann"


def test_list_filters_by_sync_status_and_changed_since(sandbox, api):
    push(api)
    api.post("/api/v1/customers", {"external_id": "c-later", "name": "Later AS"}, format="json")
    synced = api.get("/api/v1/customers", {"sync_status": "synced"}).json()["results"]
    pending = api.get("/api/v1/customers", {"sync_status": "pending"}).json()["results"]
    assert [c["external_id"] for c in synced] == ["c-new"]
    assert "c-later" in [c["external_id"] for c in pending] and "c-new" not in [c["external_id"] for c in pending]
    assert api.get("/api/v1/customers", {"sync_status": "bogus"}).status_code == 400
    future = api.get("/api/v1/customers", {"changed_since": "2999-01-01T00:00:00Z"}).json()["results"]
    assert future == []


def test_admin_chooses_the_match_in_the_browser_and_anyone_can_resync(sandbox, api, client):
    by_email = so_client().save_company(Company(name="Fjell (e-mail)", email="kari@fjell.example"))
    so_client().save_company(Company(name="Fjell (org)", organization_number="998877665"))
    push(api)
    customer = Customer.objects.get(external_id="c-new")
    assert client.login(username="admin", password="demo-admin-pass")
    page = client.get("/customers/", {"sync_status": "needs_decision"}).content.decode()
    assert 'data-customer="c-new"' in page and "an admin must choose" in page and f'value="{by_email.id}"' in page
    client.post(f"/customers/{customer.pk}/choose/", {"identity_id": FIRST, "sevenoffice_id": by_email.id})
    sync.customer_sync(customer.pk)
    page = client.get("/customers/").content.decode()
    assert f"no. {by_email.id}" in page and "Chosen by an admin" in page

    customer.refresh_from_db()
    before = customer.sync_version
    client.logout()
    assert client.login(username="ops", password="demo-ops-pass")
    assert client.post(f"/customers/{customer.pk}/resync/").status_code == 302
    customer.refresh_from_db()
    assert customer.sync_version == before + 1


def test_failed_syncs_are_mailed_once_as_a_summary(sandbox, api, demo_tenant, mailoutbox):
    from exports.alerts import sync_failures_alert

    settings = integration_settings(demo_tenant)
    settings.error_email = "errors@demo.example"
    settings.save()
    so_client().save_company(Company(name="Fjell (e-mail)", email="kari@fjell.example"))
    so_client().save_company(Company(name="Fjell (org)", organization_number="998877665"))
    push(api)  # needs a decision in the first client
    assert sync_failures_alert() == 1
    assert sync_failures_alert() == 0  # named once
    (mail,) = mailoutbox
    assert mail.to == ["errors@demo.example"] and "Customer Kari Nordmann: Needs decision" in mail.body
    assert "/customers/" in mail.body


def test_a_create_cut_off_by_a_dead_worker_is_found_again_not_repeated(sandbox, api, demo_tenant):
    from datetime import timedelta

    from django.utils import timezone

    api.post("/api/v1/customers", {"external_id": "c-crash", "name": "Krasj AS"}, format="json")
    customer = Customer.objects.get(external_id="c-crash")
    # The dead worker's SaveCompanies reached 24SO, but it never recorded the answer.
    so_client().save_company(sync.company_for(customer))
    SevenOfficeBinding.objects.create(tenant=demo_tenant, identity_id=FIRST, kind=BindingKind.CUSTOMER,
                                      key=str(customer.pk), claimed_at=timezone.now() - timedelta(minutes=5))
    sync.customer_sync(customer.pk)
    binding = SevenOfficeBinding.objects.get(identity_id=FIRST, kind=BindingKind.CUSTOMER, key=str(customer.pk))
    assert binding.match_rule == MatchRule.EXTERNAL_ID and binding.sync_status == SyncStatus.SYNCED
    assert [c["Name"] for c in companies(sandbox)] == ["Krasj AS"]


def test_only_the_customers_projects_not_yet_in_the_client_follow_it(sandbox, api, demo_tenant, monkeypatch):
    sent = []
    monkeypatch.setattr(sync, "_send", lambda task, record_id: sent.append((task, record_id)))
    customer = Customer.objects.create(tenant=demo_tenant, external_id="c-pp", name="Prosjekt AS")
    done, waiting_a, waiting_b = (Project.objects.create(tenant=demo_tenant, external_id=f"pp-{n}", number=str(n),
                                                         name=f"P{n}", customer=customer) for n in (1, 2, 3))
    SevenOfficeBinding.objects.create(tenant=demo_tenant, identity_id=FIRST, kind=BindingKind.PROJECT,
                                      key=str(done.pk), sevenoffice_id=42, sync_status=SyncStatus.SYNCED)
    sync._projects_waiting_for(customer, FIRST)
    assert sorted(sent) == sorted([("exports.sync_project", waiting_a.pk), ("exports.sync_project", waiting_b.pk)])
