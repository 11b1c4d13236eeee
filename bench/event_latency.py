"""Bench (issue 6): how long an event takes to reach its listeners, on real Celery workers,
beside a bare Redis pub/sub hop and a raw Celery round trip measured in the same run.

1. publish -> ON EVENT handler start, p50/p99: from the event's ``created_at`` (stamped as
   PUBLISH EVENT builds the row) to the handler execution's ``started_at`` (stamped when a worker
   claims it, just before its first statement runs; its script is compiled already). One event
   at a time.
2. publish -> WAIT FOR EVENT resume, p50/p99: a workflow stopped at ``WAIT FOR EVENT ... WHERE``
   gets its event; to the execution's ``finished_at`` (its only statement after the wait is
   RETURN, so this is the resume plus one save).
3. Baselines: a bare redis-py publish -> receive on another connection (services mode), and a
   raw Celery round trip (apply_async + get of a no-op task, as bench/workflow_steps.py).
   Goal: event p50 within 5 ms of the bare Redis hop.
4. Where the time goes, p50 of each part (see PARTS): up to delivery's row for the run (commit,
   wake-up through Redis or in-process, delivery's claim and queries), the rest of delivery to
   its commit, and starting the run (in the listener's thread, or after a Celery hop).

Run: .venv/bin/python bench/event_latency.py [--events N] [--workers N]
(embedded defaults on a private GB_VAR_DIR; set DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY to
measure on PostgreSQL and Redis; the bench makes its own database test_<name>_bench.)
"""

from __future__ import annotations

import argparse
import queue
import tempfile
import threading
import time
import uuid
from pathlib import Path

from workflow_support import (  # noqa: I001 - sets up Django first
    Processes,
    bench_database,
    mode,
    percentile,
    raw_round_trips,
    settings,
)

BOT = "benchevents"
HANDLERS = 'ON EVENT "ping" DO\n  x = event.n\nEND ON\n'
WAITER = 'got = WAIT FOR EVENT "pong" WHERE event.n = target\nRETURN got.n\n'


def events_bot():
    """A bot with one ON EVENT "ping" handler and a workflow that waits for "pong"."""
    from bots.models import Bot
    from bots.services import package_sync_all

    folder = Path(tempfile.mkdtemp(prefix="gb-bench-pkg-"))
    dialogs = folder / f"{BOT}.gbai" / f"{BOT}.gbdialog"
    dialogs.mkdir(parents=True)
    (dialogs / "handlers.bas").write_text(HANDLERS, encoding="utf-8")
    (dialogs / "waiter.bas").write_text(WAITER, encoding="utf-8")
    package_sync_all(roots=[folder])
    return Bot.objects.get(name=BOT)


def event_processes(workers: int) -> Processes:
    """Worker processes whose listeners hear a private events channel (this process's too)."""
    settings.GB_EVENTS_CHANNEL = f"gbbench-events-{uuid.uuid4().hex[:10]}"
    return Processes(workers=workers, GB_EVENTS_CHANNEL=settings.GB_EVENTS_CHANNEL)


def wait_listening(workers: int, timeout: float = 30) -> None:
    """Services mode: until every worker's listener is subscribed to the events channel."""
    if not settings.REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    channel = settings.GB_EVENTS_CHANNEL
    deadline = time.monotonic() + timeout
    while dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"the workers' event listeners did not subscribe within {timeout} s")
        time.sleep(0.05)
    client.close()


def publish(bot, name: str, n: int):
    from events.services import event_publish

    event, _created = event_publish(bot=bot, name=name, data={"n": n})
    return event


def _poll(fetch, timeout: float = 60, poll: float = 0.002):
    deadline = time.monotonic() + timeout
    while (found := fetch()) is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"nothing after {timeout} s: is a worker running? ({fetch.__doc__})")
        time.sleep(poll)
    return found


def handler_starts(bot, count: int) -> list[dict[str, float]]:
    """Publish "ping" ``count`` times, one at a time; the parts of each one's latency (seconds)."""
    from workflows.models import WorkflowExecution

    samples = []
    for n in range(count):
        event = publish(bot, "ping", n)

        def finished(event_id=event.pk):
            """the handler run of a ping to finish"""
            return (
                WorkflowExecution.objects.filter(handler_run__event_id=event_id, finished_at__isnull=False)
                .values("created_at", "started_at", "status")
                .first()
            )

        run = _poll(finished)
        assert run["status"] == "completed", run
        event.refresh_from_db()
        samples.append({
            "total": (run["started_at"] - event.created_at).total_seconds(),
            "reach": (run["created_at"] - event.created_at).total_seconds(),
            "commit": (event.delivered_at - run["created_at"]).total_seconds(),
            "run": (run["started_at"] - event.delivered_at).total_seconds(),
        })
    return samples


