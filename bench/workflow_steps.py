"""Bench (issue 5): the cost of a workflow step on real Celery workers, beside raw Celery in the
same run, on the same two worker processes (solo pool), the same broker and database.

1. Per-step overhead of a 10-step no-op workflow, p50/p99, from StepRun ``started_at`` deltas
   (step k+1 began minus step k began; for step 10, the workflow's ``finished_at``), workflows run
   one at a time; beside the round trip (apply_async + get) of a no-op Celery task, one at a
   time. Goal: our step p50 <= 2x the raw round trip p50. Also printed: a whole 10-step workflow,
   start to completed, as seen by the caller.
2. No-op steps per second with many 10-step workflows at once, beside no-op Celery tasks per
   second (all sent at once). Goal: >= 50 %.

Run: .venv/bin/python bench/workflow_steps.py [--workflows N] [--round-trips N] [--burst N]
(embedded defaults on a private GB_VAR_DIR; set DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY to
measure on PostgreSQL and Redis; the bench makes its own database test_<name>_bench.)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from workflow_support import (  # noqa: I001 - sets up Django first
    Processes,
    bench_database,
    mode,
    percentile,
    raw_round_trips,
    raw_throughput,
)

BOT = "benchsteps"
STEPS = 10
FLOW = 'ORCHESTRATE WORKFLOW "noop"\n' + "".join(f"STEP {n}: x = {n}\n" for n in range(1, STEPS + 1)) + (
    "END WORKFLOW\n"
)


def _bot():
    from bots.models import Bot
    from bots.services import package_sync_all

    folder = Path(tempfile.mkdtemp(prefix="gb-bench-pkg-"))
    dialogs = folder / f"{BOT}.gbai" / f"{BOT}.gbdialog"
    dialogs.mkdir(parents=True)
    (dialogs / "flow.bas").write_text(FLOW, encoding="utf-8")
    package_sync_all(roots=[folder])
    return Bot.objects.get(name=BOT)


def _start(bot, script) -> int:
    from workflows.services import workflow_start

    return workflow_start(bot=bot, script=script).pk


def _wait_all(ids: list[int], timeout: float = 300, poll: float = 0.002) -> None:
    from workflows.models import WorkflowExecution

    deadline = time.monotonic() + timeout
    while WorkflowExecution.objects.filter(pk__in=ids, finished_at__isnull=True).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"workflows did not finish in {timeout} s")
        time.sleep(poll)
    failed = WorkflowExecution.objects.filter(pk__in=ids).exclude(status="completed").values_list(
        "error", flat=True
    )
    if failed:
        raise SystemExit(f"a bench workflow did not complete: {failed[0]}")


def _step_deltas(ids: list[int]) -> list[float]:
    from workflows.models import StepRun, WorkflowExecution

    finished = dict(WorkflowExecution.objects.filter(pk__in=ids).values_list("pk", "finished_at"))
    starts: dict[int, list[datetime]] = {}
    for execution, began in StepRun.objects.filter(execution_id__in=ids).order_by("seq").values_list(
        "execution_id", "started_at"
    ):
        starts.setdefault(execution, []).append(began)
    deltas = []
    for execution, began in starts.items():
        assert len(began) == STEPS, began
        marks = [*began, finished[execution]]
        deltas += [(b - a).total_seconds() for a, b in zip(marks, marks[1:], strict=False)]
    return deltas


def _sequential(bot, script, count: int) -> tuple[list[float], list[float]]:
    """Run ``count`` workflows one at a time: (per-step deltas, whole-run seconds)."""
    ids, whole = [], []
    for _ in range(count):
        started = time.perf_counter()
        pk = _start(bot, script)
        _wait_all([pk])
        whole.append(time.perf_counter() - started)
        ids.append(pk)
    return _step_deltas(ids), whole


def _burst(bot, script, count: int) -> float:
    """Steps per second with ``count`` workflows started at once."""
    from django.db.models import Max
    from django.utils import timezone

    from workflows.models import WorkflowExecution

    began = timezone.now()
    ids = [_start(bot, script) for _ in range(count)]
    _wait_all(ids, poll=0.02)  # the time comes from finished_at: polling gently takes no CPU from workers
    ended = WorkflowExecution.objects.filter(pk__in=ids).aggregate(last=Max("finished_at"))["last"]
    return count * STEPS / (ended - began).total_seconds()


def line(label: str, samples: list[float]) -> tuple[float, float]:
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    print(f"  {label:<52} p50 {p50 * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms   (n={len(samples)})")
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=60, help="10-step workflows run one at a time.")
    parser.add_argument("--round-trips", type=int, default=300, help="Raw Celery round trips.")
    parser.add_argument("--burst", type=int, default=100, help="Workflows started at once (x10 steps).")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating blocks of each measure.")
    options = parser.parse_args()

    from bots.runtime.scripts import dialog_script

    with bench_database():
        bot = _bot()
        script = dialog_script(bot, "flow")
        with Processes(workers=2) as processes:
            queue = processes.queue
            raw_round_trips(queue, 30)  # warm up: imports, connections, compiled-script caches
            _sequential(bot, script, 5)
            raw_throughput(queue, 100)

            raw: list[float] = []
            steps: list[float] = []
            whole: list[float] = []
            for _ in range(options.rounds):
                raw += raw_round_trips(queue, options.round_trips // options.rounds)
                deltas, runs = _sequential(bot, script, options.workflows // options.rounds)
                steps += deltas
                whole += runs
            raw_rates: list[float] = []
            step_rates: list[float] = []
            for _ in range(options.rounds):
                raw_rates.append(raw_throughput(queue, options.burst * STEPS))
                step_rates.append(_burst(bot, script, options.burst))

    print(f"workflow steps on 2 worker processes (solo pool); {mode()}")
    print("latency, one at a time:")
    raw_p50, raw_p99 = line("raw Celery no-op task, apply_async + get", raw)
    step_p50, step_p99 = line(f"workflow step (StepRun started_at deltas, {STEPS}/run)", steps)
    whole_p50, _ = line(f"whole {STEPS}-step workflow, start -> completed", whole)
    print(f"  step / raw round trip: p50 {step_p50 / raw_p50:.2f}x, p99 {step_p99 / raw_p99:.2f}x "
          f"(goal p50 <= 2x); whole run / {STEPS} = {whole_p50 / STEPS / raw_p50:.2f}x")
    raw_rate, step_rate = statistics.median(raw_rates), statistics.median(step_rates)
    print(f"throughput, {options.burst} workflows ({options.burst * STEPS} steps) / "
          f"{options.burst * STEPS} tasks at once, median of {options.rounds}:")
    for label, rate, rounds in (("raw Celery no-op tasks", raw_rate, raw_rates),
                                ("no-op workflow steps", step_rate, step_rates)):
        print(f"  {label:<26} {rate:8.0f}/s   (rounds: {', '.join(f'{r:.0f}' for r in rounds)})")
    print(f"  steps / raw tasks: {step_rate / raw_rate:.0%} (goal >= 50 %)")


if __name__ == "__main__":
    main()
