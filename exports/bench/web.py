"""Requests to the hub's own views, in-process through Django's test client: server time,
query count and CPU of each, with no network or browser in between."""

import json
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass
class Timed:
    status: int
    ms: float
    queries: int
    cpu_ms: float
    body: bytes

    def json(self):
        return json.loads(self.body)


class HubWeb:
    def __init__(self, *, user=None, api_key: str = ""):
        headers = {"HTTP_HOST": "localhost"}
        if api_key:
            headers["HTTP_AUTHORIZATION"] = f"Token {api_key}"
        self.client = Client(**headers)
        if user is not None:
            self.client.force_login(user)
        self.cpu_ms = 0.0  # CPU of every request made so far: the web side of the hub

    def _timed(self, call) -> Timed:
        cpu, started = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = call()
        ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        self.cpu_ms += cpu_ms
        return Timed(response.status_code, ms, len(queries), cpu_ms, response.content)

    def get(self, path: str, params: dict | None = None) -> Timed:
        return self._timed(lambda: self.client.get(path, params or {}))

    def post_json(self, path: str, payload) -> Timed:
        return self._timed(lambda: self.client.post(path, json.dumps(payload), content_type="application/json"))
