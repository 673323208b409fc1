"""Repeating-invoice agreements: create or update by order id, compare, apply many at once.

An agreement travels between the API, the UI and the spreadsheet as a *spec*: a dict of the
header's model fields (foreign keys as ``customer_id``, ``department_id``, ``project_id``)
plus ``order_id`` and ``lines``, a list of dicts of RepeatingLine fields. Every write goes
through one transaction, so a bad agreement or sheet leaves nothing half-saved.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from exports.models import RepeatingAgreement, RepeatingLine
from tenants.models import Tenant

HEADER_FIELDS = (
    "customer_id", "payment_days", "our_reference", "currency", "type_of_sale", "department_id", "project_id",
    "customer_reference", "invoice_text", "invoice_title", "delivery_name", "delivery_address", "delivery_zipcode",
    "delivery_ziparea", "delivery_city", "delivery_state", "delivery_country", "delivery_phone",
    "delivery_alternative",
)
LINE_FIELDS = (
    "position", "product_id", "product_number", "name", "quantity", "discount", "price", "price_is_fixed",
    "next_date", "factor", "frequency", "type_of_sale",
)
HEADER_DEFAULTS = {name: "" for name in HEADER_FIELDS} | {
    "customer_id": None, "payment_days": None, "type_of_sale": None, "department_id": None, "project_id": None,
}
LINE_DEFAULTS = {"product_id": None, "product_number": "", "discount": Decimal("0"), "price": None,
                 "price_is_fixed": False, "factor": 1, "type_of_sale": None}
APPLY_BATCH = 2000


class AgreementInvalid(Exception):
    """The spec breaks a rule of the hub's; ``problems`` are (line index or None, field, message)."""

    def __init__(self, problems: list[tuple[int | None, str, str]]):
        super().__init__("; ".join(message for _, _, message in problems))
        self.problems = problems


def spec_normalise(spec: dict) -> dict:
    """Defaults filled in, values as the model keeps them ("2" -> Decimal, "2026-01-31" ->
    date, so comparisons hold), and lines numbered 1..n in their order (a given position
    sorts them)."""
    header = {name: _typed(RepeatingAgreement, name, spec.get(name, HEADER_DEFAULTS[name])) for name in HEADER_FIELDS}
    for name, default in HEADER_DEFAULTS.items():
        if header[name] is None and default == "":
            header[name] = ""
    lines = [LINE_DEFAULTS | {k: _typed(RepeatingLine, k, v) for k, v in line.items() if v is not None}
             for line in spec["lines"]]
    ordered = sorted(enumerate(lines), key=lambda pair: (pair[1].get("position") or 0, pair[0]))
    numbered = [{**line, "position": n} for n, (_, line) in enumerate(ordered, start=1)]
    return {"order_id": spec["order_id"], **header, "lines": numbered}


def _typed(model, name, value):
    return model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") and name != "product_id"
                                 else name).to_python(value)


def spec_problems(spec: dict) -> list[tuple[int | None, str, str]]:
    """The hub's rules beyond single values: lines exist, a new product has a price, line orders
    differ. Indexes are those of the lines as given (before spec_normalise sorts them)."""
    problems = []
    if not spec["lines"]:
        problems.append((None, "lines", "An agreement needs at least one line."))
    seen = {}
    for index, line in enumerate(spec["lines"]):
        if line.get("product_id") is None and not line.get("product_number") and line.get("price") is None:
            problems.append((index, "price", "With neither product id nor product number, 24SevenOffice creates a "
                                             "product from the name and price: give the price."))
        position = line.get("position")
        if position is not None:
            if position in seen:
                problems.append((index, "position", f"Line order {position} is used twice."))
            seen[position] = index
    return problems


def spec_of(agreement: RepeatingAgreement) -> dict:
    """The spec an agreement would be saved from (lines must be prefetched or are fetched)."""
    return {
        "order_id": agreement.order_id,
        **{name: getattr(agreement, name) for name in HEADER_FIELDS},
        "lines": [{name: getattr(line, name) for name in LINE_FIELDS} for line in agreement.lines.all()],
    }


