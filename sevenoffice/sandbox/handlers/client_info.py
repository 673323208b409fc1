"""ClientService: reference data of the current client (research section 9)."""

from __future__ import annotations

from typing import Any

from ..contract import CLIENT
from ..reference import CURRENCIES, DEPARTMENTS, TAX_CODES, TYPE_GROUPS, USERS
from .base import CallContext, operation


@operation(CLIENT, "GetClientInformation")
def get_client_information(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    identity = ctx.identity
    return {
        "GetClientInformationResult": {
            "AddressList": {"Post": {"Street": "Sandkassa 1", "PostalCode": "0150", "PostalArea": "Oslo",
                                     "Country": "NO"}},
            "Country": "NO",
            "IsUsingFactoring": False,
            "Name": identity.name,
            "ReminderDays": 14,
            "ReminderDays2": 14,
            "ReminderDays3": 14,
            "UserId": identity.client_id,
            "BankAccount": "12345678903",
            "OrganizationNumber": f"{900000000 + identity.client_id}",
            "DefaultCurrency": "NOK",
        }
    }


@operation(CLIENT, "GetDepartmentList")
def get_department_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetDepartmentListResult": list(DEPARTMENTS)}


@operation(CLIENT, "GetVatTypeList")
def get_vat_type_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetVatTypeListResult": [{"No": int(c.tax_no), "Name": c.name, "Rate": c.rate} for c in TAX_CODES]}


@operation(CLIENT, "GetTypeGroupList")
def get_type_group_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    module = request.get("module") or "All"
    groups = [g for name, groups in TYPE_GROUPS.items() if module in ("All", name) for g in groups]
    return {"GetTypeGroupListResult": groups}


@operation(CLIENT, "GetCurrencyList")
def get_currency_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetCurrencyListResult": list(CURRENCIES)}


@operation(CLIENT, "GetUsers")
def get_users(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetUsersResult": list(USERS)}
