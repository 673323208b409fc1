"""Run the 24SevenOffice sandbox: a local stand-in for the vendor's SOAP API (see
sevenoffice/sandbox/README.md). The first line on stdout is the URL it listens on."""

import signal
import sys

from django.core.management.base import BaseCommand

from sevenoffice.sandbox.server import SandboxServer


class Command(BaseCommand):
    help = "Run the 24SevenOffice SOAP sandbox (both vendor hosts' paths on one port)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8024, help="0 picks a free port")
        parser.add_argument("--state", help="JSON file the sandbox loads at start and keeps up to date")
        parser.add_argument("--accounts", help="JSON list of extra accounts (see the README)")
        parser.add_argument("--session-idle-minutes", type=float, default=20.0)

    def handle(self, *args, **options):
        server = SandboxServer(
            host=options["host"],
            port=options["port"],
            state_path=options["state"],
            accounts_path=options["accounts"],
            session_idle_seconds=options["session_idle_minutes"] * 60,
        )

        def stop(signum, frame):
            raise SystemExit(0)  # unwinds serve_forever, which flushes the state file

        signal.signal(signal.SIGTERM, stop)
        print(f"sandbox listening on {server.url}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        sys.stdout.flush()
