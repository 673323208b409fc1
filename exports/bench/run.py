"""The benchmark: seed, start the sandbox and the hub's worker processes, export, measure,
print the figures with verdicts, and write them as JSON."""

import logging
import math
import os
import platform
import shutil
import statistics
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from exports.bench import pages
from exports.bench.export_run import PRODUCT_OPERATIONS, contract_minimum, export_measure, lower_bound_seconds
from exports.bench.naive import naive_export
from exports.bench.processes import HubProcesses, OwnRedis, database_url
from exports.bench.report import Target, table, write_json
from exports.bench.sandbox import BenchSandbox, calls_between
from exports.bench.seed import run_id, sandbox_accounts, sandbox_prepare, tenant_seed
from exports.bench.web import HubWeb

UNLIMITED_QUOTA = 10**9  # the hourly quota is not what is measured here
BASELINE_SAMPLE = 200  # invoices the naive exporter sends (it needs ~0.7 s each at 100 ms latency)
MAX_POOL_PER_WORKER = 8


@dataclass
class Options:
    invoices: int
    departments: int
    products: int
    latency_ms: int
    workers: int
    json_path: str | None
    baseline: bool


def backend() -> str:
    database = "PostgreSQL" if connection.vendor == "postgresql" else connection.vendor
    broker = "Redis" if settings.CELERY_BROKER_URL.startswith("redis") else "filesystem broker"
    return f"{database} + {broker}"


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GB, load {load}"


def pool_size(options: Options, cap: int) -> int:
    """Pool processes per worker: enough, over all workers, to keep every account's allowed
    concurrency busy (the calls mostly wait on 24SO), at most MAX_POOL_PER_WORKER."""
    return max(2, min(MAX_POOL_PER_WORKER, math.ceil(options.departments * cap / max(options.workers, 1))))


def workdir_for(run: str) -> Path:
    path = Path(settings.VAR_DIR) / "bench" / run
    path.mkdir(parents=True, exist_ok=True)
    return path


def worker_env(sandbox_url: str, workdir: Path, broker_url: str, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=broker_url,
        SEVENOFFICE_API_URL=sandbox_url,
        SEVENOFFICE_WEBSERVICES_URL=sandbox_url,
        SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT=str(settings.SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT),
        **(extra or {}),
    )
    if settings.CREDENTIALS_KEYS:
        env["CREDENTIALS_KEYS"] = ",".join(settings.CREDENTIALS_KEYS)
    if broker_url.startswith("filesystem://"):
        # The run's own queue folders: a developer's running worker must not take the bench's tasks.
        env["HUB_BROKER_DIR"] = str(workdir / "broker")
    return env


def use_broker(env: dict) -> None:
    """Point this process's Celery producer at the same broker as the workers."""
    from hub.celery import app

    settings.CELERY_BROKER_URL = env["CELERY_BROKER_URL"]
    app.conf.broker_url = env["CELERY_BROKER_URL"]
    if "HUB_BROKER_DIR" in env:
        folder = Path(env["HUB_BROKER_DIR"])
        options = {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
                   "control_folder": str(folder / "control")}
        for path in options.values():
            Path(path).mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = options


@contextmanager
def hub_running(options: Options, *, extra_env: dict | None = None, own_redis: bool = False):
    """A sandbox and the hub's worker processes (and beat, for the sweeper) for one run; with
    `own_redis`, a redis-server of the run's own as the broker (one the run may restart)."""
    call_command("migrate", verbosity=0)
    run = run_id()
    workdir = workdir_for(run)
    sandbox = BenchSandbox(workdir)
    redis = OwnRedis(workdir) if own_redis else None
    procs = None
    try:
        sandbox.start()
        sandbox.control(hourly_quota=UNLIMITED_QUOTA)
        if redis is not None:
            redis.start()
        env = worker_env(sandbox.url, workdir, redis.url if redis else settings.CELERY_BROKER_URL, extra_env)
        use_broker(env)
        procs = HubProcesses(env, workdir)
        yield sandbox, procs, redis
    finally:
        if procs is not None:
            procs.stop_all()
            if "HUB_BROKER_DIR" in procs.env:
                shutil.rmtree(procs.env["HUB_BROKER_DIR"], ignore_errors=True)
        sandbox.stop()
        if redis is not None:
            redis.stop()


