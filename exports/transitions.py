"""Every status change of an export item happens here, and only along the allowed edges."""

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from exports.models import ExportItem, ExportStatus

S = ExportStatus
ALLOWED = {
    S.QUEUED: {S.IN_TRANSFER, S.LOGIN_ERROR, S.DUPLICATE, S.FAILED, S.DONE},
    # back to queued: a retryable fault or an expired lease; done: 24SO already had our write
    S.IN_TRANSFER: {S.DONE, S.FAILED, S.DUPLICATE, S.LOGIN_ERROR, S.QUEUED},
    S.FAILED: {S.QUEUED},  # retry after a fix
    S.LOGIN_ERROR: {S.QUEUED},  # retry after entering the credential
    S.DONE: set(),
    S.DUPLICATE: set(),
}


_UNSET = object()  # an item without its own value of a field


class TransitionRefused(Exception):
    pass


def transition(item_ids, *, to: str, expect: tuple[str, ...], token=None, **fields) -> int:
    """Move items from one of `expect` to `to` with a conditional UPDATE; returns how many moved.

    Items not in an expected state are left alone (someone else moved them first), so
    callers can claim work with this and proceed only with what they got. With `token`, only
    items still held by that claim move: a worker that lost its lease changes nothing.
    """
    for origin in expect:
        if to not in ALLOWED[origin]:
            raise TransitionRefused(f"{origin} -> {to} is not an allowed export status change")
    items = ExportItem.objects.filter(pk__in=list(item_ids), status__in=expect)
    if token is not None:
        items = items.filter(claim_token=token)
    return items.update(status=to, updated_at=timezone.now(), **fields)


def transition_each(values_by_id: dict, *, to: str, expect: tuple[str, ...], token=None, **fields) -> int:
    """`transition` for items that each carry their own values of some fields (24SO's ids, a
    message): one conditional UPDATE for them all, with a CASE per field whose values differ,
    instead of one UPDATE per item. Same guards: `expect` and `token`."""
    if not values_by_id:
        return 0
    names = {name for values in values_by_id.values() for name in values}
    for name in names:
        first = next(iter(values_by_id.values())).get(name, _UNSET)
        if first is not _UNSET and all(values.get(name, _UNSET) == first for values in values_by_id.values()):
            fields[name] = first  # the same for every item: a plain value
            continue
        field = ExportItem._meta.get_field(name)
        fields[name] = Case(
            *(When(pk=pk, then=Value(values[name], output_field=field))
              for pk, values in values_by_id.items() if name in values),
            default=F(name), output_field=field,  # an item without a value keeps its own
        )
    return transition(values_by_id.keys(), to=to, expect=expect, token=token, **fields)


def claim(item_ids, *, lease_seconds: int) -> list[int]:
    """queued -> in_transfer; returns the ids claimed (others were taken or moved first).

    The partial unique index `one_live_transfer_per_invoice` makes the database refuse a
    second live transfer of the same invoice, whichever batch or worker asks; when the whole
    chunk is refused for that, items are claimed one by one so the rest still go.
    """
    token = uuid.uuid4()
    lease = {"lease_until": timezone.now() + timedelta(seconds=lease_seconds), "next_attempt_at": None,
             "attempts": F("attempts") + 1, "claim_token": token}
    item_ids = list(item_ids)
    try:
        with transaction.atomic():
            transition(item_ids, to=S.IN_TRANSFER, expect=(S.QUEUED,), **lease)
    except IntegrityError:
        for item_id in item_ids:
            try:
                with transaction.atomic():
                    transition([item_id], to=S.IN_TRANSFER, expect=(S.QUEUED,), **lease)
            except IntegrityError:
                pass  # its invoice is live in another item: left queued, resolved by the caller
    return list(
        ExportItem.objects.filter(pk__in=item_ids, status=S.IN_TRANSFER, claim_token=token)
        .values_list("pk", flat=True)
    )


def renew(item_ids, *, token, lease_seconds: int) -> list[int]:
    """Extend this claim's lease; returns the ids still held (a sweeper may have taken others).

    Called right before a write to 24SO, so a worker that stalled past its lease never sends
    items that were meanwhile handed to someone else.
    """
    held = ExportItem.objects.filter(pk__in=list(item_ids), status=S.IN_TRANSFER, claim_token=token)
    held.update(lease_until=timezone.now() + timedelta(seconds=lease_seconds))
    return list(held.values_list("pk", flat=True))
