"""A cross-process cap on concurrent calls per key (a 24SO account), for every worker process.

Hand-written because Celery's rate_limit is per worker and per task, not per account, and no
maintained library offers a counting semaphore over both Redis and plain files. With Redis,
each slot is a key set with NX and an expiry, so a crashed holder frees it; in the embedded
mode (one machine, no Redis) each slot is a file under flock, which the OS releases on exit.
"""

import contextlib
import fcntl
import hashlib
import random
import time
import uuid
from pathlib import Path

from django.conf import settings


class SlotTimeout(Exception):
    """No slot freed up in time."""


def _slot_names(key: str, limit: int) -> list[str]:
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return [f"hub:slot:{digest}:{i}" for i in range(limit)]


@contextlib.contextmanager
def slot(key: str, *, limit: int, hold_seconds: float, wait_seconds: float = 120.0):
    """Hold one of `limit` slots of `key` for the duration of the block."""
    if limit <= 0:
        yield
        return
    acquire = _redis_slot if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else _file_slot
    with acquire(_slot_names(key, limit), hold_seconds, wait_seconds):
        yield


def _wait(deadline: float, attempt: int) -> None:
    if time.monotonic() > deadline:
        raise SlotTimeout("all slots stayed busy")
    time.sleep(min(0.25, 0.005 * (attempt + 1)) * random.uniform(0.5, 1.5))


_redis = None


def _redis_client():
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=5, socket_connect_timeout=5)
    return _redis


# Delete the slot only if this holder still owns it (it may have expired and been retaken).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


@contextlib.contextmanager
def _redis_slot(names, hold_seconds, wait_seconds):
    client = _redis_client()
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait_seconds
    attempt = 0
    while True:
        for name in random.sample(names, len(names)):
            if client.set(name, token, nx=True, px=int(hold_seconds * 1000)):
                try:
                    yield
                finally:
                    client.eval(_RELEASE, 1, name, token)
                return
        _wait(deadline, attempt)
        attempt += 1


@contextlib.contextmanager
def _file_slot(names, hold_seconds, wait_seconds):
    folder = Path(settings.VAR_DIR) / "slots"
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    attempt = 0
    while True:
        for name in random.sample(names, len(names)):
            handle = open(folder / name.replace(":", "_"), "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        _wait(deadline, attempt)
        attempt += 1