def quiet_logs() -> None:
    """The bench's own SOAP calls (seeding, the naive exporter) would drown its table."""
    logging.getLogger("sevenoffice").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Limit for query logging exceeded")


def bench_run(options: Options, out) -> int:
    quiet_logs()
    cap = settings.SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT
    out(f"bench_export: {options.invoices} invoices, {options.departments} departments, {options.products} products, "
        f"latency {options.latency_ms} ms, {options.workers} workers, cap {cap} calls per account")
    out(f"backend: {backend()}; machine: {machine()}")
    with hub_running(options) as (sandbox, procs, _):
        out("seeding ...")
        bench = tenant_seed(sandbox, invoices=options.invoices, departments=options.departments,
                            products=options.products)
        for _ in range(options.workers):
            procs.start_worker(pool_size(options, cap))
        procs.start_beat()
        sandbox.control(latency_ms=options.latency_ms, max_concurrent_per_account=cap)
        api = HubWeb(api_key=bench.api_key)
        viewer = HubWeb(user=bench.user)
        out("exporting ...")
        timeout = max(600.0, options.invoices * 0.2)
        result = export_measure(bench=bench, api=api, receipt_web=viewer, sandbox=sandbox, procs=procs,
                                invoice_ids=bench.invoice_ids, timeout=timeout)
        if not result.finished:
            out(f"the export did not finish within {timeout:.0f} s: {result.counts}\n{procs.logs_tail()}")
        minimum = contract_minimum(bench, bench.invoice_ids)
        bound = lower_bound_seconds(minimum, options.latency_ms, cap)
        baseline = None
        if options.baseline:
            out(f"baseline: the naive way, {min(BASELINE_SAMPLE, options.invoices)} invoices ...")
            baseline = _baseline(sandbox, bench, options)
        out("receipt, overview and ingestion ...")
        receipt = pages.receipt_measure(viewer, result.batch_id)
        overview_size = pages.overview_fill(bench, options.invoices)
        overview = pages.overview_measure(viewer, bench)
        ingest = pages.ingest_measure(api, bench, min(options.invoices, pages.INGEST_MAX))
    figures, targets = _figures(options, cap, result, minimum, bound, receipt, overview, overview_size, ingest, baseline)
    _print(out, options, figures, targets, result, overview, baseline, minimum)
    if options.json_path:
        write_json(options.json_path, figures)
        out(f"figures written to {options.json_path}")
    return 0 if result.finished else 1


