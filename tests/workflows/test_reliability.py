"""Reliability (issue 5, item 7): 200 workflows in flight on two real worker processes survive a
worker SIGKILLed in the middle of its steps, and a broker restart that loses every queued
message. Each step writes one row to a bot table in the transaction of its segment; in the end
every workflow has completed, every (workflow, step) has exactly one row, and nothing is left
running.

Services mode uses a private redis-server (never the shared one); embedded mode's broker is
kombu's message folder, whose "restart" is stopping the workers and deleting the queued files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connection

from bots.models import BotTable
from bots.runtime.scripts import dialog_script
from tests.workflows.reliability_support import (
    PrivateRedis,
    WorkerPool,
    drive,
    new_queue,
    pool_used_here,
    private_redis_for,
    queued_message_files,
    wait_for,
)
from tests.workflows.support import make_bot
from workflows.models import ExecutionStatus, StepRun, StepStatus, WorkflowExecution
from workflows.services import workflow_start

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

WORKFLOWS = 200
STEPS = ["1", "2", "3"]
TABLES = "TABLE effects\n    wf string(20)\n    label string(10)\nEND TABLE\n"
# A little work in steps 1 and 3 so a kill lands inside a step; a DELAY in step 2 so timers and
# the sweep are part of what must survive.
FLOW = """ORCHESTRATE WORKFLOW "reliable"
STEP 1:
  INSERT "effects", #{wf: wf, label: "1"}
  total = 0
  FOR i = 1 TO 200
    total = total + i
  NEXT
STEP 2:
  INSERT "effects", #{wf: wf, label: "2"}
  DELAY 0.05
STEP 3:
  INSERT "effects", #{wf: wf, label: "3"}
  FOR i = 1 TO 200
    total = total - i
  NEXT
END WORKFLOW
RETURN wf + ":" + total
"""
ACTIVE = (ExecutionStatus.RUNNING, ExecutionStatus.WAITING)


@pytest.fixture
def private_redis(settings) -> Iterator[PrivateRedis | None]:
    with private_redis_for(settings) as server:
        yield server


@pytest.fixture
def pool(transactional_db, private_redis, tmp_path, settings) -> Iterator[WorkerPool]:
    workers = WorkerPool(
        queue=new_queue(), log_dir=tmp_path, redis_url=private_redis.url if private_redis else ""
    )
    with pool_used_here(workers, settings):
        yield workers


def _start_all(make_package) -> tuple[list[int], dict[int, str], str]:
    """Start the workflows; returns their ids, each one's tag, and the effects table."""
    bot = make_bot(make_package, "reliable", {"tables.bas": TABLES, "flow.bas": FLOW})
    script = dialog_script(bot, "flow")
    assert script is not None
    tags: dict[int, str] = {}
    for index in range(WORKFLOWS):
        execution = workflow_start(bot=bot, script=script, inputs={"wf": f"w{index}"})
        tags[execution.pk] = f"w{index}"
    return list(tags), tags, BotTable.objects.get(bot=bot, name="effects").db_table


def _effects(table: str) -> Counter:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT wf, label FROM {connection.ops.quote_name(table)}")
        return Counter(cursor.fetchall())


def _steps_running() -> bool:
    return StepRun.objects.filter(status=StepStatus.RUNNING).exists()


def _assert_exactly_once(ids: list[int], tags: dict[int, str], table: str) -> None:
    finals = dict(WorkflowExecution.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert Counter(finals.values()) == {ExecutionStatus.COMPLETED: WORKFLOWS}
    results = dict(WorkflowExecution.objects.filter(pk__in=ids).values_list("pk", "result"))
    assert results == {pk: f"{tag}:0" for pk, tag in tags.items()}
    effects = _effects(table)
    expected = Counter({(tag, label): 1 for tag in tags.values() for label in STEPS})
    assert effects == expected, (
        f"twice: {[k for k, n in effects.items() if n > 1][:10]}; missing: {list(expected - effects)[:10]}"
    )
    assert not WorkflowExecution.objects.filter(status__in=ACTIVE).exists()
    assert not StepRun.objects.filter(status=StepStatus.RUNNING).exists()
    steps = Counter(StepRun.objects.filter(execution_id__in=ids).values_list("step", "status"))
    assert steps == {(label, StepStatus.COMPLETED): WORKFLOWS for label in STEPS}


def test_a_worker_sigkilled_in_the_middle_of_steps_loses_and_repeats_nothing(make_package, pool) -> None:
    first, _second = pool.start(2)
    ids, tags, table = _start_all(make_package)

    # Kill the first worker while it holds an execution in the middle of a step.
    def victim_busy() -> bool:
        return _steps_running() and WorkflowExecution.objects.filter(
            lease_owner=first.name, status=ExecutionStatus.RUNNING
        ).exists()

    wait_for(lambda: len(_effects(table)) >= WORKFLOWS // 2 and victim_busy(), timeout=120,
             what="the first worker to be in the middle of a step")
    held = set(WorkflowExecution.objects.filter(lease_owner=first.name, status=ExecutionStatus.RUNNING)
               .values_list("pk", flat=True))
    pool.kill(first)
    assert first.process.returncode == -9
    assert held, "the worker held no execution when it was killed"
    pool.start(1)

    drive(ids, timeout=240, pool=pool)
    _assert_exactly_once(ids, tags, table)
    # What the killed worker was in the middle of was finished by the others, each step once.
    finished = WorkflowExecution.objects.filter(pk__in=held, status=ExecutionStatus.COMPLETED)
    assert finished.count() == len(held)


def test_a_broker_restart_that_loses_queued_messages_is_recovered_by_the_reaper(
    make_package, pool, private_redis
) -> None:
    pool.start(2)
    ids, tags, table = _start_all(make_package)
    wait_for(lambda: len(_effects(table)) >= WORKFLOWS // 2 and _steps_running(), timeout=120,
             what="steps running with messages still queued")

    if private_redis is not None:
        # Services: restart the broker under running workers; without persistence it comes back empty.
        queued = private_redis.client().llen(pool.queue)
        private_redis.restart()
        assert private_redis.client().llen(pool.queue) == 0
    else:
        # Embedded: the broker is the message folder; stop its users, lose what it holds, start again.
        for worker in pool.alive():
            pool.kill(worker)
        files = queued_message_files(pool.queue)
        queued = len(files)
        for path in files:
            path.unlink()
        pool.start(2)
    assert queued > 0, "no message was queued when the broker lost its messages"

    drive(ids, timeout=240, pool=pool)
    _assert_exactly_once(ids, tags, table)
