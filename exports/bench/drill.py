"""`bench_export --faults`: export while worker processes are killed with SIGKILL and
replaced, the broker's Redis restarts once, and the sandbox answers with HTTP 500s, time-outs,
answers dropped after the write was committed, and sessions that expire. Then check that
every invoice is in 24SO exactly once, nothing is stuck, and how long recovery took."""

import random
import time
from collections import Counter

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from exports.bench.run import Options, backend, hub_running, machine, pool_size, quiet_logs
from exports.bench.seed import tenant_seed
from exports.bench.web import HubWeb
from exports.bench.export_run import export_click
from exports.models import OPEN_STATUSES, ExportItem, ExportStatus, Invoice
from exports.transfer import hub_reference

DRILL_INVOICES = 2000
KILL_EVERY_SECONDS = 10  # long enough for a fresh worker to finish a chunk on a busy 2-core machine
REDIS_RESTART_AT = 0.3  # share of items done when Redis restarts
# The hub's own knobs, shortened so the drill recovers in seconds, not minutes.
DRILL_ENV = {
    "SEVENOFFICE_TIMEOUT": "3",
    "EXPORT_LEASE_SECONDS": "8",
    "EXPORT_RETRY_BASE_SECONDS": "0.5",
    "EXPORT_RETRY_MAX_SECONDS": "4",
    "EXPORT_SWEEP_SECONDS": "2",
    "EXPORT_DISPATCH_GRACE_SECONDS": "5",
}
SANDBOX_FAULTS = {
    "http_500_rate": 0.10,
    "timeout_rate": 0.05,
    "timeout_seconds": 5,  # longer than SEVENOFFICE_TIMEOUT: the hub gives up first
    "drop_after_commit_rate": 0.05,
    "session_expiry_calls": 200,
}


class DrillRefused(Exception):
    pass


def drill_run(options: Options, out) -> int:
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        raise DrillRefused(
            "The fault drill runs on PostgreSQL + Redis only: set DATABASE_URL=postgres://... and "
            f"CELERY_BROKER_URL=redis://... (now: {backend()}). It starts its own redis-server, so it never "
            "restarts the configured one."
        )
    out(f"fault drill: {options.invoices} invoices, {options.departments} departments, latency {options.latency_ms} ms, "
        f"{options.workers} workers; sandbox {SANDBOX_FAULTS}")
    out(f"machine: {machine()}")
    quiet_logs()
    rng = random.Random(9)
    with hub_running(options, extra_env=DRILL_ENV, own_redis=True) as (sandbox, procs, redis):
        bench = tenant_seed(sandbox, invoices=options.invoices, departments=options.departments,
                            products=options.products)
        cap = settings.SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT
        pool = pool_size(options, cap)
        for _ in range(options.workers):
            procs.start_worker(pool)
        procs.start_beat()
        sandbox.control(latency_ms=options.latency_ms, max_concurrent_per_account=cap, seed=rng.randrange(10**6),
                        **SANDBOX_FAULTS)
        clicked = timezone.now()
        batch_id, _ = export_click(bench, HubWeb(api_key=bench.api_key), bench.invoice_ids)
        disruptions = _chaos(procs, redis, batch_id, len(bench.invoice_ids), pool, rng, out,
                             timeout=max(300.0, options.invoices * 0.5))
        sandbox.control(**{k: None for k in SANDBOX_FAULTS})
        mine = {u.lower() for u in bench.usernames}
        faults = {k: v.get("faults_injected", {}) for k, v in sandbox.stats().items() if k in mine}
        in_sandbox = Counter()
        for username in bench.usernames:
            in_sandbox.update(order.get("ReferenceNumber") for order in sandbox.orders(username))
    return _check(out, bench, batch_id, clicked, in_sandbox, disruptions, faults)


def _open_count(batch_id) -> int:
    return ExportItem.objects.filter(batch_id=batch_id, status__in=OPEN_STATUSES).count()


