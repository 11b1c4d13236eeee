"""Workflow semantics, run in the foreground with the engine code the workers use: variables
across steps and branches, RETRY with back-off, step TIMEOUT, failures, cancel and resume."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.workflows.support import make_bot, run_here, start
from workflows.engine import LocalDispatch
from workflows.engine.foreground import run_foreground
from workflows.models import ExecutionKind, ExecutionStatus, StepRun, WorkflowExecution, WorkflowTimer
from workflows.services import WorkflowError, workflow_cancel, workflow_resume

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def steps_of(execution: WorkflowExecution) -> list[tuple[str, int, str]]:
    return list(StepRun.objects.filter(execution=execution).values_list("step", "attempt", "status"))


def test_variables_flow_through_steps_if_blocks_and_branches(make_package) -> None:
    bot = make_bot(
        make_package,
        "flows",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "vars"
total = 10
STEP 1 "prepare":
  total = total + 5
IF total > 12 THEN
  STEP 2: TALK "big " + total
ELSE
  STEP 2: TALK "small"
END IF
STEP 3: PARALLEL
  BRANCH A:
    left = total * 2
  BRANCH B:
    right = total + 1
    total = 0
END PARALLEL
TALK left + "/" + right + "/" + total
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    assert outcome.execution.status == ExecutionStatus.COMPLETED, outcome.execution.error
    assert said == ["big 15", "30/16/0"]
    assert steps_of(outcome.execution) == [
        ("1", 1, "completed"),
        ("2", 1, "completed"),
        ("3", 1, "completed"),
    ]
    first = StepRun.objects.get(execution=outcome.execution, seq=1)
    assert (first.title, first.input, first.output) == ("prepare", {"total": 10}, {"total": 15})


@pytest.fixture
def flaky_service(settings) -> Iterator[tuple[str, list[int]]]:
    """A real HTTP server on 127.0.0.1 that fails its first two requests with 503."""
    settings.GB_HTTP_ALLOW_PRIVATE = True
    hits: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(1)
            status = 503 if len(hits) <= 2 else 200
            body = b'{"ok": true}' if status == 200 else b"busy"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/charge", hits
    server.shutdown()


def test_retry_runs_the_step_again_from_its_checkpoint(make_package, flaky_service) -> None:
    url, hits = flaky_service
    bot = make_bot(
        make_package,
        "payer",
        {
            "flow.bas": f"""ORCHESTRATE WORKFLOW "pay"
tries = 0
STEP 1: TALK "start"
STEP 2 "charge":
  RETRY 3
  tries = tries + 1
  answer = GET "{url}"
STEP 3: TALK "ok=" + answer.ok + " tries=" + tries
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    execution = outcome.execution
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    # Each attempt began at the step's checkpoint, where tries was still 0.
    assert said == ["start", "ok=true tries=1"]
    assert len(hits) == 3
    assert steps_of(execution) == [
        ("1", 1, "completed"),
        ("2", 1, "failed"),
        ("2", 2, "failed"),
        ("2", 3, "completed"),
        ("3", 1, "completed"),
    ]
    assert (
        StepRun.objects.filter(execution=execution, seq=2).values_list("title", flat=True).distinct().get()
        == "charge"
    )
    failed = StepRun.objects.filter(execution=execution, status="failed").first()
    assert "answered HTTP 503" in failed.error and "flow.bas:7:" in failed.error


