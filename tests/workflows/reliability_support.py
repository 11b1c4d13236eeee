"""Real processes for the reliability tests: a pool of Celery workers that can be SIGKILLed and
replaced, a private redis-server that can be restarted, and driving 200 workflows to their end
with the sweep beat would run.

Nothing here is mocked: the workers are ``celery worker`` processes on the test database, the
broker is the one settings name (a private Redis in services mode, kombu's folder in embedded
mode), and the sweep is the engine's own functions.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from tests.conftest import worker_events_channel
from workflows.engine import CeleryDispatch
from workflows.engine.timers import executions_requeue_stalled, timers_fire_due
from workflows.models import ExecutionStatus, WorkflowExecution

REDIS_SERVER = "/usr/bin/redis-server"
SWEEP_SECONDS = 0.2  # the period of the sweep task the workflows migration registers with beat


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    @property
    def name(self) -> str:
        """What the engine writes in ``lease_owner`` (workflows.tasks.worker_name; solo pool)."""
        return f"{socket.gethostname()}:{self.process.pid}"


@dataclass
class WorkerPool:
    """Celery worker processes (solo pool: the process that runs steps is the one we kill) on one
    private queue, with a short lease and requeue time so the reaper acts within seconds.

    The requeue time is a little longer than the lease: the reaper cannot tell a message waiting
    behind a backlog from a lost one, so every queued execution is sent again each period while
    200 workflows queue up; duplicates are harmless (that is tested too) but cost time."""

    queue: str
    log_dir: Path
    redis_url: str = ""
    lease_seconds: float = 3
    requeue_seconds: float = 10
    workers: list[Worker] = field(default_factory=list)

    @property
    def events_channel(self) -> str:
        """Where these workers' listeners hear event wake-ups (point this process at it to have
        them deliver its events)."""
        return worker_events_channel(self.queue)

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gbproject.settings",
            "GB_WORKFLOW_QUEUE": self.queue,
            "GB_WORKFLOW_LEASE_SECONDS": str(self.lease_seconds),
            "GB_WORKFLOW_REQUEUE_SECONDS": str(self.requeue_seconds),
            "GB_EVENTS_CHANNEL": self.events_channel,
        }
        default = settings.DATABASES["default"]
        if default["ENGINE"].endswith("sqlite3"):
            env["GB_SQLITE_PATH"] = str(default["NAME"])
        else:
            url = urlsplit(os.environ["DATABASE_URL"])
            env["DATABASE_URL"] = url._replace(path=f"/{default['NAME']}").geturl()
        if "channels" in settings.DATABASES:
            env["GB_CHANNELS_SQLITE_PATH"] = str(settings.DATABASES["channels"]["NAME"])
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def start(self, count: int = 1) -> list[Worker]:
        started = []
        for _ in range(count):
            log = self.log_dir / f"worker-{len(self.workers) + 1}.log"
            command = [
                sys.executable, "-m", "celery", "-A", "gbproject", "worker", "-P", "solo", "-Q", self.queue,
                "-l", "info", "--without-heartbeat", "--without-mingle", "--without-gossip",
                "-n", f"{self.queue}-{len(self.workers) + 1}@%h",
            ]
            with log.open("w") as out:
                process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=self.env(), stdout=out,
                                           stderr=subprocess.STDOUT)
            worker = Worker(process, log)
            self.workers.append(worker)
            started.append(worker)
        return started

    def alive(self) -> list[Worker]:
        return [worker for worker in self.workers if worker.process.poll() is None]

    def kill(self, worker: Worker) -> None:
        """SIGKILL: no warm shutdown, no ack, the open transaction dies with the process."""
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=10)

    def stop(self, worker: Worker) -> None:
        if worker.process.poll() is not None:
            return
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill(worker)

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in self.workers:
            self.stop(worker)

    def logs(self) -> str:
        tails = (f"--- {w.log.name}\n{w.log.read_text()[-3000:]}" for w in self.workers if w.log.exists())
        return "\n".join(tails)


def new_queue() -> str:
    return f"gbrel-{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivateRedis:
    """A redis-server of this test alone, on a free port, keeping nothing on disk: a restart
    loses every queued message, as a crashed broker without persistence does."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.02)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)


def _reset_celery_connections() -> None:
    """Forget this process's broker connections and producers, so the next message uses the
    broker URL now configured. kombu keeps its pools in a registry keyed by URL: closing one
    without clearing the registry would hand the closed pool out again."""
    from kombu import pools

    from gbproject.celery import app

    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Send this process's Celery messages (workflow_start, the sweep) to ``url`` for a while."""
    from gbproject.celery import app

    old = (app.conf.broker_url, app.conf.result_backend)
    app.conf.broker_url = url
    app.conf.result_backend = url
    _reset_celery_connections()
    try:
        yield
    finally:
        _reset_celery_connections()
        app.conf.broker_url, app.conf.result_backend = old


@contextmanager
def private_redis_for(django_settings: Any) -> Iterator[PrivateRedis | None]:
    """Services mode: a redis-server of this test, the broker of the workers and of this process
    and the channel it announces events on (``django_settings``: pytest-django's ``settings``,
    restored after the test). Embedded mode: None."""
    if not django_settings.REDIS_URL:
        yield None
        return
    server = PrivateRedis()
    server.start()
    django_settings.REDIS_URL = server.url
    try:
        with celery_broker(server.url):
            yield server
    finally:
        server.stop()


@contextmanager
def pool_used_here(workers: WorkerPool, django_settings: Any) -> Iterator[WorkerPool]:
    """This process sends its tasks and event wake-ups to ``workers``, with their lease and
    requeue times; at the end they stop, and an embedded queue (ours alone) is emptied."""
    django_settings.GB_WORKFLOW_QUEUE = workers.queue
    django_settings.GB_EVENTS_CHANNEL = workers.events_channel
    django_settings.GB_WORKFLOW_LEASE_SECONDS = workers.lease_seconds
    django_settings.GB_WORKFLOW_REQUEUE_SECONDS = workers.requeue_seconds
    try:
        yield workers
    finally:
        workers.stop_all()
        if not django_settings.REDIS_URL:
            for path in queued_message_files(workers.queue):
                path.unlink(missing_ok=True)


def queued_message_files(queue: str) -> list[Path]:
    """Embedded mode: the messages kombu's filesystem transport holds for ``queue``."""
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return [path for path in folder.iterdir() if path.name.endswith(f".{queue}.msg")]


def sweep() -> None:
    """What the beat's 200 ms sweep task does."""
    timers_fire_due(dispatch=CeleryDispatch())
    executions_requeue_stalled(dispatch=CeleryDispatch())


def drive(ids: list[int], *, timeout: float, pool: WorkerPool) -> None:
    """Sweep as beat would until every execution in ``ids`` has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = WorkflowExecution.objects.filter(
            pk__in=ids, status__in=(ExecutionStatus.RUNNING, ExecutionStatus.WAITING)
        ).count()
        if not active:
            return
        sweep()
        time.sleep(SWEEP_SECONDS)
    statuses = WorkflowExecution.objects.filter(pk__in=ids).values_list(
        "status", "waiting_for", "lease_owner"
    )
    raise AssertionError(
        f"not every workflow ended in {timeout} s: {Counter(statuses).most_common(8)}\n{pool.logs()}"
    )


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``condition``, sweeping every 200 ms as beat would."""
    deadline = time.monotonic() + timeout
    swept = 0.0
    while time.monotonic() < deadline:
        if condition():
            return
        if time.monotonic() - swept >= SWEEP_SECONDS:
            sweep()
            swept = time.monotonic()
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
