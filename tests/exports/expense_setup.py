"""A tenant that imports expenses from the sandbox's demo client, and supplier invoices to seed."""

import base64
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from exports import sync
from exports.models import BindingKind, Customer, Expense, ExpenseAttachment, Project, SevenOfficeBinding, SyncStatus
from sevenoffice.client import SevenOfficeClient
from sevenoffice.sandbox import accounts as sandbox_accounts
from sevenoffice.types import Credential
from sevenoffice.types import Project as RemoteProject
from tenants import services

IDENTITY = sandbox_accounts.DEMO_AS_IDENTITY_ID
PDF = b"%PDF-1.4 supplier invoice\n" + bytes(range(256)) * 30  # several download chunks' worth


def expense_tenant(slug="exp", *, accounts="6800, 4000", billable=False):
    tenant, _ = services.tenant_create(slug=slug, name=f"{slug.title()} AS")
    services.credential_save(tenant=tenant, username=sandbox_accounts.DEFAULT_USERNAME,
                             password=sandbox_accounts.DEFAULT_PASSWORD, identity_id=IDENTITY, departments="all")
    services.integration_settings_update(tenant=tenant, actor=None, expense_accounts=accounts,
                                         expenses_billable_by_default=billable, expense_import_enabled=True)
    return tenant


def synced_project(tenant, external_id="p-1", *, customer=None, number="1"):
    """A hub project that exists in the sandbox's client, as project sync leaves it; returns
    (project, its 24SO id)."""
    customer = customer or Customer.objects.get_or_create(tenant=tenant, external_id="c-1",
                                                          defaults={"name": "Fjord AS"})[0]
    project = Project.objects.create(tenant=tenant, external_id=external_id, number=number,
                                     name=f"Project {number}", customer=customer)
    credential = tenant.credentials.get()
    remote_id = sync.client_for(credential).save_project(sync.project_for(project, None))
    SevenOfficeBinding.objects.create(tenant=tenant, identity_id=IDENTITY, kind=BindingKind.PROJECT,
                                      key=str(project.pk), sevenoffice_id=remote_id, sync_status=SyncStatus.SYNCED)
    return project, remote_id


def bind_project(tenant, remote_id, external_id="p-late", *, number="20"):
    """A hub project matched to a project that already exists in 24SO, as project sync leaves it."""
    customer = Customer.objects.get_or_create(tenant=tenant, external_id="c-1", defaults={"name": "Fjord AS"})[0]
    project = Project.objects.create(tenant=tenant, external_id=external_id, number=number,
                                     name=f"Project {number}", customer=customer)
    SevenOfficeBinding.objects.create(tenant=tenant, identity_id=IDENTITY, kind=BindingKind.PROJECT,
                                      key=str(project.pk), sevenoffice_id=remote_id, sync_status=SyncStatus.SYNCED)
    return project


def remote_project(sandbox, name="Not in the hub") -> int:
    """A project that exists only in 24SO."""
    client = SevenOfficeClient(Credential(sandbox.USERNAME, sandbox.PASSWORD, IDENTITY))
    return client.save_project(RemoteProject(name=name, order_reference_number="elsewhere"))


def seed(sandbox, project_id, **overrides):
    """A supplier invoice in the sandbox (an accountant's work in 24SO); returns its ids."""
    fields = dict(
        identity_id=IDENTITY, supplier_name="Kontorland AS", supplier_invoice_number="KL-1001",
        invoice_date=date.today().isoformat(), amount="1250.00", account_no=6800, project_id=project_id,
        description="Office supplies", approved=True, posted=True,
        attachment={"name": "kl-1001.pdf", "content_base64": base64.b64encode(PDF).decode()},
    )
    fields.update(overrides)
    return sandbox.add_supplier_invoice(**fields)


def stored_expense(tenant, project, *, key="2026-3-1-7", content=b"%PDF-1.4 taxi receipt\n", **overrides):
    """An expense as an import leaves it (for views and API tests that need no 24SO)."""
    fields = dict(identity_id=IDENTITY, sevenoffice_key=key, transaction_no=7, stamp_no=7, description="Taxi to site",
                  amount=Decimal("125.00"), amount_excl_vat=Decimal("100.00"), supplier_name="Taxi AS",
                  supplier_invoice_number="T-7", invoice_date=date(2026, 11, 1), project=project, billable=True)
    fields.update(overrides)
    expense = Expense.objects.create(tenant=tenant, **fields)
    attachment = ExpenseAttachment(expense=expense, sevenoffice_file_id=70, name="T-7.pdf", size=len(content),
                                   content_type="application/pdf")
    attachment.file.save("T-7.pdf", ContentFile(content), save=True)
    return expense
