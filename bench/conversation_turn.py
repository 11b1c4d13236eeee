"""Bench (issue 4): one HEAR/TALK turn through the REST endpoint (POST /api/bots/<name>/messages),
beside a plain Django endpoint that does one database write, in the same run and the same way
(Django's test Client in this process, on a fresh test database). Prints turns per second, p50 and
p99 of each and the p50 ratio. Goal: the turn's p50 within 3x of the plain endpoint's.

Each request's CPU time (this process, all its threads: the live nudge's background thread too) is
printed as well: on a shared, busy machine the wall clock of a longer request grows with the
other processes' load much more than a short one's, and the CPU time ratio does not.

Each turn resumes a waiting HEAR: load and lock the conversation, store the user message, resume
the VM from its JSON state, store the TALK reply and the new state, and answer with the replies.

Run: .venv/bin/python bench/conversation_turn.py [--turns N]
(embedded defaults; set DATABASE_URL/REDIS_URL to measure on PostgreSQL and Redis.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbproject.settings")
# A private folder for the embedded databases, so the bench never touches the product's data.
os.environ.setdefault("GB_VAR_DIR", tempfile.mkdtemp(prefix="gb-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from gbproject.urls import urlpatterns as product_urlpatterns  # noqa: E402

BOT = "benchturn"
START = 'TALK "Ready"\nDO\n    HEAR text\n    TALK "You said " + text\nLOOP\n'


@csrf_exempt
def plain_write(request: HttpRequest) -> JsonResponse:
    """The baseline: parse a JSON body, insert one row, answer JSON."""
    from django.contrib.auth.models import Group

    text = json.loads(request.body)["text"]
    group = Group.objects.create(name=f"bench-{time.perf_counter_ns()}-{text[:20]}")
    return JsonResponse({"id": group.pk})


# The bench's URLconf: the product's URLs plus the plain endpoint, which is not part of the product.
urlpatterns = [*product_urlpatterns, path("bench/plain", plain_write)]


def measure(call: Callable[[int], None], count: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds of each call; with ``cpu``, its process CPU seconds are appended there."""
    times = []
    for index in range(count):
        started, used = time.perf_counter(), time.process_time()
        call(index)
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - used)
    return times


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(label: str, samples: list[float], cpu: list[float]) -> tuple[float, float]:
    p50, cpu_p50 = percentile(samples, 0.50), percentile(cpu, 0.50)
    print(
        f"{label:<34} {len(samples) / sum(samples):8.0f}/s   p50 {p50 * 1000:6.2f} ms   "
        f"p99 {percentile(samples, 0.99) * 1000:6.2f} ms   cpu p50 {cpu_p50 * 1000:6.2f} ms"
    )
    return p50, cpu_p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400, help="Measured requests of each kind.")
    parser.add_argument("--rounds", type=int, default=4, help="Alternating blocks of each kind.")
    options = parser.parse_args()

    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from bots.services import package_sync_all

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False, aliases=set(settings.DATABASES))
    try:
        with tempfile.TemporaryDirectory() as folder, override_settings(ROOT_URLCONF=__name__):
            dialogs = Path(folder) / f"{BOT}.gbai" / f"{BOT}.gbdialog"
            dialogs.mkdir(parents=True)
            (dialogs / "start.bas").write_text(START, encoding="utf-8")
            package_sync_all(roots=[Path(folder)])
            user = get_user_model().objects.create_user("bench", password="bench-password-0123")
            client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

            url = f"/api/bots/{BOT}/messages"
            hello = {"text": "hi", "user": "bench"}
            first = client.post(url, hello, content_type="application/json", secure=True)
            assert first.status_code == 200, (first.status_code, first.headers)
            body = first.json()
            assert [r["text"] for r in body["replies"]] == ["Ready"], body
            conversation = body["conversation"]

            def turn(index: int) -> None:
                payload = {"text": f"m{index}", "user": "bench", "conversation": conversation}
                response = client.post(url, payload, content_type="application/json", secure=True)
                replies = response.json()["replies"]
                assert response.status_code == 200 and replies[0]["text"] == f"You said m{index}", replies

            def plain(index: int) -> None:
                response = client.post(
                    "/bench/plain", {"text": f"m{index}"}, content_type="application/json", secure=True
                )
                assert response.status_code == 200

            measure(turn, 30)  # warm up both paths (imports, compiled-script caches, connections)
            measure(plain, 30)
            per_round = max(1, options.turns // options.rounds)
            turns: list[float] = []
            plains: list[float] = []
            turn_cpu: list[float] = []
            plain_cpu: list[float] = []
            for _round in range(options.rounds):
                plains += measure(plain, per_round, plain_cpu)
                turns += measure(turn, per_round, turn_cpu)

            with CaptureQueriesContext(connection) as turn_queries:
                turn(len(turns))
            with CaptureQueriesContext(connection) as plain_queries:
                plain(len(plains))

            engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
            print(f"database: {engine}; {len(turns)} requests of each kind, Django test Client in-process")
            turn_p50, turn_cpu_p50 = report("HEAR/TALK turn (REST endpoint)", turns, turn_cpu)
            plain_p50, plain_cpu_p50 = report("plain endpoint, one write", plains, plain_cpu)
            print(f"SQL statements per request: turn {len(turn_queries)}, plain {len(plain_queries)}")
            print(f"p50 ratio turn / plain: {turn_p50 / plain_p50:.1f}x (goal: within 3x)")
            print(f"CPU p50 ratio turn / plain: {turn_cpu_p50 / plain_cpu_p50:.1f}x")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
