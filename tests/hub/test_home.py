import pytest

from exports.demo import demo_seed
from tenants import services

pytestmark = pytest.mark.django_db

IDENTITIES = ["a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"]


def test_home_flags_the_department_without_credential(client):
    demo_seed(username="demo@sandbox.local", password="demo", identities=IDENTITIES, invoices=20)
    assert client.login(username="accountant", password="demo-accountant-pass")
    page = client.get("/").content.decode()
    assert '<tr class="warn" data-department="STAVANGER">' in page
    assert '<tr class="" data-department="OSLO">' in page
    assert "20 invoices in the hub." in page


def test_home_shows_only_own_tenant(client):
    demo_seed(username="demo@sandbox.local", password="demo", identities=IDENTITIES, invoices=5)
    other, _ = services.tenant_create(slug="other", name="Other Tenant AS")
    services.user_create(tenant=other, username="olav", password="another-long-pass", role="admin")
    assert client.login(username="olav", password="another-long-pass")
    page = client.get("/").content.decode()
    assert "Other Tenant AS" in page and "OSLO" not in page and "0 invoices" in page


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_demo_seed_is_idempotent():
    first = demo_seed(username="demo@sandbox.local", password="demo", identities=IDENTITIES, invoices=30)
    demo_seed(username="demo@sandbox.local", password="demo", identities=IDENTITIES, invoices=30)
    assert first.invoices.count() == 30
    assert first.credentials.count() == 2
    assert [d.code for d in services.departments_without_credential(first)] == ["STAVANGER"]
    credit_notes = first.invoices.filter(kind="credit_note")
    assert credit_notes.exists() and all(c.credits.customer_id == c.customer_id for c in credit_notes)
