"""24SO products and product categories the hub finds by name, or creates, once per client.

Used by the export: the category the hub places its products in, and the one generic product
every order row uses when the tenant sends orders with a generic product (e.g. "Rental").
Lookups and creates go through exports.bindings, so concurrent workers never create a second
product or category, and a found id is cached on the binding for later chunks.
"""

from exports import bindings
from exports.models import BindingKind
from sevenoffice import errors as so_errors
from sevenoffice.types import Product, ProductCategory


def category_id_for(client, tenant, identity_id, name: str) -> int:
    """The id of the product category called `name` in this client, created when missing."""

    def lookup(keys):
        return {c.name: c.id for c in client.get_product_categories() if c.name in keys and c.id}

    def make(keys):
        return ids_or_errors(keys, client.save_product_categories([ProductCategory(name=k) for k in keys]))

    category_id = bindings.bindings_resolve(
        tenant=tenant, identity_id=identity_id, kind=BindingKind.PRODUCT_CATEGORY, keys=[name], lookup=lookup,
        create=make,
    )[name]
    if not isinstance(category_id, int):
        raise so_errors.RecordRejected(None, f"product category {name!r} could not be created: {category_id}")
    return category_id


def generic_product_id(client, tenant, identity_id, *, name: str, category: str) -> int | Exception:
    """The id of the product called `name` in this client; when 24SO has none, it is created in
    the category called `category` (which is created too when missing). The binding is keyed
    by the name, so a renamed setting looks up (or creates) the product under its new name."""

    def lookup(keys):
        found = _by_name(client.get_products(name=name), name)
        return {name: found.id} if found is not None else {}

    def make(keys):
        category_id = category_id_for(client, tenant, identity_id, category)
        return ids_or_errors(keys, client.save_products([Product(name=name, category_id=category_id)]))

    try:
        return bindings.bindings_resolve(
            tenant=tenant, identity_id=identity_id, kind=BindingKind.GENERIC_PRODUCT, keys=[name], lookup=lookup,
            create=make,
        )[name]
    except so_errors.RecordRejected as exc:  # its category was refused: the product cannot exist either
        return exc


def _by_name(products, name: str) -> Product | None:
    """The product called exactly `name` (24SO's Name search may match parts of names);
    ignoring case only when no exact match exists; an active one, the oldest, when several."""
    for same in (lambda p: p.name == name, lambda p: (p.name or "").casefold() == name.casefold()):
        matches = [p for p in products if p.id is not None and same(p)]
        if matches:
            return min(matches, key=lambda p: (p.status_id == 0, p.id))
    return None


def ids_or_errors(keys, results) -> dict[str, int | Exception]:
    """A Save* call's results by key: the new id, or 24SO's per-record rejection."""
    return {
        key: result.record.id if result.ok else so_errors.RecordRejected(result.error.type, result.error.message)
        for key, result in zip(keys, results)
    }
