"""Paid status with real worker processes, beat and the sandbox over HTTP: the periodic refresh
and the check-payment button read paid, partly paid and unpaid invoices back from 24SO."""

import ast
import re
import time
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from exports.models import Invoice
from sevenoffice.sandbox import accounts as sandbox_accounts

from tests.exports.test_export_e2e import api_tenant, wait_finished  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e]
TODAY = date.today().isoformat()


def calls(sandbox, operation):
    return sandbox.stats()["accounts"][sandbox_accounts.DEFAULT_USERNAME]["calls"].get(operation, 0)


RUN_LINE = re.compile(r"Task exports\.payments_refresh\[[^\]]+\] succeeded in [^:]+: (\{.*\})")


def log_offsets(workers):
    return {path: path.stat().st_size for path in workers.log_dir.glob("worker-*.log")}


def refresh_runs(workers, offsets) -> list[dict]:
    """The periodic refresh's summaries logged by the workers since `offsets`."""
    runs = []
    for path in workers.log_dir.glob("worker-*.log"):
        with path.open() as log:
            log.seek(offsets.get(path, 0))
            runs += [ast.literal_eval(m.group(1)) for m in RUN_LINE.finditer(log.read())]
    return runs


def wait_for(client, wanted: dict, workers, timeout=60):
    """Poll the API until every invoice shows the wanted payment status (the periodic job's work)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = {key: client.get(f"/api/v1/invoices/{key}").json() for key in wanted}
        if all(seen[key]["payment_status"] == status for key, status in wanted.items()):
            return seen
        time.sleep(0.5)
    raise AssertionError(f"{ {k: v['payment_status'] for k, v in seen.items()} }\n{workers.logs()[-4000:]}")


def test_periodic_refresh_and_button_read_paid_part_paid_and_unpaid(api_tenant, sandbox, workers):
    tenant, client = api_tenant
    tenant.departments.filter(code="TRONDHEIM").update(export_mode="invoice")  # the demo sends orders there
    invoices = list(Invoice.objects.filter(tenant=tenant, kind="invoice", department__code__in=("OSLO", "TRONDHEIM"))
                    .order_by("number"))
    export = client.post("/api/v1/exports", {"invoices": [i.external_id for i in invoices]}, format="json").json()
    items = {item["invoice"]: item for item in wait_finished(client, export["id"], workers=workers)["items"]}
    oslo = [i for i in invoices if i.department.code == "OSLO"]
    paid, part, relinked = oslo[:3]
    other_client = next(i for i in invoices if i.department.code == "TRONDHEIM")
    unpaid = [i for i in invoices if i not in (paid, part, relinked, other_client)]

    def pay(invoice, amount=None, identity=sandbox_accounts.DEMO_AS_IDENTITY_ID):
        return sandbox.register_payment(items[invoice.external_id]["sevenoffice_invoice_id"], amount, TODAY,
                                        identity_id=identity)

    pay(paid)
    pay(part, "100.00")
    pay(relinked, "10.00")
    pay(other_client, identity=sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID)
    reads_before, offsets = calls(sandbox, "GetTransactions"), log_offsets(workers)

    # Nobody presses anything: beat's refresh finds them.
    wanted = {paid.external_id: "paid", part.external_id: "partly_paid", relinked.external_id: "partly_paid",
              other_client.external_id: "paid", **{i.external_id: "unpaid" for i in unpaid}}
    seen = wait_for(client, wanted, workers)
    assert seen[paid.external_id]["paid_at"] == TODAY and seen[paid.external_id]["open_amount"] == "0.00"
    assert Decimal(seen[part.external_id]["open_amount"]) > 0
    # Each run reads each client's ledger in one or two calls, however many invoices it holds.
    reads = calls(sandbox, "GetTransactions") - reads_before
    runs_seen = len(refresh_runs(workers, offsets))
    deadline = time.monotonic() + 30
    while len(refresh_runs(workers, offsets)) == runs_seen and time.monotonic() < deadline:
        time.sleep(0.3)  # let a run that was reading finish, so every read belongs to a counted run
    runs = refresh_runs(workers, offsets)
    assert reads <= 2 * 2 * len(runs), (reads, runs)
    assert max(run["checked"] for run in runs) >= len(invoices) - 2  # one run took them all

    # A second payment renumbers the linked set's LinkId; the next run still reads it right.
    since = timezone.now()
    second = pay(relinked)
    assert second["fully_paid"] is True
    seen = wait_for(client, {relinked.external_id: "paid"}, workers)
    assert seen[relinked.external_id]["paid_at"] == TODAY
    changed = client.get("/api/v1/invoices", {"payment_changed_since": since.isoformat()}).json()["results"]
    assert [i["external_id"] for i in changed] == [relinked.external_id]

    # The button does not wait for the schedule.
    target = next(i for i in unpaid if i.department.code == "OSLO")
    pay(target, "1.00")
    body = client.post(f"/api/v1/invoices/{target.external_id}/check-payment").json()
    assert body["payment_status"] == "partly_paid"
