"""SOAP 1.1 envelopes <-> plain Python values, driven by the contract.

Requests become dicts (complex types), lists (``ArrayOfX`` wrappers) and scalars (int, str,
bool, Decimal, datetime, date, bytes). Missing elements, ``xsi:nil`` and the .NET MinValue
sentinels all read as None, because the vendor treats them alike as "not set". Responses are
written in the contract's sequence order and leave out every None, as the vendor's serializer
drops members that hold their default.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from lxml import etree

from .schema import GUID, ComplexType, Enumeration, Field, Service

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# .NET MinValue defaults the vendor uses to mean "not set" on input.
_SENTINELS = {
    "int": -2147483648,
    "short": -32768,
    "long": -9223372036854775808,
    "decimal": Decimal("-79228162514264337593543950335"),
    "double": -1.7976931348623157e308,
}
_ZERO_GUID = "00000000-0000-0000-0000-000000000000"
_PLAIN_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INTEGER_TYPES = {"int", "short", "long", "unsignedByte"}


class RequestFormatError(ValueError):
    """The request body cannot be read (the vendor answers these with a soap:Client fault)."""


def parse_envelope(body: bytes) -> etree._Element:
    """Return the first child of soap:Body."""
    try:
        envelope = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise RequestFormatError(f"There is an error in the XML document: {exc}") from None
    soap_body = envelope.find(f"{{{SOAP_ENV_NS}}}Body")
    if soap_body is None or len(soap_body) == 0:
        raise RequestFormatError("The SOAP envelope has no Body element.")
    return soap_body[0]


def read_element(service: Service, complex_type: ComplexType, element: etree._Element) -> dict[str, Any]:
    """Read the children of ``element`` as the fields of ``complex_type`` (any order is accepted)."""
    values: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        field = complex_type.field(etree.QName(child).localname)
        if field is None:
            continue  # unknown elements are ignored, like the vendor's XmlSerializer does
        value = _read_field(service, field, child)
        if field.unbounded:
            values.setdefault(field.name, []).append(value)
        else:
            values[field.name] = value
    return values


def _read_field(service: Service, field: Field, element: etree._Element) -> Any:
    if element.get(f"{{{XSI_NS}}}nil") in ("true", "1"):
        return None
    type_def = service.types.get(field.type)
    if isinstance(type_def, ComplexType):
        item = type_def.item_field
        if item is not None:
            return [v for v in read_element(service, type_def, element).get(item.name, []) if v is not None]
        return read_element(service, type_def, element)
    text = element.text or ""
    if isinstance(type_def, Enumeration):
        return text.strip() or None
    return read_scalar(field.type, text, field.name)


def read_scalar(xsd_type: str, text: str, name: str = "value") -> Any:
    """Convert element text of a built-in type; sentinels and empty values give None."""
    stripped = text.strip()
    if xsd_type == "string":
        return text or None
    if xsd_type == "anyType" or stripped == "":
        return None
    try:
        if xsd_type in _INTEGER_TYPES:
            value = int(stripped)
        elif xsd_type == "decimal":
            # Exponent forms such as 1e-05 are not valid xsd:decimal; the vendor refuses them.
            if not _PLAIN_DECIMAL.match(stripped):
                raise ValueError(stripped)
            value = Decimal(stripped)
        elif xsd_type == "double":
            value = float(stripped)
        elif xsd_type == "boolean":
            if stripped not in ("true", "false", "1", "0"):
                raise ValueError(stripped)
            return stripped in ("true", "1")
        elif xsd_type == "dateTime":
            value = parse_datetime(stripped)
            return None if value.year == 1 else value
        elif xsd_type == "date":
            value = date.fromisoformat(stripped[:10])
            return None if value.year == 1 else value
        elif xsd_type == GUID:
            if not re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", stripped):
                raise ValueError(stripped)
            return None if stripped == _ZERO_GUID else stripped.lower()
        elif xsd_type == "base64Binary":
            return base64.b64decode(stripped, validate=False)
        else:
            raise ValueError(f"unsupported type {xsd_type}")
    except ValueError:
        raise RequestFormatError(
            f"There is an error in the XML document: '{stripped}' is not a valid {xsd_type} value for {name}."
        ) from None
    return None if _SENTINELS.get(xsd_type) == value else value


def parse_datetime(text: str) -> datetime:
    """Parse an xsd:dateTime; offsets are converted to naive UTC (the sandbox keeps UTC)."""
    text = text.replace("Z", "+00:00")
    # Python < 3.11 style safety: trim fractions beyond microseconds.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def format_scalar(xsd_type: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if xsd_type == "decimal":
        return format(Decimal(value), "f")
    if xsd_type == "dateTime":
        if isinstance(value, datetime):
            return value.replace(microsecond=0).isoformat()
        return f"{value.isoformat()}T00:00:00"
    if xsd_type == "date":
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if xsd_type == "base64Binary":
        return base64.b64encode(value).decode("ascii")
    return str(value)


# Zero values for required elements the sandbox has nothing to say about.
_REQUIRED_DEFAULTS = {"boolean": False, "int": 0, "short": 0, "long": 0, "decimal": Decimal(0), "unsignedByte": 0}


def write_fields(service: Service, complex_type: ComplexType, values: dict[str, Any], parent: etree._Element) -> None:
    ns = service.namespace
    for field in complex_type.fields:
        value = values.get(field.name)
        if value is None and field.min_occurs and not field.nillable:
            value = _REQUIRED_DEFAULTS.get(field.type)
        if value is None:
            if field.min_occurs and field.nillable:
                etree.SubElement(parent, f"{{{ns}}}{field.name}", {f"{{{XSI_NS}}}nil": "true"})
            continue
        for item in value if field.unbounded else [value]:
            _write_value(service, field, item, etree.SubElement(parent, f"{{{ns}}}{field.name}"))


def _write_value(service: Service, field: Field, value: Any, element: etree._Element) -> None:
    type_def = service.types.get(field.type)
    if isinstance(type_def, ComplexType):
        item = type_def.item_field
        write_fields(service, type_def, {item.name: list(value)} if item else value, element)
    else:
        element.text = format_scalar(field.type, value)


def response_envelope(service: Service, operation: str, result: dict[str, Any]) -> bytes:
    envelope = etree.Element(f"{{{SOAP_ENV_NS}}}Envelope", nsmap={"soap": SOAP_ENV_NS, "xsi": XSI_NS})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV_NS}}}Body")
    wrapper = etree.SubElement(body, f"{{{service.namespace}}}{operation}Response", nsmap={None: service.namespace})
    write_fields(service, service.operations[operation].response, result, wrapper)
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def fault_envelope(code: str, message: str) -> bytes:
    """A SOAP 1.1 fault; ``code`` is "Client" (bad request) or "Server" (everything else)."""
    envelope = etree.Element(f"{{{SOAP_ENV_NS}}}Envelope", nsmap={"soap": SOAP_ENV_NS})
    fault = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP_ENV_NS}}}Body"), f"{{{SOAP_ENV_NS}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{code}"
    etree.SubElement(fault, "faultstring").text = message
    etree.SubElement(fault, "detail")
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
