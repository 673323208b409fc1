"""The read side for the same data: the receipt page of the big export, the invoice overview
on a large invoice table, and API ingestion single and bulk."""

import random
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from exports.bench.seed import invoices_seed
from exports.models import Invoice

OVERVIEW_PER_EXPORTED = 10  # the overview table holds 10x the exported invoices (100,000 at the default N)
OVERVIEW_MAX = 100_000
INGEST_MAX = 10_000
BULK_SIZE = 1000  # invoices per POST /api/v1/invoices/bulk


def receipt_measure(web, batch_id: int) -> dict:
    """First load of the receipt page, and one live update right after it."""
    page = web.get(reverse("receipt", args=[batch_id]))
    if page.status != 200:
        raise RuntimeError(f"the receipt page answered {page.status}")
    update = web.get(reverse("receipt-updates", args=[batch_id]), {"since": timezone.now().isoformat()})
    return {"first": page, "update": update}


def overview_fill(bench, exported: int) -> int:
    """Invoices added (without lines: the overview does not read them) until the tenant holds
    OVERVIEW_PER_EXPORTED times the exported count, at most OVERVIEW_MAX."""
    target = min(OVERVIEW_MAX, exported * OVERVIEW_PER_EXPORTED)
    have = Invoice.objects.filter(tenant=bench.tenant).count()
    extra = max(0, target - have)
    if extra:
        first = Invoice.objects.filter(tenant=bench.tenant).order_by("-number").values_list("number", flat=True)[0] + 1
        invoices_seed(bench.tenant, bench.customers, bench.products, count=extra, rng=random.Random(7),
                      first_number=first, prefix="o", lines=False)
    return Invoice.objects.filter(tenant=bench.tenant).count()


def overview_measure(web, bench) -> list[tuple[str, object]]:
    """The overview as an accountant uses it: first page, filtered, paged deep, and searched."""
    code = bench.accounts[0].department.code
    month_ago = (date.today() - timedelta(days=30)).isoformat()
    variants = [
        ("all, page 1", {}),
        ("department + not exported, page 3", {"department": code, "status": "not_exported", "page": 3}),
        ("done, page 2", {"status": "done", "page": 2}),
        ("last 30 days, page 10", {"date_from": month_ago, "page": 10}),
        ("customer search", {"customer": "customer 7"}),
        ("last page", {"page": "last"}),
    ]
    results = []
    for label, params in variants:
        response = web.get(reverse("invoice-list"), params)
        if response.status != 200:
            raise RuntimeError(f"the overview ({label}) answered {response.status}")
        results.append((label, response))
    return results


def _invoice_payload(bench, n: int, prefix: str, rng: random.Random) -> dict:
    customer = bench.customers[n % len(bench.customers)]
    department = next(a.department for a in bench.accounts if a.department.pk == customer.bench_department_id)
    invoice_date = date.today() - timedelta(days=rng.randrange(0, 60))
    lines = []
    for _ in range(rng.randint(1, 10)):
        number, name, price, vat = rng.choice(bench.products)
        lines.append({"product_number": number, "product_name": name, "quantity": str(rng.randrange(1, 20)),
                      "unit_price": str(price), "vat_rate": str(vat)})
    return {
        "external_id": f"{prefix}-{n}", "number": n, "department": department.code, "customer": customer.external_id,
        "invoice_date": invoice_date.isoformat(), "due_date": (invoice_date + timedelta(days=14)).isoformat(),
        "your_reference": f"PO {n}", "text": "Pushed by the bench", "lines": lines,
    }


def ingest_measure(api, bench, count: int) -> dict:
    """invoices/s through POST /api/v1/invoices (one request each) and POST /api/v1/invoices/bulk."""
    rng = random.Random(11)
    base = 10_000_000
    single = [_invoice_payload(bench, base + n, "s", rng) for n in range(count)]
    bulk = [_invoice_payload(bench, base + count + n, "m", rng) for n in range(count)]
    seconds = 0.0
    for payload in single:
        response = api.post_json("/api/v1/invoices", payload)
        if response.status != 201:
            raise RuntimeError(f"POST /api/v1/invoices answered {response.status}: {response.body[:300]!r}")
        seconds += response.ms / 1000
    bulk_seconds = 0.0
    for start in range(0, count, BULK_SIZE):
        response = api.post_json("/api/v1/invoices/bulk", bulk[start : start + BULK_SIZE])
        if response.status not in (200, 201):
            raise RuntimeError(f"POST /api/v1/invoices/bulk answered {response.status}: {response.body[:300]!r}")
        bulk_seconds += response.ms / 1000
    return {
        "count": count,
        "single_per_second": count / seconds if seconds else 0.0,
        "bulk_per_second": count / bulk_seconds if bulk_seconds else 0.0,
    }
