"""Measure the export path end to end (see exports/bench/ and the README's Benchmark section)."""

from django.core.management.base import BaseCommand, CommandError

from exports.bench.drill import DRILL_INVOICES, DrillRefused, drill_run
from exports.bench.run import Options, bench_run


class Command(BaseCommand):
    help = "Benchmark the export to 24SO against the sandbox; --faults runs the crash and fault drill."

    def add_arguments(self, parser):
        parser.add_argument("--invoices", type=int, default=None,
                            help=f"invoices to export (default 10000; {DRILL_INVOICES} with --faults)")
        parser.add_argument("--departments", type=int, default=10, help="departments, each its own 24SO account")
        parser.add_argument("--products", type=int, default=500, help="products; a fifth are missing from 24SO")
        parser.add_argument("--latency-ms", type=int, default=100, help="added to every SOAP call by the sandbox")
        parser.add_argument("--workers", type=int, default=2, help="celery worker processes")
        parser.add_argument("--json", dest="json_path", help="also write the figures to this file")
        parser.add_argument("--baseline", action="store_true", help="also export the naive way, side by side")
        parser.add_argument("--faults", action="store_true", help="the fault drill (PostgreSQL + Redis only)")

    def handle(self, *args, **opts):
        for name in ("departments", "products", "workers"):
            if opts[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        if opts["invoices"] is not None and opts["invoices"] < 1:
            raise CommandError("--invoices must be at least 1")
        if opts["latency_ms"] < 0:
            raise CommandError("--latency-ms must not be negative")
        default_invoices = DRILL_INVOICES if opts["faults"] else 10000
        options = Options(
            invoices=opts["invoices"] or default_invoices, departments=opts["departments"], products=opts["products"],
            latency_ms=opts["latency_ms"], workers=opts["workers"], json_path=opts["json_path"],
            baseline=opts["baseline"],
        )
        out = lambda line: self.stdout.write(line)  # noqa: E731
        try:
            code = drill_run(options, out) if opts["faults"] else bench_run(options, out)
        except DrillRefused as exc:
            raise CommandError(str(exc)) from None
        if code:
            raise SystemExit(code)