def waiter_resumes(bot, count: int) -> list[dict[str, float]]:
    """Start a workflow that waits for "pong", publish its pong once it waits; ``count`` times."""
    from bots.runtime.scripts import dialog_script
    from events.models import EventWaiter
    from workflows.models import WorkflowExecution
    from workflows.services import workflow_start

    script = dialog_script(bot, "waiter")
    samples = []
    for n in range(count):
        execution = workflow_start(bot=bot, script=script, inputs={"target": n})

        def waiting(pk=execution.pk):
            """a workflow to wait for its event"""
            return WorkflowExecution.objects.filter(pk=pk, status="waiting").values("pk").first()

        _poll(waiting)
        event = publish(bot, "pong", n)

        def finished(pk=execution.pk):
            """a waiting workflow to resume and finish"""
            return WorkflowExecution.objects.filter(pk=pk, finished_at__isnull=False).values(
                "finished_at", "result"
            ).first()

        run = _poll(finished)
        assert run["result"] == n, run
        waiter = EventWaiter.objects.get(execution_id=execution.pk)
        event.refresh_from_db()
        samples.append({
            "total": (run["finished_at"] - event.created_at).total_seconds(),
            "reach": (waiter.ended_at - event.created_at).total_seconds(),
            "commit": (event.delivered_at - waiter.ended_at).total_seconds(),
            "run": (run["finished_at"] - event.delivered_at).total_seconds(),
        })
    return samples


def redis_hops(count: int) -> list[float]:
    """Seconds from a redis-py publish to its receipt by a subscriber thread on another connection."""
    import redis

    channel = f"gbbench-bare-{uuid.uuid4().hex[:10]}"
    received: queue.Queue[float] = queue.Queue()
    subscriber = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(channel)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            if subscriber.get_message(timeout=0.5) is not None:
                received.put(time.perf_counter())

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    publisher = redis.Redis.from_url(settings.REDIS_URL)
    while not dict(publisher.pubsub_numsub(channel)).get(channel.encode()):
        time.sleep(0.01)
    hops = []
    for n in range(count):
        sent = time.perf_counter()
        publisher.publish(channel, str(n))
        hops.append(received.get(timeout=10) - sent)
    stop.set()
    thread.join()
    subscriber.close()
    publisher.close()
    return hops


def line(label: str, samples: list[float]) -> float:
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    print(f"  {label:<46} p50 {p50 * 1000:8.2f} ms   p99 {p99 * 1000:8.2f} ms   (n={len(samples)})")
    return p50


# Each latency in three: publish (commit, wake-up, delivery) up to the listener's row for the run
# (the handler execution, or the waiter's end), the rest of delivery to its commit (delivered_at
# is stamped last), then starting the handler (or resuming and finishing the waiting workflow).
PARTS = (("to the run's row", "reach"), ("delivery's rest", "commit"), ("run start / resume+finish", "run"))


def parts(label: str, samples: list[dict[str, float]]) -> float:
    p50 = line(label, [s["total"] for s in samples])
    split = ", ".join(
        f"{name} {percentile([s[key] for s in samples], 0.5) * 1000:.2f}"
        for name, key in PARTS
    )
    print(f"    p50 parts (ms): {split}")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="Events of each kind, one at a time.")
    parser.add_argument("--workers", type=int, default=2, help="Worker processes (solo pool).")
    parser.add_argument("--rounds", type=int, default=4, help="Alternating blocks of each measure.")
    options = parser.parse_args()
    per_round = max(1, options.events // options.rounds)

    with bench_database():
        bot = events_bot()
        with event_processes(options.workers) as processes:
            wait_listening(options.workers)
            raw_round_trips(processes.queue, 20)  # warm up: imports, connections, compiled scripts
            handler_starts(bot, 10)
            waiter_resumes(bot, 5)
            bare: list[float] = []
            raw: list[float] = []
            handlers: list[dict[str, float]] = []
            waiters: list[dict[str, float]] = []
            for _ in range(options.rounds):
                if settings.REDIS_URL:
                    bare += redis_hops(per_round)
                raw += raw_round_trips(processes.queue, per_round)
                handlers += handler_starts(bot, per_round)
                waiters += waiter_resumes(bot, per_round)

    print(f"event latency on {options.workers} worker processes (solo pool); {mode()}")
    bare_p50 = line("bare redis-py publish -> receive", bare) if bare else None
    if bare_p50 is None:
        print(f"  {'bare redis-py publish -> receive':<46} n/a: embedded mode has no Redis")
    raw_p50 = line("raw Celery no-op task, apply_async + get", raw)
    handler_p50 = parts("publish -> ON EVENT handler start", handlers)
    waiter_p50 = parts("publish -> WAIT FOR EVENT resumed (finished)", waiters)
    for label, p50 in (("handler start", handler_p50), ("waiter resume", waiter_p50)):
        versus = f"{(p50 - bare_p50) * 1000:+.2f} ms vs bare Redis (goal <= +5 ms), " if bare_p50 else ""
        print(f"  {label}: {versus}{p50 / raw_p50:.2f}x the raw Celery round trip")


if __name__ == "__main__":
    main()