def _chaos(procs, redis, batch_id, total, pool, rng, out, timeout) -> list[tuple[str, float]]:
    """Until nothing is open: every few seconds kill -9 a worker and start another; restart
    Redis once. Returns (what, when) of each disruption, on the database's clock."""
    disruptions = []
    redis_restarted = False
    deadline = time.monotonic() + timeout
    next_kill = time.monotonic() + KILL_EVERY_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.5)
        open_now = _open_count(batch_id)
        if not open_now:
            break
        for gone in procs.exited_workers():
            # Not killed by the drill: it died on its own (a lost broker, say). Started again,
            # as the deployment's restart policy would.
            disruptions.append((f"worker {gone.pid} exited on its own", timezone.now().timestamp()))
            out(f"  worker {gone.pid} exited on its own (code {gone.returncode}); starting another")
            procs.start_worker(pool)
        if procs.beat_restarted():
            disruptions.append(("beat exited on its own", timezone.now().timestamp()))
            out("  beat exited on its own; started again")
        if not redis_restarted and (total - open_now) >= total * REDIS_RESTART_AT:
            disruptions.append(("redis restart", timezone.now().timestamp()))
            redis.restart()
            redis_restarted = True
            out(f"  redis restarted ({total - open_now} of {total} settled)")
        if time.monotonic() >= next_kill and procs.live_workers():
            victim = rng.choice(procs.live_workers())
            disruptions.append((f"kill -9 worker {victim.pid}", timezone.now().timestamp()))
            procs.kill(victim)
            procs.start_worker(pool)
            next_kill = time.monotonic() + KILL_EVERY_SECONDS
    else:
        out(f"  the export did not settle within {timeout:.0f} s")
    if not redis_restarted:  # a very short export: restart Redis anyway, and let the hub recover
        disruptions.append(("redis restart", timezone.now().timestamp()))
        redis.restart()
    return disruptions


def _check(out, bench, batch_id, clicked, in_sandbox, disruptions, faults) -> int:
    invoices = list(Invoice.objects.filter(pk__in=bench.invoice_ids).only("pk", "number"))
    expected = {hub_reference(invoice) for invoice in invoices}
    items = ExportItem.objects.filter(batch_id=batch_id)
    counts = Counter(items.values_list("status", flat=True))
    done_per_invoice = Counter(items.filter(status=ExportStatus.DONE).values_list("invoice_id", flat=True))
    live_rows = (ExportItem.objects.filter(invoice_id__in=bench.invoice_ids, status=ExportStatus.DONE)
                 .values("invoice_id").annotate(n=Count("pk")).filter(n__gt=1).count())
    lost = sorted(ref for ref in expected if in_sandbox[ref] == 0)
    doubled = sorted(ref for ref in expected if in_sandbox[ref] > 1)
    stuck = sum(counts[s] for s in OPEN_STATUSES)
    not_done = [i.number for i in invoices if done_per_invoice[i.pk] != 1]
    done_times = sorted(t.timestamp() for t in items.filter(status=ExportStatus.DONE).values_list("updated_at", flat=True))
    recovery = []
    for what, when in disruptions:
        after = next((t for t in done_times if t > when), None)
        recovery.append((what, None if after is None else after - when))
    wall = done_times[-1] - clicked.timestamp() if done_times else float("nan")

    def line(ok, text):
        out(f"  [{'ok' if ok else 'FAIL'}] {text}")

    out("")
    out(f"Fault drill: {len(invoices)} invoices, export {batch_id}, settled in {wall:.1f} s")
    out(f"  item statuses: {dict(sorted(counts.items()))}")
    injected = Counter()
    for per_account in faults.values():
        injected.update(per_account)
    out(f"  faults injected by the sandbox: {dict(sorted(injected.items()))}")
    out(f"  disruptions: {len(disruptions)} ({sum(1 for w, _ in disruptions if w.startswith('kill'))} worker kills, "
        f"{sum(1 for w, _ in disruptions if w.startswith('redis'))} Redis restart, "
        f"{sum(1 for w, _ in disruptions if 'on its own' in w)} workers that exited on their own and were restarted)")
    line(not lost and not doubled,
         f"every invoice in the sandbox exactly once: {len(expected) - len(lost) - len(doubled)} once, "
         f"{len(lost)} missing, {len(doubled)} twice or more")
    line(not stuck, f"no item stuck: {stuck} queued or in transfer")
    line(not live_rows and not counts[ExportStatus.DUPLICATE],
         f"no duplicate rows: {live_rows} invoices with two done items, {counts[ExportStatus.DUPLICATE]} marked duplicate")
    line(not not_done and not lost, f"nothing lost: {len(not_done)} invoices without exactly one done item")
    known = [seconds for _, seconds in recovery if seconds is not None]
    redis_recovery = next((s for w, s in recovery if w.startswith("redis")), None)
    out(f"  recovery (disruption -> next item done): max {max(known):.1f} s, median "
        f"{sorted(known)[len(known) // 2]:.1f} s; after the Redis restart "
        f"{'-' if redis_recovery is None else f'{redis_recovery:.1f} s'}" if known else "  recovery: -")
    if lost:
        out(f"  missing: {lost[:10]}")
    if doubled:
        out(f"  doubled: {doubled[:10]}")
    failed = lost or doubled or stuck or live_rows or not_done
    out("drill: FAIL" if failed else "drill: PASS")
    return 1 if failed else 0