def _differences(agreement: RepeatingAgreement, spec: dict) -> list[str]:
    changed = [name.removesuffix("_id") for name in HEADER_FIELDS if getattr(agreement, name) != spec[name]]
    current = [tuple(getattr(line, name) for name in LINE_FIELDS) for line in agreement.lines.all()]
    wanted = [tuple(line[name] for name in LINE_FIELDS) for line in spec["lines"]]
    if current != wanted:
        changed.append("lines")
    return changed


@transaction.atomic
def agreement_save(*, tenant: Tenant, spec: dict) -> tuple[RepeatingAgreement, bool]:
    """Create or update one agreement by its order id; its lines are replaced as given."""
    if problems := spec_problems(spec):
        raise AgreementInvalid(problems)
    spec = spec_normalise(spec)
    summary = _apply(tenant, [spec])
    agreement = RepeatingAgreement.objects.get(tenant=tenant, order_id=spec["order_id"])
    return agreement, bool(summary.created)


@dataclass
class ApplySummary:
    created: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # {"order_id", "fields"}
    unchanged: int = 0
    lines: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "changed": self.changed, "unchanged": self.unchanged,
                "agreements": len(self.created) + len(self.changed) + self.unchanged, "lines": self.lines}


def agreements_preview(*, tenant: Tenant, specs: list[dict]) -> ApplySummary:
    """What agreements_apply would create and change, without writing anything."""
    return _compare(tenant, [spec_normalise(s) for s in specs], lock=False)[0]


@transaction.atomic
def agreements_apply(*, tenant: Tenant, specs: list[dict]) -> ApplySummary:
    """Create or update many agreements in one transaction: all of them or none."""
    problems = [p for spec in specs for p in spec_problems(spec)]
    if problems:
        raise AgreementInvalid(problems)
    return _apply(tenant, [spec_normalise(s) for s in specs])


def _compare(tenant, specs, lock):
    summary = ApplySummary(lines=sum(len(s["lines"]) for s in specs))
    existing: dict[str, RepeatingAgreement] = {}
    order_ids = [s["order_id"] for s in specs]
    for start in range(0, len(order_ids), APPLY_BATCH):
        queryset = RepeatingAgreement.objects.filter(tenant=tenant, order_id__in=order_ids[start:start + APPLY_BATCH])
        if lock:
            queryset = queryset.select_for_update()
        for agreement in queryset.prefetch_related("lines"):
            existing[agreement.order_id] = agreement
    changes = []
    for spec in specs:
        agreement = existing.get(spec["order_id"])
        if agreement is None:
            summary.created.append(spec["order_id"])
            changes.append((spec, None, None))
        elif fields := _differences(agreement, spec):
            summary.changed.append({"order_id": spec["order_id"], "fields": fields})
            changes.append((spec, agreement, fields))
        else:
            summary.unchanged += 1
    return summary, changes


def _apply(tenant, specs) -> ApplySummary:
    summary, changes = _compare(tenant, specs, lock=True)
    new = [RepeatingAgreement(tenant=tenant, order_id=spec["order_id"], **{n: spec[n] for n in HEADER_FIELDS})
           for spec, agreement, _ in changes if agreement is None]
    for start in range(0, len(new), APPLY_BATCH):
        RepeatingAgreement.objects.bulk_create(new[start:start + APPLY_BATCH])
    saved = {a.order_id: a for a in new}
    updated, now = [], timezone.now()
    for spec, agreement, _ in changes:
        if agreement is None:
            continue
        for name in HEADER_FIELDS:
            setattr(agreement, name, spec[name])
        agreement.updated_at = now
        updated.append(agreement)
        saved[agreement.order_id] = agreement
    if updated:
        RepeatingAgreement.objects.bulk_update(updated, [*HEADER_FIELDS, "updated_at"], batch_size=APPLY_BATCH)
        RepeatingLine.objects.filter(agreement__in=[a.pk for a in updated]).delete()
    if new and saved[new[0].order_id].pk is None:  # databases that do not return ids from bulk inserts
        ids = dict(RepeatingAgreement.objects.filter(tenant=tenant, order_id__in=[a.order_id for a in new])
                   .values_list("order_id", "pk"))
        for agreement in new:
            agreement.pk = ids[agreement.order_id]
    lines = (RepeatingLine(agreement=saved[spec["order_id"]], **line)
             for spec, _, _ in changes for line in spec["lines"])
    RepeatingLine.objects.bulk_create(lines, batch_size=APPLY_BATCH)
    return summary
