import pytest

from exports import overview
from exports.models import Customer, Invoice
from tenants import services
from tenants.models import AuditAction, AuditEvent, SevenOfficeCredential
from tests.admin_ui.conftest import dept

pytestmark = pytest.mark.django_db
SECRET = "Very-Secret-24so-pw"
ONLY_IDENTITY = "b0000000-0000-4000-8000-0000000000b1"


def add(client, tenant, **overrides):
    data = {"username": "kari@acme.no", "password": SECRET, "scope": "chosen",
            "departments": [dept(tenant, "OSLO").pk, dept(tenant, "BERGEN").pk], **overrides}
    return client.post("/settings/credentials/add/", data)


def test_add_a_scoped_credential_the_password_is_stored_encrypted_and_never_shown(tenant, login):
    client = login("admin")
    form = client.get("/settings/credentials/add/").content.decode()
    assert 'type="password"' in form
    assert add(client, tenant).status_code == 302
    credential = SevenOfficeCredential.objects.get()
    assert credential.reveal_password() == SECRET and SECRET not in credential.password_encrypted
    assert sorted(d.code for d in credential.departments.all()) == ["BERGEN", "OSLO"]
    page = client.get("/settings/credentials/").content.decode()
    assert SECRET not in page and "kari@acme.no" in page
    assert '<tr class="warn" data-department="TROMSO">' in page  # the uncovered department is flagged
    assert '<tr class="" data-department="OSLO">' in page
    event = AuditEvent.objects.get(action=AuditAction.CREDENTIAL_CREATED)
    assert event.details == {"username": "kari@acme.no", "identity_id": None, "departments": ["BERGEN", "OSLO"]}
    assert SECRET not in str(event.details)


def test_a_form_error_never_echoes_the_password(tenant, login):
    client = login("admin")
    services.credential_save(tenant=tenant, username="other@acme.no", password="x", departments=[dept(tenant, "OSLO")])
    response = add(client, tenant)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Department OSLO is already served by other@acme.no" in page
    assert SECRET not in page
    assert SevenOfficeCredential.objects.count() == 1


