"""HTTP transport and the per-process cache of parsed 24SO service clients.

``build_transport`` is the one place that builds the HTTP side (pooled ``requests.Session``,
connect/read timeouts, no cookie jar, no envelope logging). ``ServiceRegistry`` parses each
service's WSDL, read from the configured endpoint's ``?WSDL``, once per process and binds it to
that endpoint. The session cookie and time-out of one call travel in a context variable
(``call_options``), so one parsed client serves every account and thread.
"""
from __future__ import annotations

import contextlib
import contextvars
import http.cookiejar
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

import requests
import urllib3.exceptions
import zeep
from lxml import etree
from requests.adapters import HTTPAdapter

from .errors import RateLimited, RemoteUnavailable, quota_retry_after

logger = logging.getLogger(__name__)

# zeep.transports logs whole envelopes at DEBUG, and the Login envelope holds the password.
# HubTransport never calls zeep's logging post(); this guards the WSDL loader too.
logging.getLogger("zeep.transports").setLevel(logging.WARNING)

NS = "http://24sevenOffice.com/webservices"
ACCOUNTING_NS = "http://24sevenoffice.com/webservices/economy/accounting/"  # lower-case "office", trailing slash


@dataclass(frozen=True)
class ServiceSpec:
    host: str  # "api" or "webservices": which configured base URL the path hangs under
    path: str  # the vendor's endpoint path
    binding: str  # the SOAP 1.1 binding QName

    def endpoint(self, api_url: str, webservices_url: str) -> str:
        base = api_url if self.host == "api" else webservices_url
        return base.rstrip("/") + self.path


SERVICES: dict[str, ServiceSpec] = {
    "Authenticate": ServiceSpec("api", "/authenticate/v001/authenticate.asmx", f"{{{NS}}}AuthenticateSoap"),
    "InvoiceService": ServiceSpec(
        "api", "/Economy/InvoiceOrder/V001/InvoiceService.asmx", f"{{{NS}}}InvoiceServiceSoap"
    ),
    "CompanyService": ServiceSpec("api", "/CRM/Company/V001/CompanyService.asmx", f"{{{NS}}}CompanyServiceSoap"),
    "ProductService": ServiceSpec(
        "api", "/Logistics/Product/V001/ProductService.asmx", f"{{{NS}}}ProductServiceSoap"
    ),
    "ClientService": ServiceSpec("api", "/Client/V001/ClientService.asmx", f"{{{NS}}}ClientServiceSoap"),
    "AccountService": ServiceSpec(
        "api", "/Economy/Account/V004/Accountservice.asmx", f"{{{NS}}}AccountServiceSoap"
    ),
    "TransactionService": ServiceSpec(
        "api",
        "/Economy/Accounting/V001/TransactionService.asmx",
        f"{{{ACCOUNTING_NS}}}TransactionServiceSoap",
    ),
    "ProjectService": ServiceSpec(
        "webservices", "/Project/V001/ProjectService.asmx", f"{{{NS}}}ProjectServiceSoap"
    ),
    "AttachmentService": ServiceSpec(
        "webservices",
        "/Economy/Accounting/Accounting_V001/AttachmentService.asmx",
        f"{{{ACCOUNTING_NS}}}AttachmentServiceSoap",
    ),
}


# --- Per-call options --------------------------------------------------------------------------


@dataclass(frozen=True)
class CallOptions:
    cookie: str | None  # the ASP.NET_SessionId value, or None for Login
    timeout: tuple[float, float]  # (connect, read) seconds


_call_options: contextvars.ContextVar[CallOptions | None] = contextvars.ContextVar(
    "sevenoffice_call_options", default=None
)


@contextlib.contextmanager
def call_options(*, cookie: str | None, timeout: tuple[float, float]) -> Iterator[None]:
    """Carry one call's session cookie and time-out to the shared transport (thread- and task-local)."""
    token = _call_options.set(CallOptions(cookie=cookie, timeout=timeout))
    try:
        yield
    finally:
        _call_options.reset(token)


# --- Transport ---------------------------------------------------------------------------------