def test_a_step_fails_for_good_when_its_retries_are_spent(make_package, flaky_service) -> None:
    url, hits = flaky_service
    bot = make_bot(
        make_package,
        "payer",
        {
            "flow.bas": f"""ORCHESTRATE WORKFLOW "pay"
STEP 1:
  RETRY 1
  answer = GET "{url}"
STEP 2: TALK "never"
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    execution = outcome.execution
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error.startswith("payer.gbdialog/flow.bas:4:12: GET http://127.0.0.1:")
    assert execution.error.endswith("answered HTTP 503: busy")
    assert said == [] and len(hits) == 2
    assert steps_of(execution) == [("1", 1, "failed"), ("1", 2, "failed")]


def test_resuming_a_failed_workflow_skips_the_steps_that_completed(make_package, flaky_service) -> None:
    url, hits = flaky_service
    bot = make_bot(
        make_package,
        "payer",
        {
            "flow.bas": f"""ORCHESTRATE WORKFLOW "pay"
STEP 1: TALK "step one"
  SET BOT MEMORY "one", "done"
STEP 2: answer = GET "{url}"
STEP 3: TALK "paid"
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    execution = outcome.execution
    assert execution.status == ExecutionStatus.FAILED and said == ["step one"]
    for _ in range(2):  # the service fails once more, then answers
        dispatch = LocalDispatch()
        workflow_resume(execution, dispatch=dispatch)
        again = run_foreground(execution, dispatch, on_talk=lambda _e, m: said.append(m.content))
    assert again.execution.status == ExecutionStatus.COMPLETED, again.execution.error
    assert said == ["step one", "paid"]  # step 1 did not run again
    assert bot.memories.get(key="one").value == "done"
    with pytest.raises(WorkflowError, match="only a failed workflow can be resumed"):
        workflow_resume(execution, dispatch=LocalDispatch())
    assert steps_of(execution) == [
        ("1", 1, "completed"),
        ("2", 1, "failed"),
        ("2", 2, "failed"),
        ("2", 3, "completed"),
        ("3", 1, "completed"),
    ]


def test_a_failed_branch_fails_the_parallel_naming_it_and_cancels_the_others(make_package) -> None:
    bot = make_bot(
        make_package,
        "fan",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "fan"
STEP 1: PARALLEL
  BRANCH slow:
    DELAY 30
    TALK "slow done"
  BRANCH broken:
    x = 1 / 0
END PARALLEL
TALK "after"
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    execution = outcome.execution
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == (
        "fan.gbdialog/flow.bas:2:9: PARALLEL: branch broken failed: "
        "fan.gbdialog/flow.bas:7:5: division by zero: 1 / 0"
    )
    assert said == []
    branches = dict(execution.children.filter(kind=ExecutionKind.BRANCH).values_list("branch", "status"))
    assert branches == {"slow": "cancelled", "broken": "failed"}
    assert not execution.children.get(branch="slow").timers.filter(fired_at__isnull=True).exists()


def test_a_step_timeout_fails_a_step_that_waits_too_long(make_package) -> None:
    bot = make_bot(
        make_package,
        "slowpoke",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "slow"
STEP 1:
  TIMEOUT 0.2
  DELAY 30
STEP 2: TALK "never"
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    execution = outcome.execution
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == "STEP 1 timed out: it had not ended 0.2 seconds after it began"
    assert said == []


def test_a_workflow_cannot_hear_and_says_where(make_package) -> None:
    bot = make_bot(make_package, "asker", {"flow.bas": 'ORCHESTRATE WORKFLOW "ask"\nSTEP 1:\n  HEAR name\n'})
    outcome, _said = run_here(bot, "flow")
    assert outcome.execution.status == ExecutionStatus.FAILED
    assert outcome.execution.error.startswith(
        "asker.gbdialog/flow.bas:3:3: a workflow cannot wait for a user's message"
    )


def test_an_unknown_bot_is_reported_at_the_bot_step(make_package) -> None:
    bot = make_bot(
        make_package, "caller", {"flow.bas": 'ORCHESTRATE WORKFLOW "call"\nSTEP 1: x = BOT "nobody" "hi"\n'}
    )
    outcome, _said = run_here(bot, "flow")
    error = outcome.execution.error
    assert outcome.execution.status == ExecutionStatus.FAILED
    assert error.startswith("caller.gbdialog/flow.bas:2:13:") and 'there is no active bot "nobody"' in error


def test_step_outside_a_workflow_is_an_error_at_run_time(make_package) -> None:
    bot = make_bot(make_package, "loose", {"flow.bas": 'TALK "a"\nSTEP 1: TALK "b"\n'})
    outcome, said = run_here(bot, "flow")
    assert said == ["a"]
    assert (
        outcome.execution.error
        == 'loose.gbdialog/flow.bas:2:1: STEP must come after ORCHESTRATE WORKFLOW "name"'
    )


def test_cancel_stops_a_waiting_workflow_and_its_children(make_package) -> None:
    bot = make_bot(
        make_package,
        "waiter",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "wait"
STEP 1: PARALLEL
  BRANCH a:
    DELAY 60
  BRANCH b:
    DELAY 60
END PARALLEL
"""
        },
    )
    dispatch = LocalDispatch()
    execution = start(bot, "flow", dispatch=dispatch)
    while dispatch.ready:
        from workflows.engine import advance

        advance(dispatch.ready.popleft(), dispatch=dispatch, worker="test")
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.WAITING and execution.waiting_for == "parallel"
    workflow_cancel(execution, reason="no longer needed")
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.CANCELLED and execution.error == "cancelled: no longer needed"
    assert set(execution.children.values_list("status", flat=True)) == {"cancelled"}
    assert not WorkflowTimer.objects.filter(execution__root=execution, fired_at__isnull=True).exists()
    with pytest.raises(WorkflowError, match="already cancelled"):
        workflow_cancel(execution)


def test_bot_runs_the_tool_the_task_names_with_the_workflow_variables(make_package) -> None:
    make_bot(
        make_package,
        "maths",
        {
            "start.bas": 'TALK "general help for " + task\nTALK "second line"\n',
            "double_it.bas": 'PARAM n AS INTEGER DESCRIPTION "a number"\nRETURN n * 2\n',
        },
    )
    bot = make_bot(
        make_package,
        "flow",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "m"
n = 21
STEP 1: doubled = BOT "maths" "double it"
STEP 2: said = BOT "Maths" "explain"
TALK doubled + " | " + said
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    assert outcome.execution.status == ExecutionStatus.COMPLETED, outcome.execution.error
    assert said[-1] == "42 | general help for explain\nsecond line"
    calls = outcome.execution.children.order_by("id")
    assert [(c.script, c.inputs.get("task"), c.result) for c in calls] == [
        ("maths.gbdialog/double_it.bas", "double it", 42),
        ("maths.gbdialog/start.bas", "explain", "general help for explain\nsecond line"),
    ]


def test_a_called_bot_that_fails_fails_the_step_with_its_error(make_package) -> None:
    make_bot(make_package, "asker", {"start.bas": 'TALK "hi"\nHEAR name\n'})
    bot = make_bot(
        make_package, "flow", {"flow.bas": 'ORCHESTRATE WORKFLOW "m"\nSTEP 1: x = BOT "asker" "ask"\n'}
    )
    outcome, _said = run_here(bot, "flow")
    assert outcome.execution.status == ExecutionStatus.FAILED
    assert outcome.execution.error.startswith(
        'flow.gbdialog/flow.bas:2:13: BOT "asker" failed: asker.gbdialog/start.bas:2:1: '
        "a workflow cannot wait for a user's message (HEAR)"
    )


def test_a_failure_right_after_the_header_fails_the_workflow_at_its_line(make_package) -> None:
    bot = make_bot(
        make_package, "early", {"flow.bas": 'ORCHESTRATE WORKFLOW "early"\nx = 1 / 0\nSTEP 1: TALK "b"\n'}
    )
    outcome, said = run_here(bot, "flow")
    assert said == []
    assert outcome.execution.status == ExecutionStatus.FAILED
    assert outcome.execution.error.startswith("early.gbdialog/flow.bas:2:1:")
    assert steps_of(outcome.execution) == []


def test_a_failure_after_end_workflow_fails_the_last_step_and_keeps_the_earlier_ones(make_package) -> None:
    flow = 'ORCHESTRATE WORKFLOW "late"\nSTEP 1: TALK "one"\nSTEP 2: TALK "two"\nEND WORKFLOW\nx = 1 / 0\n'
    bot = make_bot(make_package, "late", {"flow.bas": flow})
    outcome, said = run_here(bot, "flow")
    assert said == ["one", "two"]
    assert outcome.execution.status == ExecutionStatus.FAILED
    assert outcome.execution.error.startswith("late.gbdialog/flow.bas:5:1:")
    assert steps_of(outcome.execution) == [("1", 1, "completed"), ("2", 1, "failed")]
