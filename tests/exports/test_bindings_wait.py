"""A worker waiting for another's 24SO create stops waiting as soon as that claim is given up."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from exports import bindings
from exports.models import BindingKind, SevenOfficeBinding
from tenants.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


def resolve_in_thread(tenant, identity_id, outcome):
    def run():
        started = time.monotonic()
        try:
            outcome["result"] = bindings.bindings_resolve(tenant=tenant, identity_id=identity_id, kind=BindingKind.GENERIC_PRODUCT,
                                      keys=["Rental"], lookup=lambda keys: pytest.fail("not the claimer"),
                                      create=lambda keys: pytest.fail("not the claimer"))
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            outcome["error"] = exc
        finally:
            outcome["seconds"] = time.monotonic() - started
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def waiter_on_a_fresh_claim():
    """Another worker claimed "Rental" just now; a second one (in a thread) waits for its id."""
    tenant = Tenant.objects.create(slug="t", name="T")
    identity_id = uuid.uuid4()
    claim = SevenOfficeBinding.objects.create(tenant=tenant, identity_id=identity_id, kind=BindingKind.GENERIC_PRODUCT,
                                              key="Rental", claimed_at=timezone.now())
    outcome = {}
    return claim, outcome, resolve_in_thread(tenant, identity_id, outcome)


@pytest.mark.parametrize("give_up", ["stale", "refused"])
def test_a_waiting_worker_stops_when_the_claimer_gives_up(give_up):
    claim, outcome, thread = waiter_on_a_fresh_claim()
    time.sleep(0.6)
    assert thread.is_alive()  # waiting for the claimer's id
    if give_up == "stale":  # the claimer's create failed ambiguously: its claim is left stale
        SevenOfficeBinding.objects.filter(pk=claim.pk).update(
            claimed_at=timezone.now() - timedelta(seconds=bindings.CLAIM_STALE_SECONDS + 1))
    else:  # 24SO refused the record: the claim is dropped
        claim.delete()
    thread.join(timeout=5)
    assert not thread.is_alive() and isinstance(outcome["error"], bindings.BindingBusy)
    assert outcome["seconds"] < bindings.WAIT_SECONDS / 3


def test_a_waiting_worker_gets_the_id_the_claimer_records():
    claim, outcome, thread = waiter_on_a_fresh_claim()
    time.sleep(0.4)
    SevenOfficeBinding.objects.filter(pk=claim.pk).update(sevenoffice_id=42)
    thread.join(timeout=5)
    assert "error" not in outcome and outcome["result"] == {"Rental": 42}