class HubTransport(zeep.Transport):
    """zeep transport that maps HTTP failures to the hub's errors and never logs bodies."""

    def __init__(self, session: requests.Session, *, timeout: tuple[float, float]) -> None:
        super().__init__(session=session, timeout=timeout, operation_timeout=timeout)
        self.default_timeout = timeout

    def post(self, address, message, headers):
        options = _call_options.get()
        headers = dict(headers)
        timeout = self.default_timeout
        if options is not None:
            timeout = options.timeout
            if options.cookie:
                # Every service on both hosts expects the Login session as this cookie.
                headers["Cookie"] = f"ASP.NET_SessionId={options.cookie}"
        try:
            response = self.session.post(address, data=message, headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            raise unavailable_from_requests(exc) from None
        check_http_answer(response)
        return response

    def _load_remote_data(self, url):
        try:
            response = self.session.get(url, timeout=self.default_timeout)
        except requests.RequestException as exc:
            raise unavailable_from_requests(exc, what="loading the WSDL") from None
        with contextlib.closing(response):
            check_http_answer(response, soap=False)
            if response.status_code != 200:
                raise RemoteUnavailable(
                    f"loading the WSDL answered HTTP {response.status_code}",
                    ambiguous=False,
                    status_code=response.status_code,
                )
            return response.content


def build_transport(
    *,
    connect_timeout: float,
    read_timeout: float,
    pool_maxsize: int = 20,
) -> HubTransport:
    """The one builder of the HTTP side: pooled session, time-outs, no cookie jar, hub user agent."""
    session = requests.Session()
    # Sessions differ per account while this HTTP session is shared: never let a Set-Cookie
    # from one account's Login ride along on another account's call.
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    # No automatic retries: a resent SOAP write could be applied twice.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    transport = HubTransport(session, timeout=(connect_timeout, read_timeout))
    session.headers["User-Agent"] = "hub-24so-client/1.0"
    return transport


def unavailable_from_requests(exc: requests.RequestException, *, what: str = "the call") -> RemoteUnavailable:
    """Classify a requests failure; only failures before the request was sent are unambiguous."""
    if isinstance(exc, requests.ConnectTimeout):
        return RemoteUnavailable(f"{what}: connect timed out", ambiguous=False)
    if isinstance(exc, requests.ReadTimeout):
        return RemoteUnavailable(f"{what}: no answer within the read time-out", ambiguous=True)
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        if isinstance(exc, requests.exceptions.SSLError) or isinstance(
            reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)
        ):
            return RemoteUnavailable(f"{what}: could not connect ({type(reason).__name__})", ambiguous=False)
        return RemoteUnavailable(f"{what}: connection dropped after sending", ambiguous=True)
    return RemoteUnavailable(f"{what}: broken answer ({type(exc).__name__})", ambiguous=True)


def check_http_answer(response: requests.Response, *, soap: bool = True) -> None:
    """Raise for answers zeep cannot read: HTTP 429, quota texts, non-XML or non-SOAP bodies.

    A SOAP fault comes back as HTTP 500 with a SOAP envelope; zeep reads those, so they pass.
    A body that is not a (well-formed) SOAP envelope counts as applied-maybe when the server
    had the request in hand (2xx, 5xx) and as not applied for other statuses (404, 403, ...).
    """
    status = response.status_code
    body = response.content or b""
    root = _xml_root(body)
    if root is not None and (not soap or root.tag in _ENVELOPES):
        if status == 429:
            raise RateLimited("24SevenOffice throttled the request (HTTP 429)", status_code=429,
                              retry_after=_retry_after_header(response))  # fmt: skip
        return
    wait = quota_retry_after(body[:4000].decode("utf-8", "replace"))
    if status == 429 or wait is not None:
        raise RateLimited(
            f"24SevenOffice throttled the request (HTTP {status})",
            retry_after=wait if wait is not None else _retry_after_header(response),
            status_code=status,
        )
    what = "no SOAP envelope" if root is not None else "a body that is not well-formed XML"
    raise RemoteUnavailable(
        f"24SevenOffice answered HTTP {status} with {what}",
        ambiguous=status >= 500 or 200 <= status < 300,
        status_code=status,
    )


_ENVELOPES = frozenset(
    {"{http://schemas.xmlsoap.org/soap/envelope/}Envelope", "{http://www.w3.org/2003/05/soap-envelope}Envelope"}
)


