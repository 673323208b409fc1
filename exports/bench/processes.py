"""The hub's processes the bench starts (celery workers and beat, and for the drill its own
redis-server), and what they cost: CPU time and peak memory, read with psutil."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from django.conf import settings

READY_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The bench's own database as a URL the worker processes can be given."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


class HubProcesses:
    """Worker and beat processes of one bench run, with CPU and memory bookkeeping.

    CPU of a process is read while it lives and kept when it dies (a killed worker's work
    still counts); peak RSS is sampled by a background thread.
    """

    def __init__(self, env: dict, workdir: Path):
        self.env = env
        self.workdir = workdir
        self.workers: list[subprocess.Popen] = []
        self.beat: subprocess.Popen | None = None
        self._reported: set[int] = set()  # pids of workers known to be gone
        self._cpu: dict[int, float] = {}  # pid -> last seen user+system seconds
        self._cpu_at_mark: float = 0.0
        self.peak_rss = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample_forever, daemon=True)

    # --- starting and stopping -------------------------------------------------------------

    def start_worker(self, concurrency: int) -> subprocess.Popen:
        n = len(self.workers)
        log_path = self.workdir / f"worker-{n}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hub", "worker", "--loglevel", "INFO", "--concurrency",
             str(concurrency), "--hostname", f"bench{n}-{os.getpid()}@%h", "--without-gossip", "--without-mingle"],
            cwd=settings.BASE_DIR, env=self.env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(process)
        _wait_for_line(log_path, "ready.", process)
        if not self._sampler.is_alive():
            self._sampler.start()
        return process

    def start_beat(self) -> None:
        log_path = self.workdir / "beat.log"
        self.beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hub", "beat", "--loglevel", "INFO",
             "--schedule", str(self.workdir / "beat-schedule")],
            cwd=settings.BASE_DIR, env=self.env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def beat_restarted(self) -> bool:
        """Start beat again when it ended on its own; True when it had to."""
        if self.beat is None or self.beat.poll() is None:
            return False
        self.start_beat()
        return True

    def live_workers(self) -> list[subprocess.Popen]:
        return [p for p in self.workers if p.poll() is None]

    def exited_workers(self) -> list[subprocess.Popen]:
        """Workers that ended without being killed here, each reported once."""
        gone = [p for p in self.workers if p.poll() is not None and p.pid not in self._reported]
        self._reported.update(p.pid for p in gone)
        return gone

    def kill(self, process: subprocess.Popen) -> None:
        """kill -9 the worker and its pool children at once, as a crash would."""
        self._read_cpu()
        self._reported.add(process.pid)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def stop_all(self) -> None:
        self._stop.set()
        for process in [*self.workers, self.beat]:
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)

    def logs_tail(self, chars: int = 4000) -> str:
        return "\n".join(p.read_text()[-chars:] for p in sorted(self.workdir.glob("worker-*.log")))

    # --- CPU and memory ----------------------------------------------------------------------

    def _hub_processes(self) -> list[psutil.Process]:
        found = []
        for popen in [*self.workers, self.beat]:
            if popen is not None and popen.poll() is None:
                try:
                    found += _tree(psutil.Process(popen.pid))
                except psutil.NoSuchProcess:
                    pass
        return found

    def _read_cpu(self) -> None:
        for process in self._hub_processes():
            try:
                times = process.cpu_times()
                with self._lock:
                    self._cpu[process.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                pass

    def _sample_forever(self) -> None:
        while not self._stop.wait(0.25):
            self._read_cpu()
            for process in self._hub_processes():
                try:
                    self.peak_rss = max(self.peak_rss, process.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass

    def cpu_seconds(self) -> float:
        self._read_cpu()
        with self._lock:
            return sum(self._cpu.values())

    def mark(self) -> None:
        """Start counting CPU and memory from here (start-up costs are not the export's)."""
        self.peak_rss = 0
        self._cpu_at_mark = self.cpu_seconds()

    def cpu_since_mark(self) -> float:
        return self.cpu_seconds() - self._cpu_at_mark


def _wait_for_line(log_path: Path, text: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log_path.name}: the process exited:\n{log_path.read_text()[-3000:]}")
        if text in log_path.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{log_path.name}: not ready after {READY_SECONDS} s:\n{log_path.read_text()[-3000:]}")


class OwnRedis:
    """A redis-server of the drill's own on a free port (never the machine's shared one), so
    the drill can restart it. Append-only file on, as a production broker would run."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir),
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"],
            stdout=open(self.workdir / "redis.log", "a"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the drill's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes its append-only file and exits
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
