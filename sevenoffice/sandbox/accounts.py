"""Community users ("accounts") and the identities (clients) each can reach."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .reference import DEFAULT_INVOICE_SERIES_START

DEFAULT_USERNAME = "demo@sandbox.local"
DEFAULT_PASSWORD = "demo"
DEMO_AS_IDENTITY_ID = "5d1e0a00-24a0-4c0e-8000-000000000001"
DEMO_KONSULENT_IDENTITY_ID = "5d1e0a00-24a0-4c0e-8000-000000000002"
DEMO_AS_CLIENT_ID = 1001
DEMO_KONSULENT_CLIENT_ID = 1002


class AccountError(ValueError):
    pass


@dataclass
class Identity:
    id: str
    name: str
    client_id: int
    blocked: bool = False
    invoice_series_start: int = DEFAULT_INVOICE_SERIES_START


@dataclass
class Account:
    username: str
    password: str
    identities: list[Identity] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.username.lower()

    @property
    def default_identity(self) -> Identity | None:
        return next((i for i in self.identities if not i.blocked), None)

    def identity(self, identity_id: str | None) -> Identity | None:
        if not identity_id:
            return None
        return next((i for i in self.identities if i.id == identity_id.lower()), None)

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Account:
        try:
            username, password = str(item["username"]), str(item["password"])
            identities = [
                Identity(
                    id=str(uuid.UUID(str(ident["id"]))),
                    name=str(ident["name"]),
                    client_id=int(ident["client_id"]),
                    blocked=bool(ident.get("blocked", False)),
                    invoice_series_start=int(ident.get("invoice_series_start") or DEFAULT_INVOICE_SERIES_START),
                )
                for ident in item["identities"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise AccountError(f"invalid account: {exc!r}") from None
        if not username or not identities:
            raise AccountError("an account needs a username and at least one identity")
        return cls(username=username, password=password, identities=identities)

    def to_json(self) -> dict[str, Any]:
        return {"username": self.username, "password": self.password, "identities": [asdict(i) for i in self.identities]}


def default_account() -> Account:
    return Account(
        username=DEFAULT_USERNAME,
        password=DEFAULT_PASSWORD,
        identities=[
            Identity(DEMO_AS_IDENTITY_ID, "Demo AS", DEMO_AS_CLIENT_ID),
            Identity(DEMO_KONSULENT_IDENTITY_ID, "Demo Konsulent AS", DEMO_KONSULENT_CLIENT_ID),
        ],
    )


def load_accounts_file(path: str | Path) -> list[Account]:
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise AccountError("the accounts file must hold a JSON list of accounts")
    return [Account.from_json(item) for item in items]
