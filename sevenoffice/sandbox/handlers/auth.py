"""Authenticate: login, sessions and identities (research section 2)."""

from __future__ import annotations

import uuid
from typing import Any

from ..accounts import Account, Identity
from ..contract import AUTHENTICATE
from .base import CallContext, SoapFault, operation

BLOCKED_IDENTITY = (
    "Provided IdentityId is blocked or does not belong to this user. Call GetIdentitiesWithCredential "
    "and log in again with a valid IdentityId."
)
SESSION_COOKIE = "ASP.NET_SessionId"


def _identity_element(account: Account, identity: Identity, current_id: str | None) -> dict[str, Any]:
    return {
        "Id": identity.id,
        "User": {"Id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{account.key}")), "Name": account.username},
        "Client": {"Id": identity.client_id, "Name": identity.name},
        "IsCurrent": identity.id == current_id,
        "IsDefault": identity is account.default_identity,
        "IsProtected": False,
        "IsDisabled": identity.blocked,
    }


def _authenticate(ctx: CallContext, credential: dict[str, Any] | None) -> Account | None:
    if not credential or not credential.get("ApplicationId"):
        raise SoapFault("Credential.ApplicationId must be a valid GUID.", code="Client")
    account = ctx.state.account(credential.get("Username"))
    if account is None or account.password != (credential.get("Password") or ""):
        return None
    return account


@operation(AUTHENTICATE, "Login", needs_session=False)
def login(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    credential = request.get("credential")
    account = _authenticate(ctx, credential)
    if account is None:
        return {"LoginResult": ""}  # wrong username or password: empty result, no fault
    identity_id = credential.get("IdentityId")
    identity = account.identity(identity_id) if identity_id else account.default_identity
    if identity is None or identity.blocked:
        raise SoapFault(BLOCKED_IDENTITY)
    session = ctx.state.open_session(account, identity)
    ctx.response_headers.append(("Set-Cookie", f"{SESSION_COOKIE}={session.id}; path=/; HttpOnly"))
    return {"LoginResult": session.id}


@operation(AUTHENTICATE, "HasSession", needs_session=False)
def has_session(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"HasSessionResult": ctx.identity is not None}


@operation(AUTHENTICATE, "GetIdentity")
def get_identity(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetIdentityResult": _identity_element(ctx.account, ctx.identity, ctx.identity.id)}


@operation(AUTHENTICATE, "GetIdentities")
def get_identities(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "GetIdentitiesResult": [
            _identity_element(ctx.account, identity, ctx.identity.id) for identity in ctx.account.identities
        ]
    }


@operation(AUTHENTICATE, "SetIdentityById")
def set_identity_by_id(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    identity = ctx.account.identity(request.get("identityId"))
    if identity is None or identity.blocked:
        return {"SetIdentityByIdResult": False}
    ctx.session.identity_id = identity.id
    return {"SetIdentityByIdResult": True}


@operation(AUTHENTICATE, "GetIdentitiesWithCredential", needs_session=False)
def get_identities_with_credential(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    account = _authenticate(ctx, request.get("credential"))
    if account is None:
        return {"GetIdentitiesWithCredentialResult": []}
    return {
        "GetIdentitiesWithCredentialResult": [
            _identity_element(account, identity, None) for identity in account.identities
        ]
    }
