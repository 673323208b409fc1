"""Thin Celery tasks: take ids, call one service, retry only what is retryable."""

from celery import shared_task

from exports import expenses, payments, repeating_upload, series_watch, sync, transfer
from sevenoffice.errors import RemoteUnavailable


@shared_task(name="exports.send_chunk", bind=True, acks_late=True, max_retries=transfer.MAX_ATTEMPTS)
def export_send_chunk(self, credential_id: int, item_ids: list[int]):
    try:
        transfer.export_send_chunk(credential_id=credential_id, item_ids=item_ids)
    except RemoteUnavailable as exc:
        # The items are back in the queue with their own due time; if this retry is lost
        # with the worker, the sweeper dispatches them again.
        raise self.retry(exc=exc, countdown=transfer.retry_delay(self.request.retries + 1)) from None


@shared_task(name="exports.sweep", acks_late=True)
def export_sweep():
    return transfer.export_sweep()


@shared_task(name="exports.sync_customer", bind=True, acks_late=True, max_retries=transfer.MAX_ATTEMPTS)
def sync_customer(self, customer_id: int):
    try:
        sync.customer_sync(customer_id)
    except RemoteUnavailable as exc:
        raise self.retry(exc=exc, countdown=transfer.retry_delay(self.request.retries + 1)) from None


@shared_task(name="exports.sync_project", bind=True, acks_late=True, max_retries=transfer.MAX_ATTEMPTS)
def sync_project(self, project_id: int):
    try:
        sync.project_sync(project_id)
    except RemoteUnavailable as exc:
        raise self.retry(exc=exc, countdown=transfer.retry_delay(self.request.retries + 1)) from None


@shared_task(name="exports.sync_sweep", acks_late=True)
def sync_sweep():
    return sync.sync_sweep()


@shared_task(name="exports.payments_refresh", acks_late=True)
def payments_refresh():
    return payments.payments_refresh().summary()


@shared_task(name="exports.expense_import", acks_late=True)
def expense_import(import_id: int):
    # 24SO failures are recorded per client on the run itself; a lost worker's run is taken
    # over by the next start (see expenses._claim), so there is nothing to retry here.
    expenses.expense_import_run(import_id)


@shared_task(name="exports.expense_import_due", acks_late=True)
def expense_import_due():
    return expenses.expense_import_due()


@shared_task(name="exports.repeating_sheet_check", acks_late=True)
def repeating_sheet_check(upload_id: int):
    repeating_upload.upload_check(upload_id)


@shared_task(name="exports.repeating_sheet_apply", acks_late=True)
def repeating_sheet_apply(upload_id: int):
    repeating_upload.upload_apply(upload_id)


@shared_task(name="exports.invoice_series_watch", acks_late=True)
def invoice_series_watch(tenant_id: int, credential_ids: list[int] | None = None):
    return series_watch.series_watch(tenant_id=tenant_id, credential_ids=credential_ids)


@shared_task(name="exports.invoice_series_watch_all", acks_late=True)
def invoice_series_watch_all():
    return series_watch.series_watch_all()
