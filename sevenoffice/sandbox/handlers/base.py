"""What an operation handler gets and how it is registered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..accounts import Account, Identity
from ..schema import Service
from ..state import ClientData, SandboxState, Session

NOT_AUTHENTICATED = "Client is not authenticated on this identity. Log in through the Authenticate service."


class SoapFault(Exception):
    """Answered as a SOAP 1.1 fault (HTTP 500)."""

    def __init__(self, message: str, code: str = "Server"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class CallContext:
    state: SandboxState
    session: Session | None = None
    account: Account | None = None
    identity: Identity | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def data(self) -> ClientData:
        """The calling session's partition; faults when there is no valid session."""
        if self.account is None or self.identity is None:
            raise SoapFault(NOT_AUTHENTICATED)
        return self.state.client_data(self.account, self.identity)


Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    needs_session: bool
    writes: bool


REGISTRY: dict[tuple[str, str], Registration] = {}


def operation(service: Service, name: str, *, needs_session: bool = True, writes: bool = False):
    """Register ``handler`` for ``service``/``name``; the operation must exist in the contract."""
    if name not in service.operations:
        raise KeyError(f"{service.name} has no operation {name} in the contract")

    def register(handler: Handler) -> Handler:
        REGISTRY[(service.name, name)] = Registration(handler, needs_session, writes)
        return handler

    return register
