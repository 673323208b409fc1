"""zeep clients for the sandbox's services, built either from the sandbox's own WSDLs or
from the vendor's, sharing one requests session (and so one session cookie)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import requests
import zeep
from zeep.transports import Transport

from sevenoffice.sandbox.contract import SERVICES
from sevenoffice.sandbox.schema import Service

SERVICES_BY_NAME = {service.name: service for service in SERVICES}
VENDOR_WSDL_FILES = {
    "Authenticate": "authService.wsdl",
    "InvoiceService": "invoiceService.wsdl",
    "CompanyService": "companyService.wsdl",
    "ProductService": "productService.wsdl",
    "ProjectService": "projectService.wsdl",
    "AccountService": "accountService.wsdl",
    "TransactionService": "transactionService.wsdl",
    "AttachmentService": "attachmentService.wsdl",
    "ClientService": "clientService.wsdl",
}
# Parsed WSDLs are reused across tests; only the HTTP session is swapped per test.
_PARSED: dict[str, zeep.Client] = {}


def _parsed(wsdl: str) -> zeep.Client:
    if wsdl not in _PARSED:
        _PARSED[wsdl] = zeep.Client(wsdl, transport=Transport(session=requests.Session()))
    return _PARSED[wsdl]


class SoapClients:
    """``clients.service("InvoiceService").SaveInvoices(...)``; ``login()`` first."""

    def __init__(self, address: str, wsdl_for: Callable[[Service], str]):
        self.address = address.rstrip("/")
        self.wsdl_for = wsdl_for
        self.http = requests.Session()

    def service(self, name: str):
        service = SERVICES_BY_NAME[name]
        client = _parsed(self.wsdl_for(service))
        client.transport.session = self.http
        binding = f"{{{service.namespace}}}{service.binding_name}"
        return client.create_service(binding, f"{self.address}{service.path}")

    def type(self, service_name: str, type_name: str):
        service = SERVICES_BY_NAME[service_name]
        return _parsed(self.wsdl_for(service)).get_type(f"{{{service.namespace}}}{type_name}")

    def login(self, username: str, password: str, application_id: str, identity_id: str | None = None) -> str:
        credential = {"ApplicationId": application_id, "Username": username, "Password": password}
        if identity_id:
            credential["IdentityId"] = identity_id
        session_id = self.service("Authenticate").Login(credential=credential)
        if session_id:
            # The hub sends the cookie as a plain header; do the same so both hosts get it.
            self.http.headers["Cookie"] = f"ASP.NET_SessionId={session_id}"
        return session_id


def sandbox_wsdl(base_url: str) -> Callable[[Service], str]:
    return lambda service: f"{base_url}{service.path}?WSDL"


def vendor_wsdl(directory: Path) -> Callable[[Service], str]:
    return lambda service: str(directory / VENDOR_WSDL_FILES[service.name])
