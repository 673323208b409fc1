"""Recording a chunk's outcomes in bulk: one guarded UPDATE per status, each item with its own
24SO ids, and the same claim/state guards as one UPDATE per item had."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports import transfer, transitions
from exports.models import ExportBatch, ExportItem, ExportStatus, Invoice
from tests.exports.test_transfer_service import send_all

pytestmark = pytest.mark.django_db

S = ExportStatus


@pytest.fixture
def items(demo_tenant):
    batch = ExportBatch.objects.create(tenant=demo_tenant)
    invoices = Invoice.objects.filter(tenant=demo_tenant).order_by("pk")[:5]
    return [ExportItem.objects.create(tenant=demo_tenant, batch=batch, invoice=i) for i in invoices]


def test_each_item_gets_its_own_values_and_only_held_items_in_the_expected_state_move(items):
    token, other = uuid.uuid4(), uuid.uuid4()
    mine_a, mine_b, mine_c, theirs, done = items
    ExportItem.objects.filter(pk__in=[mine_a.pk, mine_b.pk, mine_c.pk]).update(status=S.IN_TRANSFER, claim_token=token)
    ExportItem.objects.filter(pk=theirs.pk).update(status=S.IN_TRANSFER, claim_token=other)
    ExportItem.objects.filter(pk=done.pk).update(status=S.DONE, claim_token=token, sevenoffice_order_id=7)
    ExportItem.objects.filter(pk=mine_c.pk).update(sevenoffice_invoice_id=555)

    moved = transitions.transition_each(
        {
            mine_a.pk: {"sevenoffice_order_id": 101, "sevenoffice_invoice_id": 9001, "message": ""},
            mine_b.pk: {"sevenoffice_order_id": 102, "sevenoffice_invoice_id": 9002, "message": ""},
            mine_c.pk: {"sevenoffice_order_id": 103, "message": ""},  # no invoice id of its own: keeps 555
            theirs.pk: {"sevenoffice_order_id": 104, "message": ""},
            done.pk: {"sevenoffice_order_id": 105, "message": ""},
        },
        to=S.DONE, expect=(S.IN_TRANSFER,), token=token, claim_token=None,
    )

    assert moved == 3
    rows = {i.pk: i for i in ExportItem.objects.filter(pk__in=[i.pk for i in items])}
    assert [(rows[i.pk].status, rows[i.pk].sevenoffice_order_id, rows[i.pk].sevenoffice_invoice_id)
            for i in (mine_a, mine_b, mine_c)] == [(S.DONE, 101, 9001), (S.DONE, 102, 9002), (S.DONE, 103, 555)]
    assert all(rows[i.pk].claim_token is None for i in (mine_a, mine_b, mine_c))
    # Another worker's claim and an item already done are left exactly as they were.
    assert (rows[theirs.pk].status, rows[theirs.pk].sevenoffice_order_id, rows[theirs.pk].claim_token) == (
        S.IN_TRANSFER, None, other)
    assert (rows[done.pk].status, rows[done.pk].sevenoffice_order_id) == (S.DONE, 7)


def test_each_item_refuses_a_change_the_status_rules_forbid(items):
    with pytest.raises(transitions.TransitionRefused):
        transitions.transition_each({items[0].pk: {"message": "x"}}, to=S.IN_TRANSFER, expect=(S.DONE,))


def test_a_chunk_records_its_outcomes_in_a_few_updates_each_with_its_own_24so_ids(sandbox, demo_tenant):
    invoices = list(Invoice.objects.filter(tenant=demo_tenant, kind="invoice", department__code="OSLO"))
    assert len(invoices) >= 5
    batch = transfer.export_create(tenant=demo_tenant, invoices=invoices)

    with CaptureQueriesContext(connection) as queries:
        send_all(batch)

    done = list(ExportItem.objects.filter(batch=batch, status=S.DONE))
    assert len(done) == len(invoices)
    assert len({i.sevenoffice_order_id for i in done}) == len(done)
    assert len({i.sevenoffice_invoice_id for i in done}) == len(done)
    assert all(i.claim_token is None and i.lease_until is None for i in done)
    # Recording: one UPDATE to done for the chunk, not one per invoice.
    to_done = [q for q in queries.captured_queries
               if q["sql"].startswith('UPDATE "exports_exportitem" SET "status"') and "'done'" in q["sql"]]
    assert len(to_done) == 1
    # The finished-export check runs once per receipt, not once per item.
    summaries = [q for q in queries.captured_queries if 'COUNT("exports_exportitem"."id")' in q["sql"]]
    assert len(summaries) == 1


def test_waiting_for_another_workers_create_spends_no_attempt_but_a_real_fault_does(items):
    from exports import bindings
    from sevenoffice.errors import RemoteUnavailable

    waiting, faulted = items[0], items[1]
    for item in (waiting, faulted):
        claimed = transitions.claim([item.pk], lease_seconds=60)
        assert claimed == [item.pk]
        ExportItem.objects.filter(pk=item.pk).update(attempts=transfer.MAX_ATTEMPTS)
    waiting.refresh_from_db()
    faulted.refresh_from_db()

    transfer._requeue([waiting], bindings.BindingBusy("another worker is still creating product records in 24SO"))
    transfer._requeue([faulted], RemoteUnavailable("HTTP 500", ambiguous=False))

    waiting.refresh_from_db()
    faulted.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (S.QUEUED, transfer.MAX_ATTEMPTS - 1)
    assert waiting.next_attempt_at is not None and waiting.claim_token is None
    assert faulted.status == S.FAILED and "did not answer after" in faulted.message
