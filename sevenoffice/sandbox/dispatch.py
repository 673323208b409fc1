"""One SOAP call from raw bytes to an outcome: route, authenticate, inject faults, run the
handler, serialize. Knows nothing about sockets; the HTTP layer acts on the ``Outcome``."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any

from lxml import etree

from . import handlers  # noqa: F401  (registers every operation)
from .codec import RequestFormatError, fault_envelope, parse_envelope, read_element, response_envelope
from .contract import SERVICES
from .faults import FaultInjector
from .handlers.auth import SESSION_COOKIE
from .handlers.base import NOT_AUTHENTICATED, REGISTRY, CallContext, SoapFault
from .schema import Service
from .state import SandboxState

log = logging.getLogger(__name__)

SERVICES_BY_PATH = {service.path.lower(): service for service in SERVICES}
ANONYMOUS = "(no account)"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass
class Outcome:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False  # close the connection without answering

    @classmethod
    def fault(cls, message: str, code: str = "Server", headers: list | None = None) -> Outcome:
        return cls(500, fault_envelope(code, message), [("Content-Type", XML_CONTENT_TYPE), *(headers or [])])


def service_for_path(path: str) -> Service | None:
    return SERVICES_BY_PATH.get(path.split("?", 1)[0].lower())


def _session_id(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    try:
        morsel = SimpleCookie(cookie_header).get(SESSION_COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel else None


class SoapDispatcher:
    def __init__(self, state: SandboxState, faults: FaultInjector):
        self.state = state
        self.faults = faults

    def handle(self, service: Service, body: bytes, soap_action: str | None, cookie: str | None) -> Outcome:
        try:
            element = parse_envelope(body)
            operation = self._operation(service, element, soap_action)
            request = read_element(service, service.operations[operation].request, element)
        except RequestFormatError as exc:
            return Outcome.fault(f"Server was unable to read request. ---> {exc}", code="Client")

        ctx = CallContext(self.state)
        with self.state.lock:
            session = self.state.live_session(_session_id(cookie))
            if session is not None:
                ctx.session = session
                ctx.account = self.state.accounts.get(session.account_key)
                ctx.identity = ctx.account.identity(session.identity_id) if ctx.account else None
        account_key = self._account_key(ctx, operation, request)

        if not self.faults.enter_call(account_key, operation):
            return Outcome(429, b"Too many concurrent requests for this account.", [("Content-Type", "text/plain")])
        try:
            return self._run(service, operation, request, ctx, account_key)
        finally:
            self.faults.leave_call(account_key)

    def _operation(self, service: Service, element: etree._Element, soap_action: str | None) -> str:
        qname = etree.QName(element)
        if qname.namespace != service.namespace or qname.localname not in service.operations:
            raise RequestFormatError(f"Unknown body element {{{qname.namespace}}}{qname.localname}.")
        action = (soap_action or "").strip().strip('"')
        if action and action != service.soap_action(qname.localname):
            raise RequestFormatError(f"Server did not recognize the value of HTTP Header SOAPAction: {action}.")
        return qname.localname

    def _account_key(self, ctx: CallContext, operation: str, request: dict[str, Any]) -> str:
        if ctx.account is not None:
            return ctx.account.key
        username = (request.get("credential") or {}).get("Username")
        account = self.state.account(username)
        return account.key if account else ANONYMOUS

    def _run(self, service: Service, operation: str, request: dict, ctx: CallContext, account_key: str) -> Outcome:
        settings = self.faults.settings
        quota = self.faults.use_quota(account_key)
        quota_headers = [
            ("APILimitRemaining", str(quota.remaining)),
            ("APILimitReset", quota.reset_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ]
        if quota.exceeded_by:
            self.faults.count_fault("quota", account_key)
            return Outcome.fault(
                f"Limit exceeded by {quota.exceeded_by}. Request is blocked. "
                f"Quarantine ends at {quota.reset_at.strftime('%Y-%m-%d %H:%M:%S')} UTC",
                headers=quota_headers,
            )
        if settings.latency_ms:
            time.sleep(settings.latency_ms / 1000)
        if self.faults.should_inject("http_500", operation, account_key):
            return Outcome(500, b"<html><body><h1>Internal Server Error</h1></body></html>",
                           [("Content-Type", "text/html")])
        if self.faults.should_inject("soap_fault", operation, account_key):
            return Outcome.fault("Server was unable to process request. ---> Injected sandbox fault.",
                                 headers=quota_headers)
        if self.faults.should_inject("timeout", operation, account_key):
            time.sleep(settings.timeout_seconds)
            return Outcome(0, drop=True)

        registration = REGISTRY.get((service.name, operation))
        if registration is None:
            return Outcome.fault(f"{operation} is not implemented by the sandbox.", headers=quota_headers)
        with self.state.lock:
            self._count_session_call(ctx, settings.session_expiry_calls)
            try:
                if registration.needs_session and ctx.identity is None:
                    raise SoapFault(NOT_AUTHENTICATED)
                result = registration.handler(ctx, request)
            except SoapFault as exc:
                return Outcome.fault(exc.message, exc.code, quota_headers)
            except Exception as exc:  # a sandbox bug must still answer like ASMX does
                log.exception("%s.%s failed", service.name, operation)
                return Outcome.fault(f"Server was unable to process request. ---> {exc!r}", headers=quota_headers)
            if registration.writes:
                self.state.mark_dirty()
            body = response_envelope(service, operation, result)

        if self.faults.should_inject("drop_after_commit", operation, account_key):
            if registration.writes:
                self.state.flush()  # the write is durable before the client loses the answer
            return Outcome(0, drop=True)
        return Outcome(200, body, [("Content-Type", XML_CONTENT_TYPE), *ctx.response_headers, *quota_headers])

    def _count_session_call(self, ctx: CallContext, expiry_calls: int | None) -> None:
        """With ``session_expiry_calls`` set, a session dies after that many calls."""
        if ctx.session is None:
            return
        ctx.session.calls += 1
        if expiry_calls is not None and ctx.session.calls > expiry_calls:
            self.state.sessions.pop(ctx.session.id, None)
            ctx.session = ctx.account = ctx.identity = None
