"""Everything the sandbox remembers: accounts, sessions and one data partition per
(account, identity), persisted to a JSON file.

One re-entrant lock guards it all; operations are short and in-memory, so a single lock
keeps the semantics simple (no torn batches) without hurting a local test server.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from .accounts import Account, Identity
from .reference import DEFAULT_CATEGORY

log = logging.getLogger(__name__)

STATE_FORMAT_VERSION = 1


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


@dataclass
class ClientData:
    """The data of one identity (24SO client) as seen by one account."""

    invoice_series_start: int
    counters: dict[str, int] = field(default_factory=dict)
    companies: dict[int, dict] = field(default_factory=dict)
    categories: dict[int, dict] = field(default_factory=dict)
    products: dict[int, dict] = field(default_factory=dict)
    projects: dict[int, dict] = field(default_factory=dict)
    orders: dict[int, dict] = field(default_factory=dict)
    fiscal_years: dict[int, dict] = field(default_factory=dict)  # calendar year -> {Id, IsLocked}
    transactions: list[dict] = field(default_factory=list)  # posted ledger lines
    journal: list[dict] = field(default_factory=list)  # SaveBundleList with SaveOption=1
    attachments: dict[int, dict] = field(default_factory=dict)  # file id -> ImageFile + content
    voucher_numbers: set[tuple[int, int, int]] = field(default_factory=set)  # (year, type no, number)
    invoice_references: set[str] = field(default_factory=set)  # invoice numbers in the ledger

    @classmethod
    def new(cls, invoice_series_start: int) -> ClientData:
        data = cls(invoice_series_start=invoice_series_start)
        data.categories[DEFAULT_CATEGORY["Id"]] = dict(DEFAULT_CATEGORY)
        this_year = utc_now().year
        for year in (this_year - 1, this_year):
            data.add_fiscal_year(year)
        return data

    def next_id(self, series: str, first: int = 1) -> int:
        value = self.counters.get(series, first - 1) + 1
        self.counters[series] = value
        return value

    def next_invoice_id(self) -> int:
        return self.next_id("invoice", first=self.invoice_series_start)

    def add_fiscal_year(self, year: int, locked: bool = False) -> dict:
        entry = self.fiscal_years.setdefault(year, {"Id": str(uuid.uuid4()), "IsLocked": locked})
        entry["IsLocked"] = locked
        return entry

    def to_json(self) -> dict[str, Any]:
        return {
            "invoice_series_start": self.invoice_series_start,
            "counters": self.counters,
            **{name: list(getattr(self, name).values()) for name in _RECORD_TABLES},
            "fiscal_years": [{"year": year, **fy} for year, fy in self.fiscal_years.items()],
            "transactions": self.transactions,
            "journal": self.journal,
            "attachments": list(self.attachments.values()),
            "voucher_numbers": sorted(self.voucher_numbers),
            "invoice_references": sorted(self.invoice_references),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ClientData:
        data = cls(invoice_series_start=raw["invoice_series_start"], counters=dict(raw["counters"]))
        for name, key in _RECORD_TABLES.items():
            setattr(data, name, {record[key]: record for record in raw[name]})
        data.fiscal_years = {fy.pop("year"): fy for fy in raw["fiscal_years"]}
        data.transactions = raw["transactions"]
        data.journal = raw["journal"]
        data.attachments = {a["file"]["Id"]: a for a in raw["attachments"]}
        data.voucher_numbers = {tuple(v) for v in raw["voucher_numbers"]}
        data.invoice_references = set(raw["invoice_references"])
        return data


# Record tables persisted as lists, with the field that keys each.
_RECORD_TABLES = {"companies": "Id", "categories": "Id", "products": "Id", "projects": "Id", "orders": "OrderId"}


@dataclass
class Session:
    id: str
    account_key: str
    identity_id: str
    last_seen: float
    calls: int = 0


class SandboxState:
    def __init__(self, initial_accounts: list[Account], state_path: str | Path | None = None,
                 session_idle_seconds: float = 20 * 60):
        self.lock = threading.RLock()
        self.initial_accounts = initial_accounts
        self.state_path = Path(state_path) if state_path else None
        self.session_idle_seconds = session_idle_seconds
        self.accounts: dict[str, Account] = {}
        self.clients: dict[tuple[str, str], ClientData] = {}
        self.sessions: dict[str, Session] = {}
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self.reset()
        if self.state_path and self.state_path.exists():
            self.load()

    # --- accounts and partitions ------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.accounts = {a.key: a for a in (_copy_account(a) for a in self.initial_accounts)}
            self.clients = {}
            self.sessions = {}
            self.mark_dirty()

    def add_account(self, account: Account) -> None:
        with self.lock:
            self.accounts[account.key] = account
            self.mark_dirty()

    def account(self, username: str | None) -> Account | None:
        return self.accounts.get((username or "").lower())

    def client_data(self, account: Account, identity: Identity) -> ClientData:
        key = (account.key, identity.id)
        data = self.clients.get(key)
        if data is None:
            data = self.clients[key] = ClientData.new(identity.invoice_series_start)
        return data

    # --- sessions ------------------------------------------------------------------

    def open_session(self, account: Account, identity: Identity) -> Session:
        session = Session(secrets.token_hex(12), account.key, identity.id, time.monotonic())
        self.sessions[session.id] = session
        return session

    def live_session(self, session_id: str | None) -> Session | None:
        """The session for a cookie value, unless it expired from idleness."""
        session = self.sessions.get(session_id or "")
        if session is None:
            return None
        now = time.monotonic()
        if now - session.last_seen > self.session_idle_seconds:
            del self.sessions[session.id]
            return None
        session.last_seen = now
        return session

    # --- persistence ---------------------------------------------------------------

    def mark_dirty(self) -> None:
        self._dirty.set()

    def snapshot(self) -> str:
        with self.lock:
            initial = {a.key for a in self.initial_accounts}
            return json.dumps(
                {
                    "version": STATE_FORMAT_VERSION,
                    "accounts": [a.to_json() for k, a in self.accounts.items() if k not in initial],
                    "clients": [
                        {"account": account_key, "identity": identity_id, "data": data.to_json()}
                        for (account_key, identity_id), data in self.clients.items()
                    ],
                },
                default=_encode_value,
            )

    def flush(self) -> None:
        if not self.state_path:
            return
        self._dirty.clear()
        text = self.snapshot()
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.state_path)

    def load(self) -> None:
        raw = json.loads(self.state_path.read_text(encoding="utf-8"), object_hook=_decode_value)
        if raw.get("version") != STATE_FORMAT_VERSION:
            log.warning("ignoring state file %s with unknown format", self.state_path)
            return
        with self.lock:
            for item in raw["accounts"]:
                account = Account.from_json(item)
                self.accounts[account.key] = account
            for item in raw["clients"]:
                self.clients[(item["account"], item["identity"])] = ClientData.from_json(item["data"])
            self._dirty.clear()

    def start_flusher(self, interval: float = 0.5) -> None:
        """Write the state file in the background at most every ``interval`` seconds."""
        if not self.state_path or self._flusher:
            return

        def run() -> None:
            while not self._stop.is_set():
                self._dirty.wait(interval)
                if self._stop.wait(interval):
                    break
                if self._dirty.is_set():
                    try:
                        self.flush()
                    except OSError:
                        log.exception("could not write the sandbox state file")

        self._flusher = threading.Thread(target=run, name="sandbox-state-flusher", daemon=True)
        self._flusher.start()

    def close(self) -> None:
        self._stop.set()
        if self._flusher:
            self._flusher.join(timeout=5)
        self.flush()


def _copy_account(account: Account) -> Account:
    return Account.from_json(account.to_json())


def _encode_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"cannot persist {type(value).__name__}")


def _decode_value(obj: dict) -> Any:
    if len(obj) == 1:
        (key, value), = obj.items()
        if key == "$decimal":
            return Decimal(value)
        if key == "$datetime":
            return datetime.fromisoformat(value)
        if key == "$date":
            return date.fromisoformat(value)
        if key == "$bytes":
            return base64.b64decode(value)
    return obj


def plain(value: Any) -> Any:
    """JSON-friendly copy for the inspection endpoints (Decimals and dates as strings)."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    return value
