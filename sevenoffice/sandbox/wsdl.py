"""Generate a WSDL 1.1 document (SOAP 1.1 binding only) for a contract ``Service``."""

from __future__ import annotations

from lxml import etree

from .schema import GUID, MS_TYPES_NS, XSD_NS, ComplexType, Enumeration, Field, Service

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP_HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"
GUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def _qualified_type(field: Field) -> str:
    if field.type == GUID:
        return f"s1:{GUID}"
    if field.is_builtin:
        return f"s:{field.type}"
    return f"tns:{field.type}"


def _sequence(complex_type: etree._Element, fields: tuple[Field, ...]) -> None:
    sequence = etree.SubElement(complex_type, f"{{{XSD_NS}}}sequence")
    for field in fields:
        attributes = {
            "minOccurs": str(field.min_occurs),
            "maxOccurs": "unbounded" if field.unbounded else "1",
            "name": field.name,
        }
        if field.nillable:
            attributes["nillable"] = "true"
        if field.type != "anyType":  # an untyped element is xs:anyType, as in the vendor schema
            attributes["type"] = _qualified_type(field)
        etree.SubElement(sequence, f"{{{XSD_NS}}}element", attributes)


def _schema(service: Service, types_element: etree._Element) -> None:
    schema = etree.SubElement(
        types_element,
        f"{{{XSD_NS}}}schema",
        elementFormDefault="qualified",
        targetNamespace=service.namespace,
    )
    if service.uses_guid:
        etree.SubElement(schema, f"{{{XSD_NS}}}import", namespace=MS_TYPES_NS)
    for operation in service.operations.values():
        for wrapper in (operation.request, operation.response):
            element = etree.SubElement(schema, f"{{{XSD_NS}}}element", name=wrapper.name)
            _sequence(etree.SubElement(element, f"{{{XSD_NS}}}complexType"), wrapper.fields)
    for type_def in service.types.values():
        if isinstance(type_def, ComplexType):
            _sequence(etree.SubElement(schema, f"{{{XSD_NS}}}complexType", name=type_def.name), type_def.fields)
        elif isinstance(type_def, Enumeration):
            simple = etree.SubElement(schema, f"{{{XSD_NS}}}simpleType", name=type_def.name)
            restriction = etree.SubElement(simple, f"{{{XSD_NS}}}restriction", base="s:string")
            for value in type_def.values:
                etree.SubElement(restriction, f"{{{XSD_NS}}}enumeration", value=value)
    if service.uses_guid:
        ms_schema = etree.SubElement(
            types_element, f"{{{XSD_NS}}}schema", elementFormDefault="qualified", targetNamespace=MS_TYPES_NS
        )
        simple = etree.SubElement(ms_schema, f"{{{XSD_NS}}}simpleType", name=GUID)
        restriction = etree.SubElement(simple, f"{{{XSD_NS}}}restriction", base="s:string")
        etree.SubElement(restriction, f"{{{XSD_NS}}}pattern", value=GUID_PATTERN)


def generate_wsdl(service: Service, base_url: str) -> bytes:
    """The service's WSDL with ``soap:address`` pointing at ``base_url`` + the vendor path."""
    nsmap = {"wsdl": WSDL_NS, "soap": WSDL_SOAP_NS, "s": XSD_NS, "tns": service.namespace}
    if service.uses_guid:
        nsmap["s1"] = MS_TYPES_NS
    definitions = etree.Element(f"{{{WSDL_NS}}}definitions", nsmap=nsmap, targetNamespace=service.namespace)
    _schema(service, etree.SubElement(definitions, f"{{{WSDL_NS}}}types"))

    for operation in service.operations:
        for suffix, element in (("SoapIn", operation), ("SoapOut", f"{operation}Response")):
            message = etree.SubElement(definitions, f"{{{WSDL_NS}}}message", name=f"{operation}{suffix}")
            etree.SubElement(message, f"{{{WSDL_NS}}}part", name="parameters", element=f"tns:{element}")

    port_type = etree.SubElement(definitions, f"{{{WSDL_NS}}}portType", name=service.binding_name)
    for operation in service.operations:
        op = etree.SubElement(port_type, f"{{{WSDL_NS}}}operation", name=operation)
        etree.SubElement(op, f"{{{WSDL_NS}}}input", message=f"tns:{operation}SoapIn")
        etree.SubElement(op, f"{{{WSDL_NS}}}output", message=f"tns:{operation}SoapOut")

    binding = etree.SubElement(
        definitions, f"{{{WSDL_NS}}}binding", name=service.binding_name, type=f"tns:{service.binding_name}"
    )
    etree.SubElement(binding, f"{{{WSDL_SOAP_NS}}}binding", transport=SOAP_HTTP_TRANSPORT)
    for operation in service.operations:
        op = etree.SubElement(binding, f"{{{WSDL_NS}}}operation", name=operation)
        etree.SubElement(
            op, f"{{{WSDL_SOAP_NS}}}operation", soapAction=service.soap_action(operation), style="document"
        )
        for direction in ("input", "output"):
            etree.SubElement(etree.SubElement(op, f"{{{WSDL_NS}}}{direction}"), f"{{{WSDL_SOAP_NS}}}body", use="literal")

    wsdl_service = etree.SubElement(definitions, f"{{{WSDL_NS}}}service", name=service.name)
    port = etree.SubElement(
        wsdl_service, f"{{{WSDL_NS}}}port", name=service.binding_name, binding=f"tns:{service.binding_name}"
    )
    etree.SubElement(port, f"{{{WSDL_SOAP_NS}}}address", location=f"{base_url.rstrip('/')}{service.path}")
    return etree.tostring(definitions, xml_declaration=True, encoding="utf-8", pretty_print=True)
