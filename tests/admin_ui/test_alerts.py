"""One summary mail per export that ends with failures or login errors (exports.alerts)."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from exports import alerts, transfer
from exports.models import Customer, ExportItem, ExportStatus, Invoice
from tenants import services
from tenants.models import AuditAction, AuditEvent, ExportAlert
from tests.admin_ui.conftest import dept

pytestmark = pytest.mark.django_db


class BrokenMailBackend(BaseEmailBackend):
    """The outer edge: an SMTP server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def invoices(tenant, code, count, start=1):
    customer, _ = Customer.objects.get_or_create(tenant=tenant, external_id="c-1", defaults={"name": "Fjord AS"})
    return [
        Invoice.objects.create(tenant=tenant, external_id=f"i-{n}", number=n, department=dept(tenant, code),
                               customer=customer, invoice_date="2026-11-01", due_date="2026-11-15")
        for n in range(start, start + count)
    ]


@pytest.fixture
def alerting(tenant):
    services.integration_settings_update(tenant=tenant, actor=None, error_email="errors@acme.no")
    return tenant


def test_an_export_of_uncovered_departments_mails_one_summary_with_counts_and_link(
    alerting, django_capture_on_commit_callbacks, settings
):
    settings.HUB_BASE_URL = "https://hub.acme.no"
    with django_capture_on_commit_callbacks(execute=True):
        batch = transfer.export_create(tenant=alerting, invoices=invoices(alerting, "TROMSO", 3))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["errors@acme.no"]
    assert message.subject == f"24SevenOffice export {batch.pk}: 3 of 3 invoice(s) did not go through"
    assert "Login error: 3" in message.body and "Department TROMSO has no 24SevenOffice credential" in message.body
    assert f"https://hub.acme.no/exports/{batch.pk}/" in message.body
    assert ExportAlert.objects.get(batch=batch).sent_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.ALERT_SENT, target=str(batch)).count() == 1

    # Any later call (another worker, a retry that ends the same way) sends nothing more.
    assert alerts.export_alert_if_finished(batch.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        transfer.export_retry(batch=batch)
    assert len(mail.outbox) == 1


def test_a_login_error_in_a_chunk_mails_when_the_export_finishes(alerting, sandbox):
    credential = services.credential_save(tenant=alerting, username=sandbox.USERNAME, password="Wrong-pw-123",
                                          identity_id=sandbox.IDENTITY_ID, departments=[dept(alerting, "OSLO")])
    batch = transfer.export_create(tenant=alerting, invoices=invoices(alerting, "OSLO", 2))
    item_ids = list(ExportItem.objects.filter(batch=batch).values_list("pk", flat=True))
    assert mail.outbox == []  # not finished yet: the chunk is still queued
    transfer.export_send_chunk(credential_id=credential.pk, item_ids=item_ids)
    assert set(ExportItem.objects.filter(batch=batch).values_list("status", flat=True)) == {ExportStatus.LOGIN_ERROR}
    assert len(mail.outbox) == 1 and "Login error: 2" in mail.outbox[0].body
    assert "Wrong-pw-123" not in mail.outbox[0].body


def test_no_mail_while_open_without_errors_or_without_an_address(tenant, django_capture_on_commit_callbacks):
    services.credential_save(tenant=tenant, username="kari@acme.no", password="pw-123456", departments="all")
    batch = transfer.export_create(tenant=tenant, invoices=invoices(tenant, "OSLO", 1))
    assert alerts.export_alert_if_finished(batch.pk) is False  # still queued
    with django_capture_on_commit_callbacks(execute=True):
        services.credential_delete(credential=tenant.credentials.get(), actor=None)
        unmailed = transfer.export_create(tenant=tenant, invoices=invoices(tenant, "TROMSO", 1, start=10))
    assert ExportItem.objects.get(batch=unmailed).status == ExportStatus.LOGIN_ERROR
    assert mail.outbox == [] and not ExportAlert.objects.exists()  # no error-mail address set


def test_a_mail_failure_never_breaks_the_export_and_leaves_the_alert_unsent(
    alerting, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.admin_ui.test_alerts.BrokenMailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        batch = transfer.export_create(tenant=alerting, invoices=invoices(alerting, "TROMSO", 2))
    assert ExportItem.objects.filter(batch=batch, status=ExportStatus.LOGIN_ERROR).count() == 2
    assert not ExportAlert.objects.exists()  # the claim was given up, so a later call can send
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts.export_alert_if_finished(batch.pk) is True and len(mail.outbox) == 1


def test_an_existing_claim_stops_a_second_sender(alerting, django_capture_on_commit_callbacks):
    batch = transfer.export_create(tenant=alerting, invoices=invoices(alerting, "TROMSO", 1))
    ExportAlert.objects.create(batch=batch, tenant=alerting, recipient="errors@acme.no")  # another worker's
    with django_capture_on_commit_callbacks(execute=True):
        transfer.export_route(batch=batch)
    assert alerts.export_alert_if_finished(batch.pk) is False and mail.outbox == []
