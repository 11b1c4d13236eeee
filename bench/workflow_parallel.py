"""Bench (issue 5): wall time of a 5-branch PARALLEL whose branches each DELAY 1 (a 1-second wait
that holds no worker), beside 1 second and beside a workflow that waits one DELAY 1 alone, in the
same run, on two worker processes (solo pool) and a real celery beat process.

Timers are database rows fired by the sweep task the workflows migration registers with beat's
DatabaseScheduler (every 200 ms); the bench points that periodic task at its private queue. The
wall time is taken by the caller: from just before workflow_start to the poll (every 2 ms) that
sees the workflow completed. Goal: the PARALLEL's p50 < 1.3 s.

Run: .venv/bin/python bench/workflow_parallel.py [--runs N]
(embedded defaults on a private GB_VAR_DIR; set DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY to
measure on PostgreSQL and Redis; the bench makes its own database test_<name>_bench.)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from workflow_support import Processes, bench_database, mode, percentile  # noqa: I001 - sets up Django first

BOT = "benchfan"
BRANCHES = "ABCDE"
PARALLEL = (
    'ORCHESTRATE WORKFLOW "fan"\nSTEP 1: PARALLEL\n'
    + "".join(f"  BRANCH {name}:\n    DELAY 1\n" for name in BRANCHES)
    + "END PARALLEL\nEND WORKFLOW\n"
)
SINGLE = 'ORCHESTRATE WORKFLOW "one"\nSTEP 1: DELAY 1\nEND WORKFLOW\n'


def _bot():
    from bots.models import Bot
    from bots.services import package_sync_all

    folder = Path(tempfile.mkdtemp(prefix="gb-bench-pkg-"))
    dialogs = folder / f"{BOT}.gbai" / f"{BOT}.gbdialog"
    dialogs.mkdir(parents=True)
    (dialogs / "fan.bas").write_text(PARALLEL, encoding="utf-8")
    (dialogs / "one.bas").write_text(SINGLE, encoding="utf-8")
    package_sync_all(roots=[folder])
    return Bot.objects.get(name=BOT)


def _wall(bot, script) -> float:
    """Seconds from start to completed, as the caller sees it."""
    from workflows.models import ExecutionStatus, WorkflowExecution
    from workflows.services import workflow_start

    started = time.perf_counter()
    pk = workflow_start(bot=bot, script=script).pk
    deadline = started + 60
    while True:
        status, error = WorkflowExecution.objects.filter(pk=pk).values_list("status", "error").get()
        if status == ExecutionStatus.COMPLETED:
            return time.perf_counter() - started
        if status in (ExecutionStatus.FAILED, ExecutionStatus.CANCELLED):
            raise SystemExit(f"the bench workflow {status}: {error}")
        if time.perf_counter() > deadline:
            raise SystemExit("the bench workflow did not complete in 60 s: is beat's sweep running?")
        time.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="Runs of each workflow, alternating.")
    options = parser.parse_args()

    from bots.runtime.scripts import dialog_script

    with bench_database():
        bot = _bot()
        fan, one = dialog_script(bot, "fan"), dialog_script(bot, "one")
        with Processes(workers=2, beat=True):
            _wall(bot, fan)  # warm up: imports, compiled-script caches, connections
            _wall(bot, one)
            fans: list[float] = []
            ones: list[float] = []
            for _ in range(options.runs):
                fans.append(_wall(bot, fan))
                ones.append(_wall(bot, one))

    print(f"{len(BRANCHES)}-branch PARALLEL of DELAY 1 on 2 worker processes + celery beat; {mode()}")
    for label, samples in (("baseline: 1 second", [1.0]), ("one DELAY 1, no PARALLEL", ones),
                           (f"PARALLEL of {len(BRANCHES)} x DELAY 1", fans)):
        p50, worst = percentile(samples, 0.5), max(samples)
        print(f"  {label:<32} p50 {p50:6.3f} s  ({p50:.2f}x 1 s)   max {worst:6.3f} s   (n={len(samples)})")
    print(f"  PARALLEL p50 / single DELAY p50: {percentile(fans, 0.5) / percentile(ones, 0.5):.2f}x; "
          f"goal: PARALLEL p50 < 1.3 s")


if __name__ == "__main__":
    main()
