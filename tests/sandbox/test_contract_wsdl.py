"""Contract (a): each WSDL the sandbox serves is a faithful subset of the vendor's WSDL."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from sevenoffice.sandbox.contract import SERVICES

from .soap_clients import VENDOR_WSDL_FILES

pytestmark = pytest.mark.contract

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"


def _resolve(element: etree._Element, prefixed: str | None) -> str | None:
    if prefixed is None:
        return None
    prefix, _, local = prefixed.rpartition(":")
    return f"{{{element.nsmap.get(prefix or None)}}}{local}"


def _fields(container: etree._Element) -> list[tuple]:
    return [
        (e.get("name"), _resolve(e, e.get("type")), e.get("minOccurs", "1"), e.get("maxOccurs", "1"),
         e.get("nillable", "false"))
        for e in container.iterfind(f"{{{XS}}}sequence/{{{XS}}}element")
    ]


class WsdlFacts:
    """Types, wrapper elements, enumerations and SOAP 1.1 binding of one WSDL document."""

    def __init__(self, document: bytes):
        root = etree.fromstring(document)
        self.namespace = root.get("targetNamespace")
        schema = next(s for s in root.iter(f"{{{XS}}}schema") if s.get("targetNamespace") == self.namespace)
        self.complex_types = {c.get("name"): _fields(c) for c in schema.iterfind(f"{{{XS}}}complexType")}
        self.elements = {
            e.get("name"): _fields(e.find(f"{{{XS}}}complexType")) for e in schema.iterfind(f"{{{XS}}}element")
        }
        self.enumerations = {
            s.get("name"): [v.get("value") for v in s.iter(f"{{{XS}}}enumeration")]
            for s in schema.iterfind(f"{{{XS}}}simpleType")
        }
        binding = next(
            b for b in root.iterfind(f"{{{WSDL}}}binding") if b.find(f"{{{SOAP11}}}binding") is not None
        )
        self.binding_name = binding.get("name")
        self.soap_actions = {
            op.get("name"): op.find(f"{{{SOAP11}}}operation").get("soapAction")
            for op in binding.iterfind(f"{{{WSDL}}}operation")
        }
        service = root.find(f"{{{WSDL}}}service")
        self.service_name = service.get("name")
        location = service.find(f".//{{{SOAP11}}}address").get("location")
        self.path = "/" + location.split("//", 1)[1].split("/", 1)[1]


def _is_subsequence(ours: list, theirs: list) -> bool:
    remaining = iter(theirs)
    return all(item in remaining for item in ours)


@pytest.fixture(scope="module")
def served_wsdls(sandbox_server) -> dict[str, WsdlFacts]:
    out = {}
    for service in SERVICES:
        # Lower-case "wsdl" and a different path case must work too.
        response = requests.get(f"{sandbox_server.url}{service.path.upper()}?wsdl", timeout=10)
        assert response.status_code == 200, service.name
        out[service.name] = WsdlFacts(response.content)
    return out


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_served_wsdl_is_a_faithful_subset_of_the_vendor_wsdl(service, served_wsdls, vendor_wsdl_dir, sandbox_server):
    ours = served_wsdls[service.name]
    vendor = WsdlFacts((vendor_wsdl_dir / VENDOR_WSDL_FILES[service.name]).read_bytes())

    assert (ours.namespace, ours.service_name, ours.binding_name) == (
        vendor.namespace, vendor.service_name, vendor.binding_name)
    assert ours.path == vendor.path
    for name, fields in ours.complex_types.items():
        assert name in vendor.complex_types, f"type {name} is not in the vendor WSDL"
        assert _is_subsequence(fields, vendor.complex_types[name]), f"type {name} differs from the vendor's"
    for name, values in ours.enumerations.items():
        assert name in vendor.enumerations, f"enumeration {name} is not in the vendor WSDL"
        assert _is_subsequence(values, vendor.enumerations[name]), f"enumeration {name} differs"
    for operation in service.operations:
        for element in (operation, f"{operation}Response"):
            assert ours.elements[element] == vendor.elements[element], f"element {element} differs"
        assert ours.soap_actions[operation] == vendor.soap_actions[operation]


def test_every_served_wsdl_points_at_the_sandbox_itself(served_wsdls, sandbox_server):
    for service in SERVICES:
        wsdl = requests.get(f"{sandbox_server.url}{service.path}?WSDL", timeout=10).content
        location = etree.fromstring(wsdl).find(f".//{{{SOAP11}}}address").get("location")
        assert location == f"{sandbox_server.url}{service.path}"


def test_served_wsdls_cover_every_operation_the_hub_uses(served_wsdls):
    expected = {
        "Authenticate": {"Login", "HasSession", "GetIdentity", "GetIdentities", "SetIdentityById",
                         "GetIdentitiesWithCredential"},
        "InvoiceService": {"SaveInvoices", "GetInvoices", "GetOrderSyncList", "UpdateInvoices", "GetInvoiceDocument"},
        "CompanyService": {"SaveCompanies", "GetCompanies", "GetCompanySyncList"},
        "ProductService": {"GetProducts", "SaveProducts", "GetCategories", "SaveCategories"},
        "ProjectService": {"SaveProject", "GetProjectList", "GetProjectsDetailed", "GetSingleProject"},
        "AccountService": {"GetAccountList", "GetTaxCodeList", "GetTypeList", "GetEntryId", "SaveBundleList"},
        "TransactionService": {"GetTransactions", "GetFiscalYears", "GetTransactionTypes"},
        "AttachmentService": {"GetFileInfo", "GetSize", "DownloadChunk", "GetMaxRequestLength"},
        "ClientService": {"GetClientInformation", "GetDepartmentList", "GetVatTypeList", "GetTypeGroupList",
                          "GetCurrencyList", "GetUsers"},
    }
    assert {name: set(facts.soap_actions) for name, facts in served_wsdls.items()} == expected
