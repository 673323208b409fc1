"""One summary mail per export that ends with failures or login errors, to the tenant's
error-mail address. Called when a chunk or a routing pass may have finished an export."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from exports.models import ExportBatch, ExportItem, ExportStatus
from tenants.models import AuditAction, ExportAlert
from tenants.services import audit_record, integration_settings

log = logging.getLogger(__name__)
ALERT_STATUSES = (ExportStatus.FAILED, ExportStatus.LOGIN_ERROR)
LISTED_ITEMS = 20  # the mail names this many failed items; the receipt has them all


def export_alert_if_finished(batch_id: int) -> bool:
    """Send the export's alert if it has finished with failures or login errors and none was
    sent yet; True when this call sent it. Safe to call any number of times from any worker."""
    from exports.transfer import export_summary  # transfer calls into this module

    batch = ExportBatch.objects.select_related("tenant").filter(pk=batch_id).first()
    if batch is None or ExportAlert.objects.filter(batch_id=batch_id).exists():
        return False
    summary = export_summary(batch)
    counts = summary["counts"]
    if not summary["finished"] or not sum(counts[s] for s in ALERT_STATUSES):
        return False
    recipient = integration_settings(batch.tenant).error_email
    if not recipient:
        return False
    try:
        # The unique batch is the claim: of two workers that both saw the export finish,
        # only one inserts the row, and only that one sends.
        with transaction.atomic():
            alert = ExportAlert.objects.create(batch=batch, tenant=batch.tenant, recipient=recipient)
    except IntegrityError:
        return False
    try:
        send_mail(*_message(batch, summary), settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception:
        # Give up the claim so a later finish (after a retry) can send it after all.
        ExportAlert.objects.filter(pk=alert.pk).delete()
        raise
    ExportAlert.objects.filter(pk=alert.pk).update(sent_at=timezone.now())
    audit_record(
        tenant=batch.tenant, actor=None, action=AuditAction.ALERT_SENT, target=str(batch),
        details={"recipient": recipient, "counts": {s: n for s, n in counts.items() if n}},
    )
    return True


def export_alert_quietly(batch_id: int) -> None:
    """The hook for exports.transfer: an alert that cannot be sent never breaks an export."""
    try:
        export_alert_if_finished(batch_id)
    except Exception:
        log.exception("alert mail for export %s failed", batch_id)


def export_alerts_for_items(item_ids) -> None:
    # order_by(): the model's default ordering by pk would make every item its own "distinct" row.
    for batch_id in ExportItem.objects.filter(pk__in=list(item_ids)).order_by().values_list("batch_id", flat=True).distinct():
        export_alert_quietly(batch_id)


def hub_url(path: str) -> str:
    # Mail leaves the request cycle, so the hub's public address comes from settings: HUB_BASE_URL
    # when set, else the first CSRF trusted origin (production sets it to the public address).
    base = settings.HUB_BASE_URL or next(iter(settings.CSRF_TRUSTED_ORIGINS), "http://localhost:8000")
    return base.rstrip("/") + path


def receipt_url(batch: ExportBatch) -> str:
    return hub_url(reverse("receipt", args=[batch.pk]))


def _message(batch: ExportBatch, summary: dict) -> tuple[str, str]:
    counts = summary["counts"]
    errors = sum(counts[s] for s in ALERT_STATUSES)
    subject = f"24SevenOffice export {batch.pk}: {errors} of {summary['total']} invoice(s) did not go through"
    labels = dict(ExportStatus.choices)
    lines = [
        f"Export {batch.pk} of {batch.tenant.name} to 24SevenOffice has finished.",
        "",
        *(f"  {labels[status]}: {n}" for status, n in counts.items() if n),
        "",
    ]
    failed = (
        ExportItem.objects.filter(batch=batch, status__in=ALERT_STATUSES)
        .select_related("invoice").order_by("invoice__number")[:LISTED_ITEMS]
    )
    lines += [f"  Invoice {item.invoice.number}: {item.get_status_display()}: {item.message}" for item in failed]
    if errors > LISTED_ITEMS:
        lines.append(f"  ... and {errors - LISTED_ITEMS} more.")
    lines += ["", f"The receipt, where failed items can be retried after a fix: {receipt_url(batch)}"]
    return subject, "\n".join(lines)


def sync_failures_alert() -> int:
    """One mail per tenant listing the customers and projects whose sync newly failed or
    needs a decision; each failure is named once until it syncs again. Returns mails sent."""
    from exports.models import BindingKind, Customer, Project, SevenOfficeBinding, SyncStatus

    fresh = SevenOfficeBinding.objects.filter(
        kind__in=(BindingKind.CUSTOMER, BindingKind.PROJECT), alerted_at__isnull=True,
        sync_status__in=(SyncStatus.ERROR, SyncStatus.NEEDS_DECISION),
    ).select_related("tenant")
    by_tenant = {}
    for binding in fresh[:1000]:
        by_tenant.setdefault(binding.tenant, []).append(binding)
    sent = 0
    for tenant, bindings in by_tenant.items():
        # Claim first, so two sweeps never mail the same failure twice.
        claimed = SevenOfficeBinding.objects.filter(pk__in=[b.pk for b in bindings], alerted_at__isnull=True).update(
            alerted_at=timezone.now()
        )
        recipient = integration_settings(tenant).error_email
        if not claimed or not recipient:
            continue
        names = {
            BindingKind.CUSTOMER: dict(Customer.objects.filter(tenant=tenant).values_list("pk", "name")),
            BindingKind.PROJECT: dict(Project.objects.filter(tenant=tenant).values_list("pk", "name")),
        }
        lines = [
            f"  {b.get_kind_display()} {names[b.kind].get(int(b.key), b.key)}: {b.get_sync_status_display()}: "
            f"{b.sync_message}"
            for b in bindings[:LISTED_ITEMS]
        ]
        more = len(bindings) - LISTED_ITEMS
        body = (
            f"{len(bindings)} customer(s) or project(s) of {tenant.name} did not reach 24SevenOffice.\n\n"
            + "\n".join(lines) + (f"\n  ...and {more} more." if more > 0 else "")
            + f"\n\nSee them, re-sync or choose a match: {settings.HUB_BASE_URL}{reverse('customer-list')}"
        )
        try:
            send_mail(f"24SevenOffice sync: {len(bindings)} failed", body, None, [recipient])
        except Exception:  # a mail outage must not stop the sweep; release the claim to retry
            log.exception("sync failure mail to %s failed", recipient)
            SevenOfficeBinding.objects.filter(pk__in=[b.pk for b in bindings]).update(alerted_at=None)
            continue
        sent += 1
    return sent
