"""Create-or-update of the records source systems push: idempotent by external id (or code)."""

from django.db import transaction

from exports.models import Customer, Invoice, InvoiceLine, Project
from tenants.models import Department, Tenant


def department_upsert(*, tenant: Tenant, code: str, name: str) -> tuple[Department, bool]:
    department, created = Department.objects.update_or_create(tenant=tenant, code=code, defaults={"name": name})
    return department, created


def customer_upsert(*, tenant: Tenant, external_id: str, **fields) -> tuple[Customer, bool]:
    return Customer.objects.update_or_create(tenant=tenant, external_id=external_id, defaults=fields)


def project_upsert(*, tenant: Tenant, external_id: str, **fields) -> tuple[Project, bool]:
    return Project.objects.update_or_create(tenant=tenant, external_id=external_id, defaults=fields)


@transaction.atomic
def invoice_upsert(*, tenant: Tenant, external_id: str, lines: list[dict], **fields) -> tuple[Invoice, bool]:
    """Create or replace an invoice and its lines in one transaction (nothing half-saved)."""
    invoice, created = Invoice.objects.select_for_update().update_or_create(
        tenant=tenant, external_id=external_id, defaults=fields
    )
    if not created:
        invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, **line) for position, line in enumerate(lines, start=1)
    )
    return invoice, created
