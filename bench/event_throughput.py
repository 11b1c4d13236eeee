"""Bench (issue 6): sustained events per second on real Celery workers, beside raw Celery no-op
tasks per second measured in the same run on the same workers.

``--burst`` events are published back to back, each reaching one ON EVENT handler (a run of its
own, as the bus starts them). Printed, median of the rounds:

- published/s: events over the time the publishing loop took (rows written, wake-ups sent);
- delivered/s: events over first ``created_at`` to last ``delivered_at`` (handler rows made);
- handled/s: events over first ``created_at`` to last handler ``finished_at``;

beside raw Celery no-op tasks per second (all sent at once, until the last result is in): the
plainest work the same workers can do (a handled event is a delivery and a handler run).
Baseline also printed: bare redis-py publishes per second (services mode).

Run: .venv/bin/python bench/event_throughput.py [--burst N] [--rounds N] [--workers N]
(embedded defaults on a private GB_VAR_DIR; set DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY to
measure on PostgreSQL and Redis; the bench makes its own database test_<name>_bench.)
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from event_latency import event_processes, events_bot, publish, wait_listening  # noqa: I001 - sets up Django first
from workflow_support import bench_database, mode, raw_throughput, settings


def burst(bot, count: int, timeout: float = 600) -> dict[str, float]:
    """Publish ``count`` pings back to back; rates per second once every handler has finished."""
    from django.db.models import Max, Min

    from events.models import WorkflowEvent
    from workflows.models import WorkflowExecution

    started = time.perf_counter()
    ids = [publish(bot, "ping", n).pk for n in range(count)]
    published = count / (time.perf_counter() - started)
    handlers = WorkflowExecution.objects.filter(handler_run__event_id__in=ids)
    deadline = time.monotonic() + timeout
    while handlers.filter(finished_at__isnull=False).count() < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} events were not all handled within {timeout} s")
        time.sleep(0.05)  # the figures come from row timestamps: polling gently spares the workers
    if handlers.exclude(status="completed").exists():
        raise SystemExit("a handler run did not complete")
    events = WorkflowEvent.objects.filter(pk__in=ids).aggregate(
        first=Min("created_at"), delivered=Max("delivered_at")
    )
    finished = handlers.aggregate(last=Max("finished_at"))["last"]
    return {
        "published": published,
        "delivered": count / (events["delivered"] - events["first"]).total_seconds(),
        "handled": count / (finished - events["first"]).total_seconds(),
    }


def redis_publishes(count: int) -> float:
    """Bare redis-py publishes per second to a channel one subscriber hears."""
    import redis

    channel = f"gbbench-bare-{uuid.uuid4().hex[:10]}"
    subscriber = redis.Redis.from_url(settings.REDIS_URL).pubsub()
    subscriber.subscribe(channel)
    client = redis.Redis.from_url(settings.REDIS_URL)
    started = time.perf_counter()
    for n in range(count):
        client.publish(channel, str(n))
    rate = count / (time.perf_counter() - started)
    subscriber.close()
    client.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=1000, help="Events published back to back per round.")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds of each measure.")
    parser.add_argument("--workers", type=int, default=2, help="Worker processes (solo pool).")
    options = parser.parse_args()

    with bench_database():
        bot = events_bot()
        with event_processes(options.workers) as processes:
            wait_listening(options.workers)
            raw_throughput(processes.queue, 100)  # warm up
            burst(bot, 50)
            raw_rates, bare_rates, rounds = [], [], []
            for _ in range(options.rounds):
                raw_rates.append(raw_throughput(processes.queue, options.burst))
                if settings.REDIS_URL:
                    bare_rates.append(redis_publishes(options.burst))
                rounds.append(burst(bot, options.burst))

    print(f"event throughput, {options.burst} events at once, {options.workers} worker processes "
          f"(solo pool); {mode()}; median of {options.rounds}")
    raw = statistics.median(raw_rates)
    rows = [("raw Celery no-op tasks", raw, raw_rates)]
    if bare_rates:
        rows.append(("bare redis-py publishes", statistics.median(bare_rates), bare_rates))
    rows += [(f"events {key}", statistics.median(r[key] for r in rounds), [r[key] for r in rounds])
             for key in ("published", "delivered", "handled")]
    for label, rate, samples in rows:
        print(f"  {label:<26} {rate:8.0f}/s   (rounds: {', '.join(f'{r:.0f}' for r in samples)})")
    handled = statistics.median(r["handled"] for r in rounds)
    print(f"  handled events / raw Celery tasks: {handled / raw:.0%}")


if __name__ == "__main__":
    main()
