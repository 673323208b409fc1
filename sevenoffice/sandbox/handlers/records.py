"""Per-record outcomes of the Save*/Update* operations.

The vendor answers a batch with every input item: saved ones carry their new ids, failed ones
carry an ``APIException`` while the rest of the batch still saves.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable


class RecordError(Exception):
    def __init__(self, message: str, type_: str = "ValidationException"):
        super().__init__(message)
        self.message = message
        self.type = type_


def save_each(items: Iterable[dict[str, Any]], save_one: Callable[[dict[str, Any]], dict[str, Any]]) -> list[dict]:
    results = []
    for item in items:
        try:
            results.append(save_one(item))
        except RecordError as exc:
            results.append({**item, "APIException": {"Type": exc.type, "Message": exc.message}})
    return results


def check_lengths(record: dict[str, Any], caps: dict[str, int]) -> None:
    for name, limit in caps.items():
        value = record.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise RecordError(f"{name} can not be longer than {limit} characters (was {len(value)}).")


def merge(existing: dict[str, Any], changes: dict[str, Any], *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Apply the fields that are set; unset fields leave the stored value unchanged."""
    skipped = set(skip)
    merged = dict(existing)
    merged.update({k: v for k, v in changes.items() if v is not None and k not in skipped})
    return merged


def matches(search: dict[str, Any], checks: dict[str, Callable[[Any], bool]]) -> bool:
    """True when every search parameter that is set passes its check."""
    return all(check(search[name]) for name, check in checks.items() if search.get(name) is not None)


def upsert(
    table: dict[int, dict], record: dict[str, Any], *, kind: str, create: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Update the stored record named by ``Id`` (which must exist) or store ``create(fields)``."""
    fields = {k: v for k, v in record.items() if k != "APIException"}
    record_id = fields.get("Id")
    if record_id is not None:
        if record_id not in table:
            raise RecordError(f"{kind} with Id {record_id} does not exist.", "NotFoundException")
        stored = merge(table[record_id], fields)
    else:
        stored = create(fields)
    table[stored["Id"]] = stored
    return stored


def select_properties(record: dict[str, Any], properties: list[str] | None) -> dict[str, Any]:
    """Keep only the requested return properties (``Addresses.Post`` keeps ``Addresses``);
    no list means everything."""
    if not properties:
        return dict(record)
    wanted = {p.split(".")[0].strip() for p in properties if p}
    return {k: v for k, v in record.items() if k in wanted}
