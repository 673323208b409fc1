"""One measured export: click (API POST /api/v1/exports), workers, sandbox, until the last
item is done; and the lower bound the 24SO contract puts on it."""

import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from exports.bench.sandbox import calls_between
from exports.models import OPEN_STATUSES, ExportItem, ExportStatus, Invoice, InvoiceLine
from exports.transfer import CHUNK_SIZE
from exports.views import RECEIPT_PAGE_SIZE

POLL_SECONDS = 1.0  # as the receipt page polls
GET_INVOICES_MAX_IDS = 1000  # InvoiceService.GetInvoices takes at most 1000 ids per call
# Operations that only make products and their category exist in 24SO.
PRODUCT_OPERATIONS = ("GetProducts", "SaveProducts", "GetCategories", "SaveCategories")


@dataclass
class ExportResult:
    batch_id: int
    invoices: int
    wall_seconds: float
    counts: dict
    calls: Counter
    done_seconds: list[float]  # click -> done, per item
    web_cpu_ms: float
    worker_cpu_ms: float
    peak_worker_rss_mb: float
    idle_worker_rss_mb: float
    updates: list[dict] = field(default_factory=list)  # the receipt's live updates during the export
    finished: bool = True

    @property
    def percentiles(self) -> tuple[float, float]:
        if not self.done_seconds:
            return float("nan"), float("nan")
        if len(self.done_seconds) == 1:
            return self.done_seconds[0], self.done_seconds[0]
        cuts = statistics.quantiles(self.done_seconds, n=100, method="inclusive")
        return cuts[49], cuts[94]


def export_click(bench, api, invoice_ids) -> tuple[int, object]:
    external_ids = list(Invoice.objects.filter(pk__in=invoice_ids).values_list("external_id", flat=True))
    response = api.post_json("/api/v1/exports", {"invoices": external_ids})
    if response.status != 202:
        raise RuntimeError(f"POST /api/v1/exports answered {response.status}: {response.body[:500]!r}")
    return response.json()["id"], response


def export_measure(*, bench, api, receipt_web, sandbox, procs, invoice_ids, timeout: float) -> ExportResult:
    """Click, then follow the receipt's live updates (as the page does) until nothing is open."""
    stats_before = sandbox.stats()
    procs.mark()
    time.sleep(0.5)
    idle_rss = procs.peak_rss
    procs.peak_rss = 0
    clicked_at = timezone.now()
    batch_id, click = export_click(bench, api, invoice_ids)
    updates_url = reverse("receipt-updates", args=[batch_id])
    since = clicked_at.isoformat()
    # The receipt page's first page of rows, whose changes its live updates carry.
    shown = list(ExportItem.objects.filter(batch_id=batch_id).order_by("pk").values_list("pk", flat=True)[:RECEIPT_PAGE_SIZE])
    rows = {"first": shown[0], "last": shown[-1]}
    updates = []
    deadline = time.monotonic() + timeout
    finished = False
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        update = receipt_web.get(updates_url, {"since": since, **rows})
        answered_at = timezone.now()
        body = update.json()
        # What changed on the page since the last update, for checking this one sends only that.
        changed = ExportItem.objects.filter(
            batch_id=batch_id, pk__range=(rows["first"], rows["last"]), updated_at__gte=since,
            updated_at__lte=answered_at,
        ).count()
        updates.append({"ms": update.ms, "queries": update.queries, "items": len(body["items"]), "changed": changed})
        since = body["now"]
        if body["finished"]:
            finished = True
            break
    items = ExportItem.objects.filter(batch_id=batch_id)
    counts = dict(Counter(items.values_list("status", flat=True)))
    done = items.filter(status=ExportStatus.DONE)
    last = done.aggregate(last=Max("updated_at"))["last"] or timezone.now()
    done_seconds = sorted((t - clicked_at).total_seconds() for t in done.values_list("updated_at", flat=True))
    worker_cpu = procs.cpu_since_mark()
    return ExportResult(
        batch_id=batch_id, invoices=len(invoice_ids), wall_seconds=(last - clicked_at).total_seconds(),
        counts=counts, calls=calls_between(stats_before, sandbox.stats(), bench.usernames),
        done_seconds=done_seconds, web_cpu_ms=click.cpu_ms, worker_cpu_ms=worker_cpu * 1000,
        peak_worker_rss_mb=procs.peak_rss / 2**20, idle_worker_rss_mb=idle_rss / 2**20, updates=updates,
        finished=finished and not items.filter(status__in=OPEN_STATUSES).exists(),
    )


def contract_minimum(bench, invoice_ids) -> dict[str, int]:
    """Per account, the fewest SOAP calls the 24SO contract allows for these invoices:
    one Login; one GetTaxCodeList; one GetProducts to find the products 24SO has; when some
    are missing, one GetCategories and one SaveProducts; one GetInvoices per 1000 numbers to
    check none is in 24SO already (the hub may not send an invoice twice); and one
    SaveInvoices per CHUNK_SIZE invoices (24SO documents no maximum batch; large batches
    time out, so the hub's chunk size is taken as the batch the contract allows)."""
    missing = bench.missing_products
    per_account = {}
    for account in bench.accounts:
        ids = Invoice.objects.filter(pk__in=invoice_ids, department=account.department).values_list("pk", flat=True)
        n = len(ids)
        if not n:
            continue
        used = set(InvoiceLine.objects.filter(invoice_id__in=list(ids)).values_list("product_number", flat=True))
        creates = 2 if used & missing else 0
        per_account[account.username] = (
            1 + 1 + 1 + creates + math.ceil(n / GET_INVOICES_MAX_IDS) + math.ceil(n / CHUNK_SIZE)
        )
    return per_account


def lower_bound_seconds(minimum: dict[str, int], latency_ms: int, concurrency: int) -> float:
    """The slowest account's fewest calls times the latency, spread over its allowed concurrency."""
    if not minimum:
        return 0.0
    return max(minimum.values()) * latency_ms / 1000 / max(concurrency, 1)
