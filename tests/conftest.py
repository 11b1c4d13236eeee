"""Fixtures shared by the project's tests (tests/basic has its own)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PackageFactory = Callable[..., Path]


@pytest.fixture
def make_package(tmp_path: Path) -> PackageFactory:
    """Create a ``.gbai`` folder under ``tmp_path/packages`` from a mapping of relative path to text.

    A ``bytes`` value is written as is (for encoding errors); a ``None`` value makes a broken
    symlink (an unreadable file, even for root).
    """
    root = tmp_path / "packages"

    def make(name: str, files: dict[str, str | bytes | None]) -> Path:
        package = root / f"{name}.gbai"
        package.mkdir(parents=True, exist_ok=True)
        for relative, content in files.items():
            target = package / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if content is None:
                target.symlink_to(package / "does-not-exist")
            elif isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        return package

    make.root = root  # type: ignore[attr-defined]
    return make


def worker_events_channel(queue: str) -> str:
    """The events channel of the workers consuming ``queue`` (their listeners subscribe to it)."""
    return f"{queue}-events"


@pytest.fixture(scope="session", autouse=True)
def _events_unheard_by_default() -> None:
    """Events this process publishes wake no worker (not one of ``bin/start`` on this machine,
    not the session's test worker) unless a test points it at a worker's channel."""
    from django.conf import settings

    settings.GB_EVENTS_CHANNEL = f"gbtest-unheard-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory) -> Iterator[str]:
    """A real Celery worker process on the test databases; yields the queue it consumes.

    The queue name is unique, so a worker started by ``bin/start`` on the same machine never takes
    these tasks. The worker is told the test database names through the environment.
    """
    from django.conf import settings

    queue = f"gbtest-{uuid.uuid4().hex[:10]}"
    # Workflow tasks a worker queues (child runs, wake-ups) go to its own queue too, and it hears
    # event wake-ups on a channel of its own (worker_events_channel): only tests that point this
    # process at that channel have their events delivered by the worker.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gbproject.settings",
        "GB_WORKFLOW_QUEUE": queue,
        "GB_EVENTS_CHANNEL": worker_events_channel(queue),
    }
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        env["GB_SQLITE_PATH"] = str(default["NAME"])
    else:
        env["DATABASE_URL"] = (
            urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{default['NAME']}").geturl()
        )
    if "channels" in settings.DATABASES:
        env["GB_CHANNELS_SQLITE_PATH"] = str(settings.DATABASES["channels"]["NAME"])
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "gbproject",
        "worker",
        "-P",
        "solo",
        "-Q",
        queue,
        "-l",
        "info",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "-n",
        f"{queue}@%h",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield queue
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.returncode not in (0, -signal.SIGTERM):
        pytest.fail(f"the Celery worker exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """No persistent connections in tests: async tests open them in helper threads, and a
    connection left open there would keep PostgreSQL from dropping the test database."""
    from django.conf import settings
    from django.db import connections

    for alias, config in settings.DATABASES.items():
        config["CONN_MAX_AGE"] = 0
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0
