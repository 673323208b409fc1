"""Create-or-update of the records source systems push: idempotent by external id (or code)."""

from django.db import transaction
from django.utils import timezone

from exports import sync, transfer
from exports.models import LIVE_STATUSES, Customer, ExportItem, Invoice, InvoiceLine, Project
from tenants.models import Department, Tenant
from tenants.services import integration_settings


def department_upsert(*, tenant: Tenant, code: str, **fields) -> tuple[Department, bool]:
    return Department.objects.update_or_create(tenant=tenant, code=code, defaults=fields)


@transaction.atomic
def customer_upsert(*, tenant: Tenant, external_id: str, **fields) -> tuple[Customer, bool]:
    """Create or update; a real change goes to 24SO right after the commit."""
    customer, created, changed = _upsert(Customer, tenant, external_id, fields)
    if created or changed:
        sync.customer_changed(customer)
    return customer, created


@transaction.atomic
def project_upsert(*, tenant: Tenant, external_id: str, **fields) -> tuple[Project, bool]:
    project, created, changed = _upsert(Project, tenant, external_id, fields)
    if created or changed:
        sync.project_changed(project)
    return project, created


def _upsert(model, tenant, external_id, fields):
    record = model.objects.select_for_update().filter(tenant=tenant, external_id=external_id).first()
    if record is None:
        return model.objects.create(tenant=tenant, external_id=external_id, **fields), True, False
    changed = [name for name, value in fields.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, fields[name])
    if changed:
        record.save(update_fields=[*changed, "updated_at"])
    return record, False, bool(changed)


def _park_expense_rows(invoice: Invoice) -> list[int]:
    """Rows the hub added from expenses outlive the source system's re-send. They wait on
    positions no sent row uses (the position is unique per invoice), then follow its rows."""
    kept = list(invoice.lines.filter(expense__isnull=False).order_by("position").values_list("pk", flat=True))
    for offset, pk in enumerate(kept):
        InvoiceLine.objects.filter(pk=pk).update(position=30000 + offset)
    return kept


class InvoiceLocked(Exception):
    """The invoice is in 24SO (or on its way): the hub's copy is read-only."""


def invoice_lock_reason(invoice: Invoice) -> str | None:
    item = ExportItem.objects.filter(invoice=invoice, status__in=LIVE_STATUSES).first()
    if item is None:
        return None
    return (
        f"Invoice {invoice.external_id} was exported to 24SevenOffice in export {item.batch_id} "
        f"({item.get_status_display().lower()}); exported invoices cannot be changed. Send a credit note instead."
    )


@transaction.atomic
def invoice_upsert(
    *, tenant: Tenant, external_id: str, lines: list[dict], finalised: bool = False, **fields
) -> tuple[Invoice, bool]:
    """Create or replace an invoice and its lines in one transaction (nothing half-saved).

    `finalised` marks it final; with real-time export on, it then goes to 24SO at once."""
    existing = Invoice.objects.select_for_update().filter(tenant=tenant, external_id=external_id).first()
    if existing is not None and (reason := invoice_lock_reason(existing)):
        raise InvoiceLocked(reason)
    invoice, created = Invoice.objects.update_or_create(tenant=tenant, external_id=external_id, defaults=fields)
    expense_rows = []
    if not created:
        invoice.lines.filter(expense__isnull=True).delete()
        expense_rows = _park_expense_rows(invoice)
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, **line) for position, line in enumerate(lines, start=1)
    )
    for position, pk in enumerate(expense_rows, start=len(lines) + 1):
        InvoiceLine.objects.filter(pk=pk).update(position=position)
    if finalised and invoice.finalised_at is None:
        invoice.finalised_at = timezone.now()
        invoice.save(update_fields=["finalised_at"])
        if integration_settings(tenant).exports_allowed and integration_settings(tenant).realtime_invoice_export:
            transfer.export_realtime(invoice=invoice)
    return invoice, created
