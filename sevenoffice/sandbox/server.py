"""The sandbox's HTTP/1.1 server: threaded, keep-alive, able to drop a connection unanswered.

Plain stdlib ``http.server`` plus lxml; no Django. ``python manage.py sevenoffice_sandbox``
wraps ``SandboxServer``.
"""

from __future__ import annotations

import json
import logging
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from .accounts import Account, default_account, load_accounts_file
from .control import SandboxControl
from .dispatch import Outcome, SoapDispatcher, service_for_path
from .faults import FaultInjector
from .state import SandboxState
from .wsdl import generate_wsdl

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/"


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address, state: SandboxState, faults: FaultInjector):
        self.state = state
        self.faults = faults
        self.dispatcher = SoapDispatcher(state, faults)
        self.control = SandboxControl(state, faults)
        super().__init__(address, SandboxRequestHandler)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SandboxHTTPServer
    server_version = "Microsoft-IIS/10.0 (24SevenOffice sandbox)"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    # --- plumbing --------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # Small answers on keep-alive connections would otherwise wait for delayed ACKs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, outcome: Outcome) -> None:
        if outcome.drop:
            self._drop()
            return
        self.send_response(outcome.status)
        for name, value in outcome.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(outcome.body)))
        # Headers and body leave in one write (one segment for small answers).
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + (outcome.body if self.command != "HEAD" else b""))
        self._headers_buffer = []

    def _send_json(self, status: int, payload: object) -> None:
        body = json.dumps(payload, indent=1, default=str).encode()
        self._send(Outcome(status, body, [("Content-Type", "application/json")]))

    def _drop(self) -> None:
        """Close the socket without a byte of response, as a crashed or cut connection would."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _base_url(self) -> str:
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        return f"http://{host}"

    # --- verbs -----------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url, b"")
            return
        service = service_for_path(url.path)
        if service is not None and "wsdl" in url.query.lower():
            wsdl = generate_wsdl(service, self._base_url())
            self._send(Outcome(200, wsdl, [("Content-Type", "text/xml; charset=utf-8")]))
            return
        if url.path in ("", "/"):
            self._send_json(200, {"sandbox": "24SevenOffice", "services": _service_index()})
            return
        self._send(Outcome(404, b"Not found", [("Content-Type", "text/plain")]))

    def do_POST(self) -> None:
        body = self._read_body()
        url = urlsplit(self.path)
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url, body)
            return
        service = service_for_path(url.path)
        if service is None:
            self._send(Outcome(404, b"Not found", [("Content-Type", "text/plain")]))
            return
        if "soap+xml" in (self.headers.get("Content-Type") or ""):
            self._send(Outcome.fault("The sandbox speaks SOAP 1.1 only (text/xml).", code="Client"))
            return
        outcome = self.server.dispatcher.handle(
            service, body, self.headers.get("SOAPAction"), self.headers.get("Cookie")
        )
        self._send(outcome)

    def _control(self, url, body: bytes) -> None:
        try:
            payload = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError as exc:
            self._send_json(400, {"error": f"invalid JSON: {exc}"})
            return
        if not isinstance(payload, dict):
            self._send_json(400, {"error": "expected a JSON object"})
            return
        name = url.path[len(CONTROL_PREFIX):].strip("/")
        status, result = self.server.control.handle(self.command, name, dict(parse_qsl(url.query)), payload)
        self._send_json(status, result)


def _service_index() -> list[dict[str, str]]:
    from .contract import SERVICES

    return [{"service": s.name, "host": s.host, "path": s.path, "wsdl": f"{s.path}?WSDL"} for s in SERVICES]


class SandboxServer:
    """Owns the state, the fault settings and the listening socket."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8024,
        state_path: str | Path | None = None,
        accounts_path: str | Path | None = None,
        session_idle_seconds: float = 20 * 60,
    ):
        accounts: list[Account] = [default_account()]
        if accounts_path:
            accounts += load_accounts_file(accounts_path)
        self.state = SandboxState(accounts, state_path, session_idle_seconds)
        self.faults = FaultInjector()
        self.httpd = SandboxHTTPServer((host, port), self.state, self.faults)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self.state.start_flusher()
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` from another thread."""
        self.httpd.shutdown()

    def close(self) -> None:
        self.httpd.server_close()
        self.state.close()
