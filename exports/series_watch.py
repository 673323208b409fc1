"""The invoice series check without anyone asking: after an export that carried invoices or
vouchers has finished for a credential, and periodically; a new gap or collision is mailed to
the tenant's error address once, with the start number to set in 24SO.

Only credentials with nothing queued or in transfer are compared. While chunks run in
parallel, 24SO may already hold vouchers the hub has not recorded as done, and a comparison
then would report a collision that is not there.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from exports.alerts import hub_url
from exports.invoice_series import exports_in_flight, invoice_series_check, served_departments
from exports.models import (
    ExportItem,
    ExportStatus,
    InvoiceSeriesCheck,
    InvoiceSeriesTrigger,
    SentAs,
    SeriesState,
)
from tenants.models import AuditAction, IntegrationSettings, PostingMode, SevenOfficeCredential, Tenant
from tenants.services import audit_record, integration_settings

log = logging.getLogger(__name__)
PROBLEMS = (SeriesState.GAP, SeriesState.COLLISION)
NUMBERED_ROUTES = (SentAs.INVOICE, SentAs.VOUCHER)  # orders get their number later, in 24SO


# --- When to check ------------------------------------------------------------------------------


def series_check_after_chunk(credential_id: int, item_ids) -> bool:
    """Called when a chunk ended: if that finished a receipt's invoices or vouchers for this
    credential (and nothing else of it is still moving), start one check for it. True when
    this call started it. Never raises: a check that cannot start never breaks an export."""
    try:
        return _claim_after_chunk(credential_id, item_ids)
    except Exception:
        log.exception("invoice series check after export (credential %s) not started", credential_id)
        return False


def _claim_after_chunk(credential_id: int, item_ids) -> bool:
    credential = SevenOfficeCredential.objects.select_related("tenant").filter(pk=credential_id).first()
    if credential is None:
        return False
    tenant = credential.tenant
    served = served_departments(tenant).get(credential_id)
    if served is None or exports_in_flight(tenant, served[1]):
        return False  # the chunk that ends last starts it
    batch_ids = set(ExportItem.objects.filter(pk__in=list(item_ids)).values_list("batch_id", flat=True))
    numbered = ExportItem.objects.filter(
        batch_id__in=batch_ids, status=ExportStatus.DONE, sent_as__in=NUMBERED_ROUTES,
        invoice__department__in=served[1],
    ).values_list("batch_id", flat=True).distinct()
    claimed = False
    for batch_id in numbered:
        try:
            with transaction.atomic():
                InvoiceSeriesTrigger.objects.create(batch_id=batch_id, credential_id=credential_id)
        except IntegrityError:
            continue  # another chunk of this receipt started it
        claimed = True
    if claimed:
        from exports.tasks import invoice_series_watch  # the tasks module imports the services

        transaction.on_commit(lambda: invoice_series_watch.delay(tenant.pk, [credential_id]))
    return claimed


def watched_tenants():
    """Tenants whose invoice numbers 24SO must follow: posting vouchers, or having sent invoices."""
    voucher_mode = IntegrationSettings.objects.filter(posting_mode=PostingMode.VOUCHER).values("tenant_id")
    sent = ExportItem.objects.filter(status=ExportStatus.DONE, sent_as__in=NUMBERED_ROUTES).values("tenant_id")
    return Tenant.objects.filter(Q(pk__in=voucher_mode) | Q(pk__in=sent)).order_by("pk")


def series_watch_all() -> dict:
    """The periodic run: every watched tenant's credentials not busy exporting."""
    checked = mailed = 0
    for tenant in watched_tenants():
        try:
            report = series_watch(tenant_id=tenant.pk)
        except Exception:
            log.exception("invoice series check of tenant %s failed", tenant.pk)
            continue
        checked += report["checked"]
        mailed += report["mailed"]
    return {"checked": checked, "mailed": mailed}


def series_watch(*, tenant_id: int, credential_ids=None) -> dict:
    """Check (skipping credentials with exports in flight) and mail new problems."""
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return {"checked": 0, "mailed": 0}
    checks = invoice_series_check(
        tenant=tenant, credential_ids=set(credential_ids) if credential_ids else None, skip_busy=True
    )
    mailed = sum(1 for check in checks if series_alert(check))
    return {"checked": len(checks), "mailed": mailed}


# --- Telling --------------------------------------------------------------------------------


def series_alert(check: InvoiceSeriesCheck) -> bool:
    """Mail a gap or collision the error address has not heard of; True when mailed.

    In step again clears what was mailed, so the next problem is mailed too. A check that
    could not reach 24SO (or has nothing to compare) changes nothing: the same problem seen
    again after an outage is not news."""
    if check.state == SeriesState.OK:
        InvoiceSeriesCheck.objects.filter(pk=check.pk).exclude(alerted_state="").update(alerted_state="", alerted_at=None)
        return False
    if check.state not in PROBLEMS:
        return False
    recipient = integration_settings(check.tenant).error_email
    if not recipient:
        return False
    # The conditional update is the claim: of two checks seeing the same change, one mails.
    previous = InvoiceSeriesCheck.objects.filter(pk=check.pk).values_list("alerted_state", "alerted_at").first()
    claimed = InvoiceSeriesCheck.objects.filter(pk=check.pk).exclude(alerted_state=check.state).update(
        alerted_state=check.state, alerted_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        send_mail(*_message(check), settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception:
        # Give the claim back so the next check mails it after all.
        InvoiceSeriesCheck.objects.filter(pk=check.pk, alerted_state=check.state).update(
            alerted_state=previous[0], alerted_at=previous[1]
        )
        log.exception("invoice series mail to %s failed", recipient)
        return False
    audit_record(
        tenant=check.tenant, actor=None, action=AuditAction.ALERT_SENT, target=f"invoice series {check.departments}",
        details={"recipient": recipient, "state": check.state, "hub_next": check.hub_next,
                 "expected": check.expected},
    )
    return True


def _message(check: InvoiceSeriesCheck) -> tuple[str, str]:
    subject = (f"24SevenOffice invoice series: {check.get_state_display().lower()} for {check.departments} "
               f"- set the start number to {check.hub_next}")
    body = "\n".join([
        f"The invoice series of {check.tenant.name} in 24SevenOffice ({check.credential.username}, departments "
        f"{check.departments}) is out of step with the hub.",
        "",
        check.message,
        "",
        f"Fix: in 24SevenOffice, set the start number of the invoice series to {check.hub_next}. Until then, "
        "vouchers may leave numbers out of the series or be refused as duplicates.",
        "",
        f"Check again after the fix: {hub_url(reverse('integration-settings'))}",
    ])
    return subject, body
