"""Between the hub's records and 24SO's ids, for the repeating-invoice sheet.

The sheet speaks 24SO's ids (customer number, department id, project id, product id or
number); the hub keeps customers and projects as its own records, linked to 24SO through
SevenOfficeBinding, and departments through Department.sevenoffice_department_id. The sheet
is for one 24SO client: the tenant's first (the one whose customer numbers the API shows).

Reading a sheet asks the hub first; what the hub does not know is looked up in 24SO, with
one call per kind at most, when the tenant has a credential.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from exports.models import BindingKind, Customer, InvoiceLine, Project, RepeatingLine, SevenOfficeBinding
from exports.sync import client_for, known_identity_order
from sevenoffice.errors import SevenOfficeError
from tenants.models import Department, Tenant

log = logging.getLogger(__name__)
LOOKUP_TIMEOUT = 10  # seconds per 24SO call while a sheet is being checked
EARLY = date(2000, 1, 1)  # "changed after" that lists every product
MAX_PLACES_PER_VALUE = 20  # an unknown value on 50,000 rows is reported on the first few


def sheet_identity(tenant: Tenant) -> str | None:
    """The 24SO client the sheet is for: the tenant's first, else the one its bindings name."""
    order = known_identity_order(tenant)
    if order:
        return order[0]
    identity = (SevenOfficeBinding.objects.filter(tenant=tenant, sevenoffice_id__isnull=False)
                .order_by("pk").values_list("identity_id", flat=True).first())
    return str(identity) if identity else None


def _bindings(tenant, identity, kind):
    rows = SevenOfficeBinding.objects.filter(tenant=tenant, kind=kind, sevenoffice_id__isnull=False)
    return rows.filter(identity_id=identity) if identity else rows


def sevenoffice_numbers(tenant: Tenant, kind: str, record_ids) -> dict[int, int]:
    """Hub record id -> its id in the sheet's 24SO client, for customers or projects."""
    rows = _bindings(tenant, sheet_identity(tenant), kind).filter(key__in=[str(pk) for pk in record_ids])
    return {int(key): number for key, number in rows.values_list("key", "sevenoffice_id")}


@dataclass
class Place:
    row: int
    column: str


@dataclass
class Lookup:
    """Every customer, department, project and product a sheet names, and where."""

    tenant: Tenant
    wanted: dict[str, dict] = field(default_factory=lambda: {k: {} for k in KINDS})

    def note(self, kind: str, value, place: Place) -> None:
        places = self.wanted[kind].setdefault(value, [])
        if len(places) < MAX_PLACES_PER_VALUE:
            places.append(place)

    def resolve(self) -> tuple[dict[str, dict], list[tuple[Place, str]]]:
        """(kind -> {sheet value -> hub record id or the value itself}, problems by place)."""
        identity = sheet_identity(self.tenant)
        remote = RemoteLookup(self.tenant)
        found, problems = {}, []
        for kind, resolver in KINDS.items():
            values = self.wanted[kind]
            if not values:
                found[kind] = {}
                continue
            found[kind], unknown = resolver(self.tenant, identity, remote, set(values))
            for value, message in sorted(unknown.items(), key=lambda pair: str(pair[0])):
                problems.extend((place, message) for place in values[value])
        return found, problems


class RemoteLookup:
    """24SO calls for the values the hub does not know, through the tenant's first credential."""

    def __init__(self, tenant):
        self.credential = tenant.credentials.order_by("-all_departments", "pk").first()
        self.client = None
        self.failure = None

    def ask(self, call):
        """The call's answer, or None when there is no credential or 24SO could not be asked."""
        if self.credential is None or self.failure is not None:
            return None
        if self.client is None:
            self.client = client_for(self.credential, timeout=LOOKUP_TIMEOUT)
        try:
            return call(self.client)
        except SevenOfficeError as exc:
            log.warning("repeating sheet: 24SO lookup failed: %s", exc)
            self.failure = str(exc)
            return None

    def not_found(self, what: str, answer) -> str:
        if answer is not None:
            return f"{what} is unknown to 24SevenOffice."
        if self.failure:
            return f"{what} is unknown to the hub, and 24SevenOffice could not be asked ({self.failure})."
        return f"{what} is unknown to the hub."


