"""Find-or-create of 24SO products and product categories without racing into doubles.

Each key is claimed by inserting its binding row first (unique per client); only the claimer
looks the record up in 24SO and creates it when missing. Others wait for the id. A claim
older than CLAIM_STALE_SECONDS (its worker died) may be taken over; the takeover looks the
record up in 24SO again before creating, so a half-finished create is found, not repeated.
"""

import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from exports.models import SevenOfficeBinding
from sevenoffice.errors import RemoteUnavailable

CLAIM_STALE_SECONDS = 120
# A waiting worker holds its items in transfer: it must give up well within their lease, or
# the sweeper hands them to another worker while it still waits.
WAIT_SECONDS = min(30.0, settings.EXPORT_LEASE_SECONDS / 3)


class BindingBusy(RemoteUnavailable):
    """Another worker is still creating this record in 24SO; try again shortly."""

    def __init__(self, message: str):
        super().__init__(message, ambiguous=False)  # nothing was sent by this worker


def bindings_resolve(
    *,
    tenant,
    identity_id,
    kind: str,
    keys: Iterable[str],
    lookup: Callable[[list[str]], dict[str, int]],
    create: Callable[[list[str]], dict[str, int | Exception]],
) -> dict[str, int | Exception]:
    """24SO ids for `keys`: from bindings, else found by `lookup`, else made by `create`.

    `lookup(keys)` returns the ids 24SO already has; `create(keys)` returns per key an id or
    the exception (a per-record rejection) that stopped it. Both take all missing keys at
    once, so a chunk of invoices costs one lookup and one create call, not one per key.
    """
    keys = sorted(set(keys))
    scope = {"tenant": tenant, "identity_id": identity_id, "kind": kind}
    known = dict(
        SevenOfficeBinding.objects.filter(**scope, key__in=keys, sevenoffice_id__isnull=False).values_list(
            "key", "sevenoffice_id"
        )
    )
    missing = [k for k in keys if k not in known]
    if not missing:
        return known
    mine = _claim(scope, missing)
    results: dict[str, int | Exception] = dict(known)
    if mine:
        try:
            # 24SO may hold the record already (made by a person, or by a worker that died
            # mid-create), so every claimed key is looked up before anything is created.
            found = lookup(mine)
            to_create = [k for k in mine if k not in found]
            created = create(to_create) if to_create else {}
        except Exception:
            # The create may have reached 24SO (an ambiguous failure): leave the claims stale,
            # so whoever takes them over looks the records up before creating.
            SevenOfficeBinding.objects.filter(**scope, key__in=mine, sevenoffice_id__isnull=True).update(
                claimed_at=timezone.now() - timedelta(seconds=CLAIM_STALE_SECONDS + 1)
            )
            raise
        now = timezone.now()
        for key in mine:
            outcome = found.get(key, created.get(key))
            if isinstance(outcome, int):
                SevenOfficeBinding.objects.filter(**scope, key=key).update(sevenoffice_id=outcome, synced_at=now)
            else:  # 24SO refused it: nothing exists there, so the next attempt may start fresh
                SevenOfficeBinding.objects.filter(**scope, key=key, sevenoffice_id__isnull=True).delete()
            results[key] = outcome if outcome is not None else LookupError(f"24SO returned no id for {kind} {key}")
    others = [k for k in missing if k not in mine]
    if others:
        results.update(_wait_for(scope, others))
    return results


def _claim(scope, keys) -> list[str]:
    """The keys this worker now holds: newly claimed, or stale claims taken over."""
    now = timezone.now()
    mine = []
    for key in keys:
        try:
            with transaction.atomic():
                SevenOfficeBinding.objects.create(**scope, key=key, claimed_at=now)
            mine.append(key)
        except IntegrityError:
            stale = now - timedelta(seconds=CLAIM_STALE_SECONDS)
            if SevenOfficeBinding.objects.filter(
                **scope, key=key, sevenoffice_id__isnull=True, claimed_at__lt=stale
            ).update(claimed_at=now):
                mine.append(key)
    return mine


def _wait_for(scope, keys) -> dict[str, int]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        done = dict(
            SevenOfficeBinding.objects.filter(**scope, key__in=keys, sevenoffice_id__isnull=False).values_list(
                "key", "sevenoffice_id"
            )
        )
        if len(done) == len(keys):
            return done
        stale = timezone.now() - timedelta(seconds=CLAIM_STALE_SECONDS)
        pending = SevenOfficeBinding.objects.filter(**scope, key__in=keys, sevenoffice_id__isnull=True)
        # The claimer gave up, died, or 24SO refused the record (its claim is gone): waiting
        # longer brings nothing; the retry claims the key itself.
        abandoned = pending.filter(claimed_at__lt=stale).exists() or len(done) + pending.count() < len(keys)
        if abandoned or time.monotonic() > deadline:
            raise BindingBusy(f"another worker is still creating {scope['kind']} records in 24SO")
        time.sleep(0.2)
