"""ProductService: products and product categories (research section 5)."""

from __future__ import annotations

from typing import Any

from ..contract import PRODUCT
from ..state import ClientData, utc_now
from .base import CallContext, operation
from .records import RecordError, check_lengths, matches, save_each, select_properties, upsert

PRODUCT_LENGTH_CAPS = {"No": 100, "Name": 125, "Description": 500, "EAN1": 50}


def _save_product(data: ClientData, product: dict[str, Any]) -> dict[str, Any]:
    check_lengths(product, PRODUCT_LENGTH_CAPS)
    category_id = product.get("CategoryId")
    if category_id is not None and category_id not in data.categories:
        raise RecordError(f"Category with Id {category_id} does not exist.", "NotFoundException")

    def create(fields: dict[str, Any]) -> dict[str, Any]:
        # A product always belongs to a category.
        if not fields.get("Name") or category_id is None:
            raise RecordError("A new product needs Name and CategoryId.")
        return {"StatusId": 1, **fields, "Id": data.next_id("product")}

    stored = upsert(data.products, product, kind="Product", create=create)
    stored["DateChanged"] = utc_now()
    return dict(stored)


@operation(PRODUCT, "SaveProducts", writes=True)
def save_products(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    data = ctx.data
    return {"SaveProductsResult": save_each(request.get("products") or [], lambda p: _save_product(data, p))}


def _matches(product: dict[str, Any], search: dict[str, Any]) -> bool:
    return matches(search, {
        "Id": lambda v: product["Id"] == v,
        "CategoryId": lambda v: product.get("CategoryId") == v,
        "No": lambda v: product.get("No") == v,
        "EAN1": lambda v: product.get("EAN1") == v,
        "Name": lambda v: v.lower() in (product.get("Name") or "").lower(),
        "Price": lambda v: product.get("Price") == v,
        "DateChanged": lambda v: product["DateChanged"] > v,
        "ProductIds": lambda v: product["Id"] in v,
    })


@operation(PRODUCT, "GetProducts")
def get_products(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    search = request.get("searchParams") or {}
    found = [p for p in ctx.data.products.values() if _matches(p, search)]
    return {"GetProductsResult": [select_properties(p, request.get("returnProperties")) for p in found]}


def _save_category(data: ClientData, category: dict[str, Any]) -> dict[str, Any]:
    check_lengths(category, {"Name": 100, "No": 50})
    parent_id = category.get("ParentId")
    if parent_id is not None and parent_id not in data.categories:
        raise RecordError(f"Parent category with Id {parent_id} does not exist.", "NotFoundException")

    def create(fields: dict[str, Any]) -> dict[str, Any]:
        if not fields.get("Name"):
            raise RecordError("A new category needs a Name.")
        return {**fields, "Id": data.next_id("category", first=max(data.categories, default=0) + 1)}

    return dict(upsert(data.categories, category, kind="Category", create=create))


@operation(PRODUCT, "SaveCategories", writes=True)
def save_categories(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    data = ctx.data
    return {"SaveCategoriesResult": save_each(request.get("categories") or [], lambda c: _save_category(data, c))}


@operation(PRODUCT, "GetCategories")
def get_categories(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    properties = request.get("returnProperties")
    return {"GetCategoriesResult": [select_properties(c, properties) for c in ctx.data.categories.values()]}
