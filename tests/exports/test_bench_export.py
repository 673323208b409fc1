"""`manage.py bench_export` as someone runs it: a subprocess that starts its own sandbox and
worker processes. Tiny sizes: these check the commands work and report sane figures, not
how fast the hub is."""

import json
import os
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings

from tests.fixtures.worker import ROOT

pytestmark = [pytest.mark.e2e]

JSON_KEYS = {
    "wall_seconds", "invoices_per_second", "soap_calls_per_invoice", "bound_seconds", "bound_ratio",
    "hub_cpu_ms_per_invoice", "peak_worker_rss_mb", "p50_seconds", "p95_seconds", "receipt_ms", "receipt_queries",
}


@pytest.fixture
def bench_database(tmp_path):
    """A database of the bench's own: the test session's sweeper (beat) must not pick up the
    bench's items and hand them to the session's workers and sandbox."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        return
    name = f"{db['NAME']}_bench_{os.getpid()}"
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
              "password": db.get("PASSWORD") or None, "dbname": "postgres"}
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def bench(args, database, timeout, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST") and k != "HUB_BROKER_DIR"}
    environment["DATABASE_URL"] = database
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", "bench_export", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def test_bench_exports_everything_and_reports_figures_with_verdicts(bench_database, tmp_path):
    figures_file = tmp_path / "bench.json"
    # The embedded broker, so the bench's workers never share a queue with other tests' workers.
    result = bench(["--invoices", "30", "--departments", "2", "--products", "20", "--latency-ms", "10",
                    "--workers", "1", "--json", str(figures_file)], bench_database, timeout=300,
                   CELERY_BROKER_URL="filesystem://")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    figures = json.loads(figures_file.read_text())
    assert JSON_KEYS <= figures.keys()
    assert figures["counts"] == {"done": 30}
    calls = {k.removeprefix("calls_"): v for k, v in figures.items() if k.startswith("calls_")}
    assert calls["SaveInvoices"] == 2  # one chunk per department's account
    assert figures["soap_calls_per_invoice"] == pytest.approx(sum(calls.values()) / 30)
    assert 0 < figures["bound_seconds"] < figures["wall_seconds"] and 0 < figures["bound_ratio"] < 1
    assert figures["invoices_per_second"] == pytest.approx(30 / figures["wall_seconds"])
    assert 0 < figures["p50_seconds"] <= figures["p95_seconds"] <= figures["wall_seconds"] + 0.01
    assert figures["hub_cpu_ms_per_invoice"] > 0 and figures["peak_worker_rss_mb"] > 20
    assert 0 < figures["receipt_queries"] <= 10 and figures["receipt_ms"] > 0
    assert figures["ingest_bulk_per_second"] > 0 and figures["overview_invoices"] == 300
    assert "Targets" in result.stdout
    assert "receipt page queries" in result.stdout and ("PASS" in result.stdout or "MISS" in result.stdout)


@pytest.mark.postgres
@pytest.mark.redis
def test_fault_drill_loses_and_doubles_nothing(require_postgres, require_redis, bench_database):
    result = bench(["--faults", "--invoices", "100", "--departments", "2", "--products", "30", "--latency-ms", "10",
                    "--workers", "2"], bench_database, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "[ok] every invoice in the sandbox exactly once: 100 once, 0 missing, 0 twice or more" in output
    assert "[ok] no item stuck" in output and "[ok] no duplicate rows" in output and "[ok] nothing lost" in output
    assert "1 Redis restart" in output and "worker kills" in output and "drill: PASS" in output


def test_fault_drill_refuses_the_embedded_default(tmp_path):
    result = bench(["--faults", "--invoices", "10"], f"sqlite:///{tmp_path / 'refused.sqlite3'}", timeout=120,
                   CELERY_BROKER_URL="filesystem://")
    assert result.returncode != 0
    assert "runs on PostgreSQL + Redis only" in result.stderr
