"""The bench's own 24SO sandbox: a `manage.py sevenoffice_sandbox --port 0` subprocess and
its /_sandbox/ JSON endpoints (accounts, control, stats, state)."""

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import requests
from django.conf import settings

STARTUP_SECONDS = 30


class BenchSandbox:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.http = requests.Session()

    def start(self) -> None:
        log = open(self.workdir / "sandbox.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "sevenoffice_sandbox", "--port", "0"],
            cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True,
        )
        first = self.process.stdout.readline()
        if not first.startswith("sandbox listening on "):
            self.stop()
            raise RuntimeError(f"the sandbox did not start: {first!r}; see {log.name}")
        self.url = first.strip().rsplit(" ", 1)[-1]
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                self.http.get(f"{self.url}/_sandbox/control", timeout=2)
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _call(self, method: str, name: str, payload=None, params=None, timeout=60):
        response = self.http.request(method, f"{self.url}/_sandbox/{name}", json=payload, params=params, timeout=timeout)
        if response.status_code >= 400:
            raise RuntimeError(f"/_sandbox/{name} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def control(self, **knobs) -> dict:
        return self._call("POST", "control", knobs)

    def add_account(self, username: str, password: str, identity: dict) -> dict:
        return self._call("POST", "accounts", {"username": username, "password": password, "identities": [identity]})

    def stats(self) -> dict:
        return self._call("GET", "stats")["accounts"]

    def orders(self, username: str) -> list[dict]:
        """Every order (invoice) the account's default identity holds."""
        view = self._call("GET", "state", params={"username": username}, timeout=300)
        identities = view["accounts"][0]["identities"] if view["accounts"] else []
        data = (identities[0]["data"] if identities else None) or {}
        orders = data.get("orders") or {}
        return list(orders.values()) if isinstance(orders, dict) else list(orders)


def calls_between(before: dict, after: dict, usernames) -> Counter:
    """SOAP calls per operation made by `usernames`' accounts between two stats snapshots."""
    calls = Counter()
    for username in usernames:
        key = username.lower()
        calls.update(after.get(key, {}).get("calls", {}))
        calls.subtract(before.get(key, {}).get("calls", {}))
    return +calls