def test_edit_changes_scope_rotate_changes_only_the_password_delete_removes(tenant, login):
    client = login("admin")
    credential = services.credential_save(tenant=tenant, username="kari@acme.no", password=SECRET,
                                          departments=[dept(tenant, "OSLO")])
    edit = client.get(f"/settings/credentials/{credential.pk}/").content.decode()
    assert 'name="password"' not in edit  # passwords change through rotation only
    client.post(f"/settings/credentials/{credential.pk}/", {"username": "kari@acme.no", "scope": "all"})
    credential.refresh_from_db()
    assert credential.all_departments and credential.reveal_password() == SECRET

    response = client.post(f"/settings/credentials/{credential.pk}/rotate/", {"password": "Brand-New-pw-1"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.reveal_password() == "Brand-New-pw-1"

    client.post(f"/settings/credentials/{credential.pk}/delete/")
    assert not SevenOfficeCredential.objects.exists()
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [AuditAction.CREDENTIAL_CHANGED, AuditAction.CREDENTIAL_ROTATED, AuditAction.CREDENTIAL_DELETED]
    changed = AuditEvent.objects.get(action=AuditAction.CREDENTIAL_CHANGED)
    assert changed.details["changes"] == {"departments": [["OSLO"], "all"]}
    for event in AuditEvent.objects.all():
        assert SECRET not in str(event.details) and "Brand-New-pw-1" not in str(event.details)


def test_connection_test_with_two_identities_lets_the_admin_pick_one(tenant, login, sandbox):
    client = login("admin")
    credential = services.credential_save(tenant=tenant, username=sandbox.USERNAME, password=sandbox.PASSWORD,
                                          departments="all")
    response = client.post(f"/settings/credentials/{credential.pk}/test/", follow=True)
    page = response.content.decode()
    assert "reaches 2 clients" in page
    credential.refresh_from_db()
    assert credential.last_test_ok is False and credential.identity_id is None and credential.last_tested_at
    assert {i["id"] for i in credential.last_test_identities} == {sandbox.IDENTITY_ID, sandbox.SECOND_IDENTITY_ID}
    assert f'value="{sandbox.SECOND_IDENTITY_ID}"' in page  # the select to pick from

    client.post(f"/settings/credentials/{credential.pk}/identity/", {"identity_id": sandbox.SECOND_IDENTITY_ID})
    credential.refresh_from_db()
    assert str(credential.identity_id) == sandbox.SECOND_IDENTITY_ID and credential.last_test_ok
    # A client the test did not find is refused.
    client.post(f"/settings/credentials/{credential.pk}/identity/", {"identity_id": ONLY_IDENTITY})
    credential.refresh_from_db()
    assert str(credential.identity_id) == sandbox.SECOND_IDENTITY_ID
    tested = AuditEvent.objects.get(action=AuditAction.CREDENTIAL_TESTED)
    assert tested.details["ok"] is False and tested.details["identities"] == 2
    assert sandbox.PASSWORD not in str(tested.details)


def test_connection_test_with_one_identity_selects_it(tenant, sandbox):
    sandbox.add_account("solo@acme.no", "solo-pass", identities=[{"id": ONLY_IDENTITY, "name": "Solo AS", "client_id": 77}])
    credential = services.credential_save(tenant=tenant, username="solo@acme.no", password="solo-pass",
                                          departments=[dept(tenant, "OSLO")])
    services.credential_test(credential=credential, actor=None)
    credential.refresh_from_db()
    assert credential.last_test_ok and str(credential.identity_id) == ONLY_IDENTITY
    assert "Solo AS" in credential.last_test_message


def test_the_tenants_default_identity_is_taken_when_the_login_reaches_it(tenant, sandbox):
    services.integration_settings_update(tenant=tenant, actor=None, default_identity_id=sandbox.SECOND_IDENTITY_ID)
    credential = services.credential_save(tenant=tenant, username=sandbox.USERNAME, password=sandbox.PASSWORD,
                                          departments="all")
    services.credential_test(credential=credential, actor=None)
    credential.refresh_from_db()
    assert credential.last_test_ok and str(credential.identity_id) == sandbox.SECOND_IDENTITY_ID


def test_failed_test_is_recorded_without_the_password_and_flags_the_departments(tenant, login, sandbox):
    credential = services.credential_save(tenant=tenant, username=sandbox.USERNAME, password="Wrong-pw-123",
                                          departments=[dept(tenant, "OSLO")])
    services.credential_test(credential=credential, actor=None)
    credential.refresh_from_db()
    assert credential.last_test_ok is False and "refused the login" in credential.last_test_message
    assert "Wrong-pw-123" not in credential.last_test_message
    page = login("admin").get("/settings/credentials/").content.decode()
    assert '<tr class="warn" data-department="OSLO">' in page and "no working credential" in page

    customer = Customer.objects.create(tenant=tenant, external_id="c-1", name="Fjord AS")
    invoice = Invoice.objects.create(tenant=tenant, external_id="i-1", number=1, department=dept(tenant, "OSLO"),
                                     customer=customer, invoice_date="2026-11-01", due_date="2026-11-15")
    [row] = overview.export_preview(tenant, [invoice.pk])
    assert any("no working credential" in problem for problem in row.problems)
    assert overview.certain_failures(tenant, Invoice.objects.filter(tenant=tenant))["failed_test"] == 1

    # A new password makes the old result meaningless: it is cleared.
    services.credential_rotate(credential=credential, actor=None, password=sandbox.PASSWORD)
    credential.refresh_from_db()
    assert credential.last_test_ok is None and credential.last_tested_at is None


def test_unreachable_24so_is_a_failed_test_not_an_error_page(tenant, login):
    # Without the sandbox fixture 24SO calls go to a closed port.
    credential = services.credential_save(tenant=tenant, username="kari@acme.no", password=SECRET, departments="all")
    response = login("admin").post(f"/settings/credentials/{credential.pk}/test/", follow=True)
    assert response.status_code == 200 and "could not be reached" in response.content.decode()
    credential.refresh_from_db()
    assert credential.last_test_ok is False