def _baseline(sandbox, bench, options: Options) -> dict:
    """The same invoices (a sample spread over the departments) the naive way, into accounts
    of their own that hold what the hub's accounts held before its export."""
    sample = bench.invoice_ids[:: max(1, len(bench.invoice_ids) // BASELINE_SAMPLE)][:BASELINE_SAMPLE]
    accounts = sandbox_accounts(sandbox, bench.run_id, options.departments, prefix="naive")
    for account, hub_account in zip(accounts, bench.accounts):
        account.department = hub_account.department
    sandbox.control(latency_ms=0)
    sandbox_prepare(sandbox, accounts, bench.products, bench.missing_products, bench.customers)
    sandbox.control(latency_ms=options.latency_ms)
    before = sandbox.stats()
    outcome = naive_export(sandbox, accounts, sample)
    calls = calls_between(before, sandbox.stats(), [a.username for a in accounts])
    done = sorted(outcome["done_seconds"])
    return {
        "invoices": len(sample), "wall_seconds": outcome["wall_seconds"],
        "invoices_per_second": len(sample) / outcome["wall_seconds"] if outcome["wall_seconds"] else 0.0,
        "soap_calls_per_invoice": sum(calls.values()) / len(sample), "calls": calls,
        "failures": outcome["failures"],
        "p50_seconds": statistics.median(done) if done else float("nan"),
        "extrapolated_wall_seconds": outcome["wall_seconds"] / len(sample) * options.invoices,
    }


def _figures(options, cap, result, minimum, bound, receipt, overview, overview_size, ingest, baseline):
    n = result.invoices
    total_calls = sum(result.calls.values())
    steady_calls = sum(v for k, v in result.calls.items() if k not in PRODUCT_OPERATIONS)
    p50, p95 = result.percentiles
    updates = result.updates
    worst_update = max(updates, key=lambda u: u["ms"]) if updates else None
    overview_ms = max(r.ms for _, r in overview)
    overview_queries = max(r.queries for _, r in overview)
    figures = {
        "invoices": n,
        "departments": options.departments,
        "products": options.products,
        "latency_ms": options.latency_ms,
        "workers": options.workers,
        "backend": backend(),
        "machine": machine(),
        "counts": result.counts,
        "wall_seconds": result.wall_seconds,
        "invoices_per_second": n / result.wall_seconds if result.wall_seconds > 0 else 0.0,
        "soap_calls_per_invoice": total_calls / n,
        "soap_calls_per_invoice_products_existing": steady_calls / n,
        "bound_seconds": bound,
        "bound_ratio": bound / result.wall_seconds if result.wall_seconds > 0 else 0.0,
        "contract_minimum_calls": sum(minimum.values()),
        "hub_cpu_ms_per_invoice": (result.worker_cpu_ms + result.web_cpu_ms) / n,
        "worker_cpu_ms_per_invoice": result.worker_cpu_ms / n,
        "web_cpu_ms_per_invoice": result.web_cpu_ms / n,
        "peak_worker_rss_mb": result.peak_worker_rss_mb,
        "idle_worker_rss_mb": result.idle_worker_rss_mb,
        "p50_seconds": p50,
        "p95_seconds": p95,
        "receipt_ms": receipt["first"].ms,
        "receipt_queries": receipt["first"].queries,
        "receipt_update_ms": receipt["update"].ms,
        "receipt_update_queries": receipt["update"].queries,
        "receipt_updates_during_export": len(updates),
        "receipt_update_ms_max": worst_update["ms"] if worst_update else None,
        "receipt_update_queries_max": max((u["queries"] for u in updates), default=None),
        "receipt_updates_only_changed": all(u["items"] <= u["changed"] for u in updates),
        "overview_invoices": overview_size,
        "overview_ms": overview_ms,
        "overview_queries": overview_queries,
        "ingest_invoices": ingest["count"],
        "ingest_single_per_second": ingest["single_per_second"],
        "ingest_bulk_per_second": ingest["bulk_per_second"],
        **{f"calls_{operation}": count for operation, count in sorted(result.calls.items())},
    }
    if baseline:
        figures.update({
            "baseline_invoices": baseline["invoices"],
            "baseline_wall_seconds": baseline["wall_seconds"],
            "baseline_invoices_per_second": baseline["invoices_per_second"],
            "baseline_soap_calls_per_invoice": baseline["soap_calls_per_invoice"],
            "baseline_extrapolated_wall_seconds": baseline["extrapolated_wall_seconds"],
            "speedup": figures["invoices_per_second"] / baseline["invoices_per_second"]
            if baseline["invoices_per_second"] else None,
        })
    growth = result.peak_worker_rss_mb - result.idle_worker_rss_mb
    postgres = connection.vendor == "postgresql"
    targets = [
        Target("bound / actual (L = 100 ms)", figures["bound_ratio"], 0.8, True,
               note="" if options.latency_ms == 100 else f"measured at L = {options.latency_ms} ms"),
        Target("SOAP calls per invoice, products existing", figures["soap_calls_per_invoice_products_existing"], 0.05,
               False, note=f"all calls: {figures['soap_calls_per_invoice']:.3f}"),
        Target("hub CPU per invoice", figures["hub_cpu_ms_per_invoice"], 2.0, False, " ms"),
        Target("worker memory growth during the export", growth, 50.0, False, " MB",
               note=f"peak {result.peak_worker_rss_mb:.0f} MB per process; compare runs at N = 1,000 and 100,000"),
        Target("receipt page, first load", figures["receipt_ms"], 150.0, False, " ms"),
        Target("receipt page queries", figures["receipt_queries"], 10, False),
        Target("receipt live update, slowest during export", figures["receipt_update_ms_max"] or 0.0, 150.0, False,
               " ms"),
        Target("receipt live update queries, most", figures["receipt_update_queries_max"] or 0, 10, False),
        Target("live updates send only what changed", 1.0 if figures["receipt_updates_only_changed"] else 0.0, 1.0,
               True),
        Target(f"overview on {overview_size:,} invoices, slowest view", overview_ms, 150.0, False, " ms"),
        Target("overview queries, most", overview_queries, 10, False),
        Target("bulk API ingestion", figures["ingest_bulk_per_second"], 1000.0, True, " /s",
               note="" if postgres else "the target is for PostgreSQL"),
    ]
    figures["verdicts"] = {t.name: t.verdict() for t in targets}
    return figures, targets


def _print(out, options, figures, targets, result, overview, baseline, minimum):
    out("")
    out("Export (click -> last item done)")
    rows = [
        ("invoices", f"{figures['invoices']:,}"),
        ("status counts", ", ".join(f"{k} {v}" for k, v in sorted(figures["counts"].items()))),
        ("wall seconds", f"{figures['wall_seconds']:.1f}"),
        ("invoices per second", f"{figures['invoices_per_second']:.1f}"),
        ("p50 / p95 seconds click -> done", f"{figures['p50_seconds']:.1f} / {figures['p95_seconds']:.1f}"),
        ("lower bound seconds (24SO contract)", f"{figures['bound_seconds']:.2f}"),
        ("bound / actual", f"{figures['bound_ratio']:.3f}"),
        ("SOAP calls per invoice (all)", f"{figures['soap_calls_per_invoice']:.3f}"),
        ("SOAP calls per invoice (products existing)", f"{figures['soap_calls_per_invoice_products_existing']:.3f}"),
        ("contract minimum calls (all accounts)", f"{figures['contract_minimum_calls']}"),
        ("hub CPU ms per invoice (workers + web)",
         f"{figures['hub_cpu_ms_per_invoice']:.2f} ({figures['worker_cpu_ms_per_invoice']:.2f} + "
         f"{figures['web_cpu_ms_per_invoice']:.2f})"),
        ("peak worker RSS MB (idle)", f"{figures['peak_worker_rss_mb']:.0f} ({figures['idle_worker_rss_mb']:.0f})"),
    ]
    out(table(rows, ("figure", "hub")))
    out("")
    out("SOAP calls by operation")
    out(table([(op, count, f"{count / figures['invoices']:.4f}") for op, count in sorted(result.calls.items())],
              ("operation", "calls", "per invoice")))
    if baseline:
        out("")
        out(f"Hub vs naive (naive: one worker, one SaveInvoices per invoice, products looked up per line; "
            f"{baseline['invoices']} invoices sent, extrapolated to {figures['invoices']:,})")
        out(table([
            ("invoices per second", f"{figures['invoices_per_second']:.1f}", f"{baseline['invoices_per_second']:.2f}"),
            ("SOAP calls per invoice", f"{figures['soap_calls_per_invoice']:.3f}",
             f"{baseline['soap_calls_per_invoice']:.2f}"),
            (f"seconds for {figures['invoices']:,} invoices", f"{figures['wall_seconds']:.1f}",
             f"{baseline['extrapolated_wall_seconds']:.0f}"),
            ("speed-up", f"{figures['speedup']:.1f}x" if figures.get("speedup") else "-", "1x"),
        ], ("figure", "hub", "naive")))
        if baseline["failures"]:
            out(f"  naive failures: {baseline['failures'][:5]}")
    out("")
    out("Read side and ingestion")
    out(table([
        ("receipt page, first load", f"{figures['receipt_ms']:.0f}", figures["receipt_queries"]),
        ("receipt live update (after the export)", f"{figures['receipt_update_ms']:.0f}",
         figures["receipt_update_queries"]),
        (f"receipt live updates during the export ({figures['receipt_updates_during_export']}), slowest",
         f"{figures['receipt_update_ms_max'] or 0:.0f}", figures["receipt_update_queries_max"]),
        *[(f"overview ({figures['overview_invoices']:,} invoices): {label}", f"{r.ms:.0f}", r.queries)
          for label, r in overview],
    ], ("view", "server ms", "queries")))
    out(f"  API ingestion of {figures['ingest_invoices']:,} invoices: single {figures['ingest_single_per_second']:.0f}/s, "
        f"bulk {figures['ingest_bulk_per_second']:.0f}/s")
    out("")
    out("Targets")
    for target in targets:
        out(target.line())