def _ask_24so(remote, missing, call, what, not_linked=None) -> tuple[set, dict]:
    """Look the values the hub does not know up in 24SO with one call: (found there, problems).

    With `not_linked`, being in 24SO is not enough (the hub needs its own record) and says why."""
    if not missing:
        return set(), {}
    answer = remote.ask(call)
    found = {n for n in missing if answer is not None and n in answer}
    problems = {n: remote.not_found(f"{what} {n}", answer) for n in missing if n not in found}
    if not_linked:
        problems |= {n: f"{what} {n} is in 24SevenOffice but {not_linked}" for n in found}
    return found, problems


def _bound_records(tenant, identity, kind, model, numbers) -> dict[int, int]:
    """24SO id -> hub record id, for the ids the sheet's client has bindings of."""
    keys = dict(_bindings(tenant, identity, kind).filter(sevenoffice_id__in=numbers).values_list("sevenoffice_id", "key"))
    existing = set(model.objects.filter(tenant=tenant, pk__in=[int(k) for k in keys.values()]).values_list("pk", flat=True))
    return {n: int(key) for n, key in keys.items() if int(key) in existing}


def _customers(tenant, identity, remote, numbers):
    found = _bound_records(tenant, identity, BindingKind.CUSTOMER, Customer, numbers)
    _, unknown = _ask_24so(
        remote, sorted(numbers - set(found)),
        lambda c: {x.id for x in c.get_companies(company_ids=numbers - set(found), return_properties=["Id"])},
        "Customer", "linked to no customer of the hub: add the customer to the hub and let it sync first.",
    )
    return found, unknown


def _departments(tenant, identity, remote, ids):
    found = dict(Department.objects.filter(tenant=tenant, sevenoffice_department_id__in=ids)
                 .values_list("sevenoffice_department_id", "pk"))
    _, unknown = _ask_24so(
        remote, sorted(ids - set(found)), lambda c: {d.id for d in c.get_departments()},
        "Department", "no department of the hub is linked to it: set it as a department's 24SevenOffice id first.",
    )
    return found, unknown


def _projects(tenant, identity, remote, ids):
    found = _bound_records(tenant, identity, BindingKind.PROJECT, Project, ids)
    missing = sorted(ids - set(found))
    _, unknown = _ask_24so(
        remote, missing, lambda c: {p.id for p in c.get_projects(project_ids=missing)},
        "Project", "linked to no project of the hub: add the project to the hub and let it sync first.",
    )
    return found, unknown


def _product_ids(tenant, identity, remote, ids):
    known = set(_bindings(tenant, identity, BindingKind.PRODUCT).filter(sevenoffice_id__in=ids)
                .values_list("sevenoffice_id", flat=True))
    known |= set(RepeatingLine.objects.filter(agreement__tenant=tenant, product_id__in=ids)
                 .values_list("product_id", flat=True))
    missing = sorted(ids - known)
    in_24so, unknown = _ask_24so(remote, missing, lambda c: {p.id for p in c.get_products(product_ids=missing)},
                                 "Product id")
    return {n: n for n in known | in_24so}, unknown


def _product_numbers(tenant, identity, remote, numbers):
    known = set(_bindings(tenant, identity, BindingKind.PRODUCT).filter(key__in=numbers)
                .values_list("key", flat=True))
    for model, lookup in ((InvoiceLine, "invoice__tenant"), (RepeatingLine, "agreement__tenant")):
        known |= set(model.objects.filter(**{lookup: tenant, "product_number__in": numbers - known})
                     .values_list("product_number", flat=True).distinct())
    # GetProducts filters by one number at a time; one listing answers them all.
    in_24so, unknown = _ask_24so(
        remote, sorted(numbers - known),
        lambda c: {p.no for p in c.get_products(changed_after=EARLY, return_properties=["Id", "No"])},
        "Product number",
    )
    return {n: n for n in known | in_24so}, unknown


KINDS = {
    "customer": _customers,
    "department": _departments,
    "project": _projects,
    "product_id": _product_ids,
    "product_number": _product_numbers,
}
