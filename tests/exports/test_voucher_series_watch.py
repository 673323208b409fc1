"""The automatic invoice series check (exports.series_watch), in-process against the sandbox:
when it starts after an export, when it waits, and that each new problem is mailed once."""

import pytest
from django.core import mail

from exports import series_watch, transfer, vouchers
from exports.models import ExportItem, ExportStatus, InvoiceSeriesCheck, InvoiceSeriesTrigger, SeriesState
from tenants.models import AuditAction, AuditEvent
from tenants.services import credential_for_department, integration_settings_update
from tests.admin_ui.test_alerts import BrokenMailBackend  # noqa: F401 (named by dotted path below)
from tests.exports.voucher_helpers import use_vouchers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches():
    vouchers._fiscal_years.clear()
    transfer._tax_codes.clear()


@pytest.fixture
def watched(demo_tenant, sandbox):
    use_vouchers(demo_tenant)
    integration_settings_update(tenant=demo_tenant, actor=None, error_email="errors@demo.no")
    oslo = list(demo_tenant.invoices.filter(department__code__in=["OSLO", "BERGEN"]).order_by("number"))
    sandbox.set_invoice_series(oslo[0].number)  # in step before the first export
    return demo_tenant, oslo, credential_for_department(oslo[0].department)


def run_chunk(batch, credential, kind):
    ids = list(ExportItem.objects.filter(batch=batch, invoice__kind=kind, status=ExportStatus.QUEUED)
               .values_list("pk", flat=True))
    transfer.export_send_chunk(credential_id=credential.pk, item_ids=ids)


def test_the_chunk_that_finishes_a_receipt_starts_one_check_and_not_before(
    watched, django_capture_on_commit_callbacks
):
    tenant, oslo, credential = watched
    batch = transfer.export_create(tenant=tenant, invoices=oslo)
    run_chunk(batch, credential, "invoice")
    # The credit notes are still queued: 24SO holds vouchers the hub will still record.
    assert not InvoiceSeriesTrigger.objects.exists()
    # Only the other client (never aligned: a collision, mailed) is compared meanwhile.
    assert series_watch.series_watch(tenant_id=tenant.pk) == {"checked": 1, "mailed": 1}
    assert not InvoiceSeriesCheck.objects.filter(credential=credential).exists()

    with django_capture_on_commit_callbacks() as started:
        run_chunk(batch, credential, "credit_note")
    assert list(InvoiceSeriesTrigger.objects.values_list("batch_id", "credential_id")) == [(batch.pk, credential.pk)]
    assert sum("_claim_after_chunk" in getattr(c, "__qualname__", "") for c in started) == 1  # the check's enqueue
    # Once per receipt and credential, however often its chunks end.
    assert series_watch.series_check_after_chunk(credential.pk, [ExportItem.objects.filter(batch=batch).first().pk]) \
        is False
    assert series_watch.series_watch(tenant_id=tenant.pk, credential_ids=[credential.pk]) == {"checked": 1, "mailed": 0}
    check = InvoiceSeriesCheck.objects.get(credential=credential)
    assert check.state == SeriesState.OK and check.hub_next == oslo[-1].number + 1


def test_an_export_of_orders_only_starts_no_check(demo_tenant, sandbox):
    trondheim = list(demo_tenant.invoices.filter(department__code="TRONDHEIM", kind="invoice"))  # the demo's orders
    credential = credential_for_department(trondheim[0].department)
    batch = transfer.export_create(tenant=demo_tenant, invoices=trondheim)
    run_chunk(batch, credential, "invoice")
    assert ExportItem.objects.filter(batch=batch, sent_as="order", status=ExportStatus.DONE).count() == len(trondheim)
    assert not InvoiceSeriesTrigger.objects.exists()


def test_each_new_gap_or_collision_is_mailed_once_with_the_fix(watched, sandbox, settings):
    tenant, oslo, credential = watched
    first = oslo[0].number
    series_watch.series_watch_all()
    # The other client was never aligned (its series starts at 10001): a collision, mailed.
    assert len(mail.outbox) == 1 and "TRONDHEIM" in mail.outbox[0].subject
    mail.outbox.clear()

    sandbox.set_invoice_series(20000)
    assert series_watch.series_watch_all() == {"checked": 2, "mailed": 1}
    [message] = mail.outbox
    assert message.to == ["errors@demo.no"]
    assert message.subject == f"24SevenOffice invoice series: collision for BERGEN, OSLO - set the start number to {first}"
    assert f"set the start number of the invoice series to {first}." in message.body
    assert "already at 20000" in message.body and "/settings/24sevenoffice/" in message.body
    assert series_watch.series_watch_all() == {"checked": 2, "mailed": 0}  # not news any more
    assert AuditEvent.objects.filter(tenant=tenant, action=AuditAction.ALERT_SENT,
                                     target="invoice series BERGEN, OSLO").count() == 1

    sandbox.set_invoice_series(first - 5)  # now a gap: a different problem, mailed
    series_watch.series_watch_all()
    assert len(mail.outbox) == 2 and "gap for BERGEN, OSLO" in mail.outbox[1].subject
    assert f"{first - 5}–{first - 1} would be missing" in mail.outbox[1].body

    sandbox.set_invoice_series(first)  # fixed: in step, and the next problem is news again
    series_watch.series_watch_all()
    assert InvoiceSeriesCheck.objects.get(credential=credential).alerted_state == ""
    settings.EMAIL_BACKEND = "tests.admin_ui.test_alerts.BrokenMailBackend"
    sandbox.set_invoice_series(20000)
    series_watch.series_watch_all()  # the mail server is down: nothing breaks, the claim is given back
    assert InvoiceSeriesCheck.objects.get(credential=credential).alerted_state == ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    series_watch.series_watch_all()
    assert len(mail.outbox) == 3 and "collision for BERGEN, OSLO" in mail.outbox[2].subject


def test_no_mail_without_an_address_and_none_for_an_outage(watched, sandbox):
    tenant, oslo, credential = watched
    integration_settings_update(tenant=tenant, actor=None, error_email="")
    sandbox.set_invoice_series(20000)
    series_watch.series_watch_all()
    assert mail.outbox == [] and InvoiceSeriesCheck.objects.get(credential=credential).state == SeriesState.COLLISION

    integration_settings_update(tenant=tenant, actor=None, error_email="errors@demo.no")
    series_watch.series_watch_all()
    assert len(mail.outbox) == 2  # both clients' collisions, now that someone can be told
    sandbox.control(http_500_rate=1.0)
    series_watch.series_watch_all()
    sandbox.control(http_500_rate=0)
    assert InvoiceSeriesCheck.objects.get(credential=credential).state == SeriesState.ERROR
    series_watch.series_watch_all()  # the same collision again after the outage is not news
    assert len(mail.outbox) == 2
