"""Run-time fault injection (``/_sandbox/control``) and the call statistics (``/_sandbox/stats``)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any

DEFAULT_HOURLY_QUOTA = 7200


@dataclass
class FaultSettings:
    latency_ms: int = 0
    http_500_rate: float = 0.0
    soap_fault_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    drop_after_commit_rate: float = 0.0
    session_expiry_calls: int | None = None
    max_concurrent_per_account: int | None = None
    hourly_quota: int = DEFAULT_HOURLY_QUOTA
    operations: list[str] | None = None  # restrict the random faults to these operation names
    seed: int | None = None

    def updated(self, changes: dict[str, Any]) -> FaultSettings:
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        values = asdict(self)
        for name, value in changes.items():
            values[name] = _coerce(name, value)
        return FaultSettings(**values)


def _coerce(name: str, value: Any) -> Any:
    if value is None:
        if name in ("session_expiry_calls", "max_concurrent_per_account", "operations", "seed"):
            return None
        return FaultSettings.__dataclass_fields__[name].default
    if name == "operations":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("operations must be a list of operation names")
        return value
    if name.endswith("_rate"):
        rate = float(value)
        if not 0 <= rate <= 1:
            raise ValueError(f"{name} must be between 0 and 1")
        return rate
    if name == "timeout_seconds":
        return float(value)
    number = int(value)
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


@dataclass
class AccountStats:
    calls: Counter = field(default_factory=Counter)
    logins: int = 0
    in_flight: int = 0
    max_concurrency: int = 0
    rejected_concurrency: int = 0
    faults_injected: Counter = field(default_factory=Counter)
    quota_window: datetime | None = None
    quota_used: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "total_calls": sum(self.calls.values()),
            "logins": self.logins,
            "in_flight": self.in_flight,
            "max_concurrency": self.max_concurrency,
            "rejected_concurrency": self.rejected_concurrency,
            "faults_injected": dict(self.faults_injected),
            "quota_used_this_hour": self.quota_used,
        }


@dataclass
class QuotaCheck:
    remaining: int
    reset_at: datetime
    exceeded_by: int


class FaultInjector:
    """Holds the settings, the seeded random source and the per-account statistics."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.settings = FaultSettings()
        self._random = random.Random()
        self._stats: dict[str, AccountStats] = {}

    def configure(self, changes: dict[str, Any]) -> FaultSettings:
        with self._lock:
            self.settings = self.settings.updated(changes)
            if "seed" in changes:
                self._random = random.Random(self.settings.seed)
            return self.settings

    def reset(self) -> None:
        with self._lock:
            self.settings = FaultSettings()
            self._random = random.Random()
            self._stats = {}

    def _account(self, account_key: str) -> AccountStats:
        return self._stats.setdefault(account_key, AccountStats())

    def should_inject(self, kind: str, operation: str, account_key: str) -> bool:
        """Draw for one random fault kind (e.g. "http_500"); counts it when drawn."""
        with self._lock:
            rate = getattr(self.settings, f"{kind}_rate")
            allowed = self.settings.operations
            if rate <= 0 or (allowed is not None and operation not in allowed):
                return False
            if self._random.random() >= rate:
                return False
            self._account(account_key).faults_injected[kind] += 1
            return True

    def count_fault(self, kind: str, account_key: str) -> None:
        with self._lock:
            self._account(account_key).faults_injected[kind] += 1

    def enter_call(self, account_key: str, operation: str) -> bool:
        """Count a call and take a concurrency slot; False when over the per-account cap."""
        with self._lock:
            stats = self._account(account_key)
            stats.calls[operation] += 1
            if operation == "Login":
                stats.logins += 1
            cap = self.settings.max_concurrent_per_account
            if cap is not None and stats.in_flight >= cap:
                stats.rejected_concurrency += 1
                return False
            stats.in_flight += 1
            stats.max_concurrency = max(stats.max_concurrency, stats.in_flight)
            return True

    def leave_call(self, account_key: str) -> None:
        with self._lock:
            self._account(account_key).in_flight -= 1

    def use_quota(self, account_key: str) -> QuotaCheck:
        """Spend one call of the hourly quota (fixed windows starting on the hour)."""
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        window = now.replace(minute=0, second=0, microsecond=0)
        with self._lock:
            stats = self._account(account_key)
            if stats.quota_window != window:
                stats.quota_window, stats.quota_used = window, 0
            stats.quota_used += 1
            quota = self.settings.hourly_quota
            return QuotaCheck(
                remaining=max(quota - stats.quota_used, 0),
                reset_at=window + timedelta(hours=1),
                exceeded_by=max(stats.quota_used - quota, 0),
            )

    def stats_json(self) -> dict[str, Any]:
        with self._lock:
            return {key: stats.as_json() for key, stats in sorted(self._stats.items())}
