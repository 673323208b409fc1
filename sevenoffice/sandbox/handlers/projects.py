"""ProjectService (research section 6). SaveProject returns only an int, so its errors are faults."""

from __future__ import annotations

from typing import Any

from ..contract import PROJECT
from ..reference import DEPARTMENT_IDS
from ..state import ClientData, utc_now
from .base import CallContext, SoapFault, operation
from .records import merge

# What GetProjectList returns; GetProjectsDetailed returns every stored field.
LIST_FIELDS = (
    "Id", "Enabled", "Name", "NameDisplay", "DateChanged", "DateStart", "DateStop", "CustomerId", "CustomerName",
    "StatusId", "StatusName", "TimeReg",
)


def _save_project(data: ClientData, project: dict[str, Any]) -> int:
    for required in ("NameDisplay", "TimeReg"):
        if project.get(required) is None:
            raise SoapFault(f"Project.{required} is required.", code="Client")
    customer_id = project.get("CustomerId")
    if customer_id is not None and customer_id not in data.companies:
        raise SoapFault(f"CustomerId {customer_id} does not exist.")
    if project.get("DepartmentId") is not None and project["DepartmentId"] not in DEPARTMENT_IDS:
        raise SoapFault(f"DepartmentId {project['DepartmentId']} does not exist.")
    if len(project.get("Name") or "") > 200:
        raise SoapFault("Project.Name can not be longer than 200 characters.")
    now = utc_now()
    project_id = project.get("Id")
    if project_id is not None:
        if project_id not in data.projects:
            raise SoapFault(f"Project {project_id} does not exist.")
        stored = merge(data.projects[project_id], project)
    else:
        if not project.get("Name"):
            raise SoapFault("Project.Name is required for a new project.")
        project_id = data.next_id("project")
        stored = {"Enabled": True, **project, "Id": project_id, "DateRegistered": now}
    if stored.get("CustomerId") is not None:
        stored["CustomerName"] = data.companies[stored["CustomerId"]].get("Name")
    stored["DateChanged"] = now
    data.projects[project_id] = stored
    return project_id


@operation(PROJECT, "SaveProject", writes=True)
def save_project(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"SaveProjectResult": _save_project(ctx.data, request.get("project") or {})}


def _search(data: ClientData, search: dict[str, Any]) -> list[dict[str, Any]]:
    checks = (
        ("ProjectIds", lambda p, v: p["Id"] in v),
        ("CustomerId", lambda p, v: p.get("CustomerId") == v),
        ("Search", lambda p, v: v.lower() in (p.get("Name") or "").lower()),
        ("ChangedAfter", lambda p, v: p["DateChanged"] > v),
        ("StartedAfter", lambda p, v: p.get("DateStart") is not None and p["DateStart"] > v),
        ("StartedBefore", lambda p, v: p.get("DateStart") is not None and p["DateStart"] < v),
        ("AllOpenProjects", lambda p, v: not v or p.get("Enabled", True)),
    )
    return [
        p for p in sorted(data.projects.values(), key=lambda p: p["Id"])
        if all(check(p, search[name]) for name, check in checks if search.get(name) is not None)
    ]


@operation(PROJECT, "GetProjectList")
def get_project_list(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _search(ctx.data, request.get("Ps") or {})
    return {"GetProjectListResult": [{k: p.get(k) for k in LIST_FIELDS} for p in found]}


@operation(PROJECT, "GetProjectsDetailed")
def get_projects_detailed(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetProjectsDetailedResult": _search(ctx.data, request.get("Ps") or {})}


@operation(PROJECT, "GetSingleProject")
def get_single_project(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    # An unknown id gives an empty result rather than a fault (inferred).
    return {"GetSingleProjectResult": ctx.data.projects.get(request.get("projectId"))}
