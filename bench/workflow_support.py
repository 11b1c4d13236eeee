"""Shared set-up of the workflow benches: a private database (a fresh test database, as the test
suite makes), Celery worker processes and, when asked, a celery beat process, all on a private
queue; and the raw Celery baseline (a round trip of Celery's built-in no-op-like task).

Import this module first: it points Django at a private GB_VAR_DIR before settings load.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbproject.settings")
# A private folder for the embedded databases and broker, so a bench never touches the product's data.
os.environ.setdefault("GB_VAR_DIR", tempfile.mkdtemp(prefix="gb-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from gbproject.celery import app  # noqa: E402

# Celery's built-in task that returns its arguments: the cheapest task every worker has.
NOOP_TASK = "celery.accumulate"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def bench_database() -> Iterator[None]:
    """A fresh database of the bench's own (test_<name>_bench on PostgreSQL, a file under the
    private GB_VAR_DIR in embedded mode), migrated, so beat's sweep task is registered."""
    for config in settings.DATABASES.values():
        config["CONN_MAX_AGE"] = 0
        if not config["ENGINE"].endswith("sqlite3"):
            config.setdefault("TEST", {})["NAME"] = f"test_{config['NAME']}_bench"
    old_config = setup_databases(verbosity=0, interactive=False, aliases=set(settings.DATABASES))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        teardown_databases(old_config, verbosity=0)


def process_env(queue: str, **extra: str) -> dict[str, str]:
    """The environment of a worker or beat: the bench database, the private queue."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gbproject.settings", "GB_WORKFLOW_QUEUE": queue, **extra}
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        env["GB_SQLITE_PATH"] = str(default["NAME"])
    else:
        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = url._replace(path=f"/{default['NAME']}").geturl()
    if "channels" in settings.DATABASES:
        env["GB_CHANNELS_SQLITE_PATH"] = str(settings.DATABASES["channels"]["NAME"])
    return env


class Processes:
    """Worker (solo pool, one process each) and beat processes of one bench run."""

    def __init__(self, *, workers: int, beat: bool = False, **env: str) -> None:
        self.queue = f"gbbench-{uuid.uuid4().hex[:10]}"
        settings.GB_WORKFLOW_QUEUE = self.queue
        self.folder = Path(tempfile.mkdtemp(prefix="gb-bench-logs-"))
        self.env = process_env(self.queue, **env)
        self.names = [f"{self.queue}-{n}@bench" for n in range(1, workers + 1)]
        self.beat = beat
        self.processes: list[subprocess.Popen] = []

    def _spawn(self, name: str, arguments: list[str]) -> None:
        with (self.folder / f"{name}.log").open("w") as log:
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "gbproject", *arguments],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            ))

    def __enter__(self) -> Processes:
        for name in self.names:
            self._spawn(name.split("@")[0], [
                "worker", "-P", "solo", "-Q", self.queue, "-l", "warning", "--without-heartbeat",
                "--without-mingle", "--without-gossip", "-n", name,
            ])
        if self.beat:
            from django_celery_beat.models import PeriodicTask

            # The sweep the migration registered goes to the default queue; send it to ours.
            PeriodicTask.objects.filter(task="workflows.sweep").update(queue=self.queue)
            self._spawn("beat", [
                "beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler", "-l", "warning",
                "--pidfile", str(self.folder / "beat.pid"), "-s", str(self.folder / "beat-schedule"),
            ])
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise SystemExit(f"a Celery process exited with {process.returncode}:\n{self.logs()}")
            replies = app.control.ping(destination=self.names, timeout=0.5) or []
            if len(replies) == len(self.names):
                return
        raise SystemExit(f"the workers did not answer a ping within 60 s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(self.folder.glob("*.log")))

    def __exit__(self, *_exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def raw_round_trips(queue: str, count: int) -> list[float]:
    """Seconds of each apply_async + get of the no-op task, one after another."""
    task = app.tasks[NOOP_TASK]
    times = []
    for index in range(count):
        started = time.perf_counter()
        result = task.apply_async((index,), queue=queue)
        assert result.get(timeout=30, interval=0.001) == [index]
        times.append(time.perf_counter() - started)
        result.forget()
    return times


def raw_throughput(queue: str, count: int) -> float:
    """No-op tasks per second: ``count`` sent at once, until the last result is in."""
    task = app.tasks[NOOP_TASK]
    started = time.perf_counter()
    results = [task.apply_async((index,), queue=queue) for index in range(count)]
    for index, result in enumerate(results):
        assert result.get(timeout=120, interval=0.01) == [index]
    elapsed = time.perf_counter() - started
    for result in results:
        result.forget()
    return count / elapsed


def mode() -> str:
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "filesystem"
    return f"database {database}, broker {broker}"
