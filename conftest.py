"""Project-wide pytest setup.

Services are never optional: when settings point at PostgreSQL or Redis (services mode) they
must answer, or the whole run stops with a clear error instead of skipping anything.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest


def _answers(url: str, default_port: int) -> str | None:
    """None if a TCP connection to the URL's host succeeds, else the reason it failed."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=5):
            return None
    except OSError as exc:
        return f"{host}:{port} does not answer ({exc})"


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    missing = []
    if settings.DATABASE_URL:
        reason = _answers(settings.DATABASE_URL, 5432)
        if reason:
            missing.append(f"PostgreSQL (DATABASE_URL): {reason}")
    if settings.REDIS_URL:
        reason = _answers(settings.REDIS_URL, 6379)
        if reason:
            missing.append(f"Redis (REDIS_URL): {reason}")
    if (
        os.environ.get("CI") == "true"
        and settings.SERVICES_MODE
        and not (settings.DATABASE_URL and settings.REDIS_URL)
    ):
        missing.append("CI runs services mode with both DATABASE_URL and REDIS_URL set")
    if missing:
        raise pytest.UsageError("Required services are missing:\n  " + "\n  ".join(missing))


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    """The test client speaks plain http; services mode's HTTPS redirect would answer 301."""
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]
