"""Building blocks for describing an ASMX SOAP service: fields, types, operations, services.

A field is written in a one-line notation so the contract reads like the vendor's schema:
``"Name type"`` plus optional markers ``!`` (minOccurs=1), ``*`` (maxOccurs=unbounded) and
``?`` (nillable), e.g. ``"IncludeVAT boolean!?"`` or ``"InvoiceOrder InvoiceOrder*?"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEBSERVICES_NS = "http://24sevenOffice.com/webservices"
ACCOUNTING_NS = "http://24sevenoffice.com/webservices/economy/accounting/"
MS_TYPES_NS = "http://microsoft.com/wsdl/types/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"

# Types that live in the XML Schema namespace; "guid" is the ASMX pattern type in MS_TYPES_NS.
XSD_BUILTINS = frozenset(
    "string int long short boolean decimal double dateTime date base64Binary unsignedByte anyType".split()
)
GUID = "guid"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    min_occurs: int = 0
    unbounded: bool = False
    nillable: bool = False

    @classmethod
    def parse(cls, text: str) -> Field:
        name, type_spec = text.split()
        type_name = type_spec.rstrip("!*?")
        markers = type_spec[len(type_name):]
        return cls(
            name=name,
            type=type_name,
            min_occurs=1 if "!" in markers else 0,
            unbounded="*" in markers,
            nillable="?" in markers,
        )

    @property
    def is_builtin(self) -> bool:
        return self.type in XSD_BUILTINS or self.type == GUID


@dataclass(frozen=True)
class ComplexType:
    name: str
    fields: tuple[Field, ...]

    @property
    def item_field(self) -> Field | None:
        """The repeated element of an ``ArrayOfX`` wrapper (one unbounded child), else None."""
        if len(self.fields) == 1 and self.fields[0].unbounded:
            return self.fields[0]
        return None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Enumeration:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    name: str
    request: ComplexType  # the body element named after the operation
    response: ComplexType  # the body element "<Op>Response"


@dataclass(frozen=True)
class Service:
    name: str
    host: str  # "api" or "webservices": which vendor host serves it
    path: str
    namespace: str
    types: dict[str, ComplexType | Enumeration]
    operations: dict[str, Operation] = field(default_factory=dict)

    @property
    def binding_name(self) -> str:
        return f"{self.name}Soap"

    def soap_action(self, operation: str) -> str:
        # The accounting namespace already ends in "/", the others do not.
        separator = "" if self.namespace.endswith("/") else "/"
        return f"{self.namespace}{separator}{operation}"

    @property
    def uses_guid(self) -> bool:
        every_type = [*self.types.values(), *(t for op in self.operations.values() for t in (op.request, op.response))]
        return any(
            f.type == GUID for t in every_type if isinstance(t, ComplexType) for f in t.fields
        )


def parse_fields(text: str) -> tuple[Field, ...]:
    return tuple(Field.parse(part) for part in text.split(",") if part.strip())


def types(**definitions: str | Enumeration) -> dict[str, ComplexType | Enumeration]:
    """Complex types as field strings, enumerations as ``enum(...)``, keyed by type name."""
    out: dict[str, ComplexType | Enumeration] = {}
    for name, definition in definitions.items():
        if isinstance(definition, Enumeration):
            out[name] = Enumeration(name, definition.values)
        else:
            out[name] = ComplexType(name, parse_fields(definition))
    return out


def enum(values: str) -> Enumeration:
    return Enumeration("", tuple(values.split()))


def operations(**definitions: tuple[str, str]) -> dict[str, Operation]:
    """Operation name -> (request element fields, response element fields)."""
    return {
        name: Operation(
            name=name,
            request=ComplexType(name, parse_fields(request)),
            response=ComplexType(f"{name}Response", parse_fields(response)),
        )
        for name, (request, response) in definitions.items()
    }