def _xml_root(body: bytes):
    """The root element, or None for a body that is not well-formed XML.

    zeep runs non-strict (see ServiceRegistry), which would let lxml "recover" a broken document
    into partial data, so every answer is checked for well-formedness here first.
    """
    if not body.lstrip().lstrip(b"\xef\xbb\xbf").startswith(b"<"):
        return None
    try:
        return etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError:
        return None


def _retry_after_header(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            with contextlib.suppress(TypeError, ValueError):
                return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    reset = response.headers.get("APILimitReset")  # ISO UTC timestamp of the quota reset
    if reset:
        with contextlib.suppress(ValueError):
            ends = datetime.fromisoformat(reset.replace("Z", "+00:00"))
            ends = ends if ends.tzinfo else ends.replace(tzinfo=timezone.utc)
            return max(0.0, (ends - datetime.now(timezone.utc)).total_seconds())
    return None


# --- Parsed clients, once per process ----------------------------------------------------------


class ServiceRegistry:
    """Parsed zeep service proxies, one per (service, endpoint), built on first use."""

    def __init__(self, transport: HubTransport | None = None) -> None:
        self._transport = transport
        self._proxies: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}

    @property
    def transport(self) -> HubTransport:
        with self._lock:
            if self._transport is None:
                from django.conf import settings

                self._transport = build_transport(
                    connect_timeout=settings.SEVENOFFICE_CONNECT_TIMEOUT,
                    read_timeout=settings.SEVENOFFICE_TIMEOUT,
                )
            return self._transport

    def service(self, name: str, *, api_url: str, webservices_url: str):
        """The bound zeep service proxy for ``name``; the configured URL wins over soap:address."""
        spec = SERVICES[name]
        endpoint = spec.endpoint(api_url, webservices_url)
        key = (name, endpoint)
        proxy = self._proxies.get(key)
        if proxy is not None:
            return proxy
        with self._lock:
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:  # parse each WSDL once even when threads race for it
            proxy = self._proxies.get(key)
            if proxy is None:
                proxy = self._parse(name, spec, endpoint)
                self._proxies[key] = proxy
        return proxy

    def _parse(self, name: str, spec: ServiceSpec, endpoint: str):
        # Non-strict: an element 24SO leaves out or adds must not make an applied write unreadable
        # (the body is checked for well-formedness in check_http_answer first).
        settings = zeep.Settings(strict=False, xml_huge_tree=True)
        try:
            client = zeep.Client(f"{endpoint}?WSDL", transport=self.transport, settings=settings)
        except RemoteUnavailable:
            raise
        except Exception as exc:  # a WSDL that does not parse: say which service, keep zeep inside
            raise RemoteUnavailable(
                f"the {name} WSDL could not be read ({type(exc).__name__})", ambiguous=False
            ) from None
        logger.info("sevenoffice: parsed %s WSDL from %s", name, endpoint)
        return client.create_service(spec.binding, endpoint)

    def parsed_count(self) -> int:
        return len(self._proxies)


def warm_up(*, api_url: str, webservices_url: str) -> threading.Thread:
    """Parse every service's WSDL now, in a background thread, so a worker's first call does
    not pay for it. A background thread: a slow or absent 24SO must never delay the start of
    a process; a call that comes first waits for that WSDL's parse (or does it) as usual."""

    def parse_all() -> None:
        registry = get_registry()
        for name in SERVICES:
            try:
                registry.service(name, api_url=api_url, webservices_url=webservices_url)
            except RemoteUnavailable as exc:
                logger.warning("sevenoffice: %s WSDL not parsed ahead (%s); parsed on first use", name, exc)
                return  # the endpoint is down: the first call will say so

    thread = threading.Thread(target=parse_all, name="sevenoffice-wsdl-warm-up", daemon=True)
    thread.start()
    return thread


_registry: ServiceRegistry | None = None
_registry_lock = threading.Lock()


def get_registry() -> ServiceRegistry:
    """The process-wide registry (rebuilt in a forked child: sockets must not cross processes)."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = ServiceRegistry()
        return _registry


def _reset_after_fork() -> None:
    global _registry, _registry_lock
    _registry = None
    _registry_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
