"""A fake 24SO at the HTTP edge: a requests adapter that serves the vendor WSDLs and canned SOAP answers.

Only the outermost collaborator is replaced (the HTTP adapter under the client's own transport),
so the hub's transport, zeep parsing, session handling and mapping all run for real, without sockets.
"""
from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import requests
from lxml import etree
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

NS = "http://24sevenOffice.com/webservices"
ACCOUNTING_NS = "http://24sevenoffice.com/webservices/economy/accounting/"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
BASE = "http://fake24so.test"

# vendor endpoint path (lower case) -> vendor WSDL file
WSDL_FILES = {
    "/authenticate/v001/authenticate.asmx": "authService.wsdl",
    "/economy/invoiceorder/v001/invoiceservice.asmx": "invoiceService.wsdl",
    "/crm/company/v001/companyservice.asmx": "companyService.wsdl",
    "/logistics/product/v001/productservice.asmx": "productService.wsdl",
    "/client/v001/clientservice.asmx": "clientService.wsdl",
    "/economy/account/v004/accountservice.asmx": "accountService.wsdl",
    "/economy/accounting/v001/transactionservice.asmx": "transactionService.wsdl",
    "/project/v001/projectservice.asmx": "projectService.wsdl",
    "/economy/accounting/accounting_v001/attachmentservice.asmx": "attachmentService.wsdl",
}

IDENTITY_A = "11111111-2222-3333-4444-000000000001"
IDENTITY_B = "11111111-2222-3333-4444-000000000002"


def envelope(inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soap:Body>{inner}</soap:Body></soap:Envelope>"
    ).encode()


def result(operation: str, inner: str, ns: str = NS) -> bytes:
    return envelope(f'<{operation}Response xmlns="{ns}"><{operation}Result>{inner}</{operation}Result></{operation}Response>')


def fault(message: str, code: str = "soap:Server") -> tuple[int, bytes, dict]:
    body = envelope(f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{escape(message)}</faultstring></soap:Fault>")
    return 500, body, {"Content-Type": "text/xml; charset=utf-8"}


def identity_xml(identity_id: str, client_name: str, client_id: int, current: bool) -> str:
    return (
        f"<Identity><Id>{identity_id}</Id><User><Name>Demo User</Name></User>"
        f"<Client><Id>{client_id}</Id><Name>{client_name}</Name></Client>"
        f"<IsCurrent>{'true' if current else 'false'}</IsCurrent><IsDefault>{'true' if current else 'false'}</IsDefault>"
        "<IsProtected>false</IsProtected></Identity>"
    )


@dataclass
class Seen:
    method: str
    path: str
    operation: str | None
    headers: dict
    body: bytes
    timeout: object


@dataclass
class Fake24SO(BaseAdapter):
    """Answers like 24SO. ``handlers[op]`` may return bytes, (status, body, headers) or raise."""

    password: str = "pw"
    identities: list[tuple[str, str, int]] = field(default_factory=lambda: [(IDENTITY_A, "Demo AS", 1001)])
    wsdl_dir: Path | None = None
    handlers: dict[str, Callable] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    live_sessions: set = field(default_factory=set)

    def __post_init__(self):
        super().__init__()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.current_identity = {}

    # -- what the tests read
    def calls(self, operation: str | None = None) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and (operation is None or s.operation == operation)]

    def wsdl_loads(self) -> int:
        return sum(1 for s in self.seen if s.method == "GET")

    # -- requests adapter
    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        path = request.path_url.split("?")[0].lower()
        for prefix in ("/api", "/ws"):
            if path.startswith(prefix):
                path = path[len(prefix):]
        if request.method == "GET":
            self.seen.append(Seen("GET", path, None, dict(request.headers), b"", timeout))
            return self._response(request, 200, (self.wsdl_dir / WSDL_FILES[path]).read_bytes(), {})
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        element = etree.fromstring(body).find(f"{{{SOAP_NS}}}Body")[0]
        operation = etree.QName(element).localname
        with self._lock:
            self.seen.append(Seen("POST", path, operation, dict(request.headers), body, timeout))
        cookie = request.headers.get("Cookie", "")
        session = cookie.split("ASP.NET_SessionId=", 1)[1] if "ASP.NET_SessionId=" in cookie else None
        handler = self.handlers.get(operation) or getattr(self, f"op_{operation}", None)
        answer = handler(element, session)
        if isinstance(answer, bytes):
            answer = (200, answer, {"Content-Type": "text/xml; charset=utf-8"})
        return self._response(request, *answer)

    def close(self):
        pass

    def _response(self, request, status, body, headers):
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    # -- default Authenticate behaviour
    def op_Login(self, element, session):
        values = {etree.QName(c).localname: c.text for c in element[0]}
        if values.get("Password") != self.password:
            return result("Login", "")
        session_id = f"sess-{next(self._ids)}-secretcookie"
        self.live_sessions.add(session_id)
        chosen = values.get("IdentityId")
        self.current_identity[session_id] = chosen or self.identities[0][0]
        return result("Login", session_id)

    def op_HasSession(self, element, session):
        return result("HasSession", "true" if session in self.live_sessions else "false")

    def op_GetIdentities(self, element, session):
        if session not in self.live_sessions:
            return fault("Client is not authenticated on this identity.")
        current = self.current_identity.get(session)
        inner = "".join(identity_xml(i, n, c, i == current) for i, n, c in self.identities)
        return result("GetIdentities", inner)

    def op_SetIdentityById(self, element, session):
        wanted = element[0].text
        ok = any(i == wanted for i, _, _ in self.identities)
        if ok:
            self.current_identity[session] = wanted
        return result("SetIdentityById", "true" if ok else "false")

    def require_session(self, session) -> tuple | None:
        if session not in self.live_sessions:
            return fault("Client is not authenticated on this identity. Log in through the Authenticate service.")
        return None
