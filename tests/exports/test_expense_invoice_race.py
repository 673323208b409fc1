"""Adding expenses to an invoice and starting its export at the same moment, on PostgreSQL:
both take the invoice's row lock, so the rows are either in before the export is queued
(and sent with it) or refused because it is queued. Never billed on an invoice sent without them."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction

from exports import expenses, transfer
from exports.models import Expense, ExportItem, ExportStatus
from tests.admin_ui.conftest import make_objects, make_tenant
from tests.exports.test_expenses import open_invoice

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def acme(transactional_db, require_postgres):
    # No workers here: the export's chunks are not handed to Celery (what is tested is the
    # database side of starting an export).
    with mock.patch.object(transfer, "_enqueue_on_commit"):
        objects = make_objects(make_tenant("acme"))
        objects["open_invoice"] = open_invoice(objects)
        yield objects


class InThread:
    """Runs the call on its own database connection; keeps its result or error."""

    def __init__(self, call):
        self.result = self.error = None
        self.thread = threading.Thread(target=self._run, args=(call,))
        self.thread.start()

    def _run(self, call):
        try:
            self.result = call()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            self.error = exc
        finally:
            connection.close()

    def join(self):
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        return self


def wait_until_blocked_on_a_lock(timeout=15):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed for the whole transaction
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the other transaction never waited for the invoice's lock")


def test_an_export_started_while_expenses_are_being_added_waits_and_then_includes_them(acme):
    invoice, expense = acme["open_invoice"], acme["expense"]
    with transaction.atomic():
        expenses.expenses_add_to_invoice(invoice=invoice, expense_ids=[expense.pk])
        export = InThread(lambda: transfer.export_create(tenant=invoice.tenant, invoices=[invoice]))
        wait_until_blocked_on_a_lock()
        assert export.result is None
    export.join()

    assert export.error is None, export.error
    item = ExportItem.objects.get(batch=export.result)
    assert item.invoice_id == invoice.pk and item.status == ExportStatus.QUEUED
    # Committed before the export was queued: the row is on the invoice the worker will read.
    assert Expense.objects.get(pk=expense.pk).invoice_line.invoice_id == invoice.pk


def test_expenses_added_while_an_export_is_being_started_wait_and_are_then_refused(acme):
    invoice, expense = acme["open_invoice"], acme["expense"]
    with transaction.atomic():
        transfer.export_create(tenant=invoice.tenant, invoices=[invoice])
        adding = InThread(lambda: expenses.expenses_add_to_invoice(invoice=invoice, expense_ids=[expense.pk]))
        wait_until_blocked_on_a_lock()
    adding.join()

    assert isinstance(adding.error, expenses.ExpenseError), adding.error or adding.result
    assert "queued for export" in adding.error.message
    assert Expense.objects.get(pk=expense.pk).invoice_line is None
    assert invoice.lines.count() == 1


def test_a_retry_started_while_expenses_are_being_added_waits_for_them(acme):
    invoice, expense = acme["open_invoice"], acme["expense"]
    batch = transfer.export_create(tenant=invoice.tenant, invoices=[invoice])
    ExportItem.objects.filter(batch=batch).update(status=ExportStatus.FAILED)  # as a failed send leaves it
    with transaction.atomic():
        expenses.expenses_add_to_invoice(invoice=invoice, expense_ids=[expense.pk])
        retry = InThread(lambda: transfer.export_retry(batch=batch))
        wait_until_blocked_on_a_lock()
        assert retry.result is None
    retry.join()

    assert (retry.error, retry.result) == (None, 1)
    assert Expense.objects.get(pk=expense.pk).invoice_line.invoice_id == invoice.pk
