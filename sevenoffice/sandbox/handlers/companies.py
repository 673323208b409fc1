"""CompanyService: customers and suppliers (research section 4)."""

from __future__ import annotations

import math
from typing import Any

from ..contract import COMPANY
from ..reference import FIRST_CUSTOMER_NUMBER
from ..state import ClientData, utc_now
from .base import CallContext, operation
from .records import RecordError, check_lengths, matches, merge, save_each, select_properties

LENGTH_CAPS = {
    "OrganizationNumber": 20, "Name": 200, "FirstName": 50, "NickName": 200, "Url": 255,
    "Country": 2, "InvoiceLanguage": 2,
}
SYNC_PAGE_SIZE = 1000


def save_company(data: ClientData, company: dict[str, Any]) -> dict[str, Any]:
    """Create or update one company; raises RecordError for this record only."""
    check_lengths(company, LENGTH_CAPS)
    now = utc_now()
    company_id = company.get("Id")
    fields = {k: v for k, v in company.items() if k not in ("APIException", "ExplicitlySpecifyNewCompanyId")}
    if company_id is not None and company_id in data.companies:
        stored = merge(data.companies[company_id], fields, skip=("DateCreated",))
    elif company_id is not None and not company.get("ExplicitlySpecifyNewCompanyId"):
        raise RecordError(f"Company with Id {company_id} does not exist.", "NotFoundException")
    else:
        if not company.get("Name"):
            raise RecordError("Name is required for a new company.")
        if company_id is None:
            company_id = data.next_id("company", first=FIRST_CUSTOMER_NUMBER)
            while company_id in data.companies:  # explicitly chosen ids may sit in the series
                company_id = data.next_id("company", first=FIRST_CUSTOMER_NUMBER)
        stored = {**fields, "Id": company_id, "Type": company.get("Type") or "Business", "DateCreated": now}
    stored["DateChanged"] = now
    data.companies[company_id] = stored
    return dict(stored)


@operation(COMPANY, "SaveCompanies", writes=True)
def save_companies(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    data = ctx.data
    return {"SaveCompaniesResult": save_each(request.get("companies") or [], lambda c: save_company(data, c))}


def _emails(company: dict[str, Any]) -> set[str]:
    return {
        (entry.get("Value") or "").lower()
        for entry in (company.get("EmailAddresses") or {}).values()
        if isinstance(entry, dict)
    }


def _phones(company: dict[str, Any]) -> set[str]:
    return {
        (entry.get("Value") or "").replace(" ", "")
        for entry in (company.get("PhoneNumbers") or {}).values()
        if isinstance(entry, dict)
    }


def _matches(company: dict[str, Any], search: dict[str, Any]) -> bool:
    return matches(search, {
        "ExternalId": lambda v: company.get("ExternalId") == v,
        "CompanyId": lambda v: company["Id"] == v,
        "CompanyIds": lambda v: company["Id"] in v,
        # Name search is a plain case-insensitive "contains" (no wildcards), inferred.
        "CompanyName": lambda v: v.lower() in (company.get("Name") or "").lower(),
        "ChangedAfter": lambda v: company["DateChanged"] > v,
        "CompanyEmail": lambda v: v.lower() in _emails(company),
        "CompanyPhone": lambda v: v.replace(" ", "") in _phones(company),
        "OrganizationNumber": lambda v: (company.get("OrganizationNumber") or "").replace(" ", "") == v.replace(" ", ""),
    })


@operation(COMPANY, "GetCompanies")
def get_companies(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    search = request.get("searchParams") or {}
    properties = [p for p in request.get("returnProperties") or [] if p != "APIException"]
    found = [c for c in ctx.data.companies.values() if _matches(c, search)]
    return {"GetCompaniesResult": [select_properties(c, properties) for c in found]}


@operation(COMPANY, "GetCompanySyncList")
def get_company_sync_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    params = request.get("syncSearchParameters") or {}
    active = params.get("Active")
    items = [
        {
            "CompanyId": c["Id"],
            "ExternalId": c.get("ExternalId"),
            "DateChanged": c["DateChanged"],
            "DateRegistered": c["DateCreated"],
            "Active": c.get("Status") != 0,
        }
        for c in sorted(ctx.data.companies.values(), key=lambda c: c["Id"])
        if (params.get("ChangedAfter") is None or c["DateChanged"] > params["ChangedAfter"])
        and (params.get("RegisteredAfter") is None or c["DateCreated"] > params["RegisteredAfter"])
    ]
    if active is not None:
        items = [i for i in items if i["Active"] == active]
    page = max(params.get("Page") or 1, 1)
    return {
        "GetCompanySyncListResult": {
            "CurrentPage": page,
            "TotalPages": max(math.ceil(len(items) / SYNC_PAGE_SIZE), 1),
            "TotalItems": len(items),
            "ItemsPerPage": SYNC_PAGE_SIZE,
            "Items": items[(page - 1) * SYNC_PAGE_SIZE: page * SYNC_PAGE_SIZE],
        }
    }
