import pytest
from django.contrib.auth import authenticate, get_user_model

from tenants.models import AuditEvent, Membership
from tests.admin_ui.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tenant):
    assert client.login(username="acme-admin", password=PASSWORD)
    return client


def test_admin_adds_a_user_with_a_role_and_it_is_audited(admin_client, tenant):
    response = admin_client.post("/settings/users/", {"username": "kari", "email": "kari@acme.no", "role": "accountant",
                                                       "password": "a-sound-passphrase-9"})
    assert response.status_code == 302
    kari = authenticate(username="kari", password="a-sound-passphrase-9")
    assert kari.membership.tenant == tenant and kari.membership.role == "accountant"
    event = AuditEvent.objects.get(action="user.created")
    assert event.target == "kari" and "a-sound" not in str(event.details)


def test_weak_password_and_taken_username_are_named_and_nothing_saved(admin_client):
    page = admin_client.post("/settings/users/", {"username": "acme-ops", "role": "ops", "password": "123"})
    body = page.content.decode()
    assert page.status_code == 200 and "already exists" in body
    assert 'value="123"' not in body  # the password is never echoed
    page = admin_client.post("/settings/users/", {"username": "new", "role": "ops", "password": "123"})
    assert "too short" in page.content.decode() and not get_user_model().objects.filter(username="new").exists()


def test_role_change_and_deactivation(admin_client, tenant):
    ops = get_user_model().objects.get(username="acme-ops")
    admin_client.post(f"/settings/users/{ops.pk}/", {"role": "accountant", "active": "on"})
    assert Membership.objects.get(user=ops).role == "accountant"
    admin_client.post(f"/settings/users/{ops.pk}/", {"role": "accountant"})  # unticked: deactivated
    ops.refresh_from_db()
    assert not ops.is_active and authenticate(username="acme-ops", password=PASSWORD) is None
    assert AuditEvent.objects.filter(action="user.changed", target="acme-ops").count() == 2


def test_the_last_admin_cannot_be_demoted_nor_can_admins_lock_themselves_out(admin_client):
    me = get_user_model().objects.get(username="acme-admin")
    response = admin_client.post(f"/settings/users/{me.pk}/", {"role": "ops", "active": "on"}, follow=True)
    assert "at least one active admin" in response.content.decode()
    assert Membership.objects.get(user=me).role == "admin"
