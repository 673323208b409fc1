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


class BulkRejected(Exception):
    """Some invoices of a bulk request cannot be saved; nothing of the request was saved."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} invoice(s) refused")
        self.errors = errors  # [{"index": i, "external_id": ..., "errors": {field: [messages]}}]


@transaction.atomic
def invoices_bulk_upsert(*, tenant: Tenant, invoices: list[dict]) -> list[tuple[Invoice, bool]]:
    """Create or replace many invoices (validated fields, as for invoice_upsert) in one
    transaction with a fixed number of queries for the new ones: all or nothing.

    An invoice already in 24SO (or on its way) refuses the whole request, naming its index."""
    external_ids = [fields["external_id"] for fields in invoices]
    existing = {
        invoice.external_id: invoice
        for invoice in Invoice.objects.select_for_update().filter(tenant=tenant, external_id__in=external_ids)
    }
    locked = {
        item.invoice_id: item
        for item in ExportItem.objects.filter(invoice__in=existing.values(), status__in=LIVE_STATUSES)
    }
    errors = []
    for index, fields in enumerate(invoices):
        invoice = existing.get(fields["external_id"])
        if invoice is not None and invoice.pk in locked:
            errors.append({"index": index, "external_id": fields["external_id"],
                           "errors": {"external_id": [invoice_lock_reason(invoice)]}})
    if errors:
        raise BulkRejected(errors)
    now = timezone.now()
    results, new, replaced = [], [], []
    for fields in invoices:
        values = {k: v for k, v in fields.items() if k not in ("lines", "finalised", "external_id")}
        invoice = existing.get(fields["external_id"])
        created = invoice is None
        if created:
            invoice = Invoice(tenant=tenant, external_id=fields["external_id"], **values)
            new.append(invoice)
        else:
            for name, value in values.items():
                setattr(invoice, name, value)
            invoice.save()
            replaced.append(invoice)
        if fields.get("finalised") and invoice.finalised_at is None:
            invoice.finalised_at = now
            invoice.finalised_now = True
        results.append((invoice, created))
    Invoice.objects.bulk_create(new)
    Invoice.objects.filter(pk__in=[i.pk for i in replaced if getattr(i, "finalised_now", False)]).update(finalised_at=now)
    InvoiceLine.objects.filter(invoice__in=replaced).delete()
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(invoice=invoice, position=position, **line)
            for (invoice, _), fields in zip(results, invoices)
            for position, line in enumerate(fields["lines"], start=1)
        ],
        batch_size=2000,
    )
    finalised = [invoice for invoice, _ in results if getattr(invoice, "finalised_now", False)]
    if finalised:
        integration = integration_settings(tenant)
        if integration.exports_allowed and integration.realtime_invoice_export:
            for invoice in finalised:
                transfer.export_realtime(invoice=invoice)
    return results
