import pytest

from tenants import services
from tenants.models import Department

PASSWORD = "long-enough-pass-42"
ROLES = ("admin", "accountant", "ops")


def make_tenant(slug: str, codes=("OSLO", "BERGEN", "TROMSO")):
    tenant, _ = services.tenant_create(slug=slug, name=f"{slug.title()} AS")
    for code in codes:
        Department.objects.create(tenant=tenant, code=code, name=code.title())
    for role in ROLES:
        services.user_create(tenant=tenant, username=f"{slug}-{role}", password=PASSWORD, role=role)
    return tenant


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Dozens of users sign in per test run; the production hasher's cost is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tenant(db):
    return make_tenant("acme")


@pytest.fixture
def login(client):
    """login("admin") signs the test client in as that role of the acme tenant."""

    def sign_in(role, slug="acme"):
        client.logout()
        assert client.login(username=f"{slug}-{role}", password=PASSWORD)
        return client

    return sign_in


def dept(tenant, code):
    return tenant.departments.get(code=code)


def make_objects(tenant):
    """One of everything a tenant owns, as the role matrix and the isolation test need."""
    from exports import transfer
    from exports.models import Customer, Invoice, Project, RepeatingSheetUpload

    customer = Customer.objects.create(tenant=tenant, external_id=f"{tenant.slug}-c", name="Fjord AS")
    project = Project.objects.create(tenant=tenant, external_id=f"{tenant.slug}-p", number="7", name="Build",
                                     customer=customer)
    invoice = Invoice.objects.create(
        tenant=tenant, external_id=f"{tenant.slug}-i", number=1001, department=dept(tenant, "OSLO"),
        customer=customer, project=project, invoice_date="2026-11-01", due_date="2026-11-15",
    )
    credential = services.credential_save(tenant=tenant, username=f"{tenant.slug}@24so.no", password="pw-123456",
                                          departments=[dept(tenant, "OSLO")])
    # Not tested yet, but as if a test had found two clients, so the identity choice has options.
    credential.last_test_identities = [{"id": "a0000000-0000-4000-8000-00000000000a", "name": "A"},
                                       {"id": "a0000000-0000-4000-8000-00000000000b", "name": "B"}]
    credential.save()
    services.integration_activate(tenant=tenant, actor=None)
    services.integration_settings_update(tenant=tenant, actor=None, invoice_export_enabled=True)
    # Without workers the items stay queued: on_commit never fires inside a test transaction.
    batch = transfer.export_create(tenant=tenant, invoices=[invoice])
    api_key, admin_key = services.api_key_create(tenant=tenant, name="matrix", is_admin=True)
    _, plain_key = services.api_key_create(tenant=tenant, name="plain")
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.get(username=f"{tenant.slug}-ops")
    from exports import repeating
    from exports.models import ExpenseImport, RevenueAccountRule
    from tests.exports.expense_setup import stored_expense

    expense = stored_expense(tenant, project)
    revenue_rule = RevenueAccountRule.objects.create(tenant=tenant, department=dept(tenant, "OSLO"), account=3100)
    agreement, _ = repeating.agreement_save(tenant=tenant, spec={"order_id": f"{tenant.slug}-r", "customer_id": customer.pk, "lines": [
        {"name": "Support", "quantity": 1, "price": 100, "next_date": "2026-12-01", "frequency": 2}]})
    upload = RepeatingSheetUpload.objects.create(tenant=tenant, filename="sheet.xlsx", content=b"")
    return {
        "expense": expense, "attachment": expense.attachments.get(),
        "expense_import": ExpenseImport.objects.create(tenant=tenant, status="finished"),
        "member": member, "revenue_rule": revenue_rule, "agreement": agreement, "upload": upload,
        "customer": customer, "project": project, "invoice": invoice, "credential": credential, "batch": batch,
        "api_key": api_key, "admin_key": admin_key, "plain_key": plain_key,
    }
