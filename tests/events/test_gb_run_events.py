"""``gb run FILE.bas`` of a script that uses events: its ON EVENT handlers run in the
foreground and their TALKs are printed marked with the event, WAIT FOR EVENT with a TIMEOUT
waits and goes on, and one that only the outside could end exits 3 saying what it waits for."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from events.models import EventSubscription, HandlerRun, WorkflowEvent
from workflows.models import ExecutionStatus, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PINGPONG = """ON EVENT "ping" DO
  TALK "got ping " & event.n
  PUBLISH EVENT "pong" WITH event.n + 1
END ON
TALK "start"
PUBLISH EVENT "ping" WITH #{n: 1}
x = WAIT FOR EVENT "pong" TIMEOUT 30
TALK "pong " & x
y = WAIT FOR EVENT "never" TIMEOUT 0.2
IF y = "" THEN TALK "timed out"
TALK "end"
"""


def gb_run(script: Path, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("gb", "run", str(script), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


EXPECTED = ["start", "[ON EVENT ping] got ping 1", "pong 2", "timed out", "end"]


def test_a_package_script_runs_its_handlers_in_the_foreground_printing_their_talks(make_package) -> None:
    package = make_package("pinger", {"pinger.gbdialog/pingpong.bas": PINGPONG})
    status, out, err = gb_run(package / "pinger.gbdialog" / "pingpong.bas")
    assert (status, err) == (0, "")
    assert out.splitlines() == EXPECTED
    ping, pong = WorkflowEvent.objects.order_by("created_at")
    assert (ping.event_name, ping.handler_count, pong.event_name, pong.waiter_count) == ("ping", 1, "pong", 1)
    subscription = EventSubscription.objects.get(script="pinger.gbdialog/pingpong.bas")
    assert HandlerRun.objects.get().subscription == subscription
    assert set(WorkflowExecution.objects.values_list("status", flat=True)) == {ExecutionStatus.COMPLETED}


def test_a_script_outside_any_package_runs_its_handlers_too(tmp_path: Path) -> None:
    script = tmp_path / "pingpong.bas"
    script.write_text(PINGPONG, encoding="utf-8")
    status, out, err = gb_run(script)
    assert (status, err) == (0, "")
    assert out.splitlines() == EXPECTED


def test_a_wait_for_event_nothing_here_can_end_exits_3_saying_so(make_package) -> None:
    package = make_package(
        "pinger", {"pinger.gbdialog/wait.bas": 'TALK "a"\nx = WAIT FOR EVENT "never"\nTALK "b"\n'}
    )
    script = package / "pinger.gbdialog" / "wait.bas"
    status, out, err = gb_run(script)
    assert (status, out) == (3, "a\n")
    execution = WorkflowExecution.objects.get()
    assert (execution.status, execution.waiting_for) == (ExecutionStatus.WAITING, "event")
    assert err.splitlines() == [
        f'{script}:2:5: workflow {execution.pk} is waiting, waiting for event "never" (no TIMEOUT): '
        "publish it, or give the wait a TIMEOUT"
    ]


def test_an_error_in_a_handler_fails_the_handler_not_the_script(make_package) -> None:
    package = make_package(
        "pinger",
        {
            "pinger.gbdialog/main.bas": 'ON EVENT "ping" DO\n  y = 1 / 0\nEND ON\n'
            'PUBLISH EVENT "ping"\nx = WAIT FOR EVENT "never" TIMEOUT 0.1\nTALK "end"\n'
        },
    )
    status, out, err = gb_run(package / "pinger.gbdialog" / "main.bas")
    assert (status, out.splitlines()) == (0, ["end"])
    handler = HandlerRun.objects.get().execution
    assert handler.status == ExecutionStatus.FAILED
    assert handler.error == "pinger.gbdialog/main.bas:2:3: division by zero: 1 / 0"
    assert err.splitlines() == ["[ON EVENT ping] pinger.gbdialog/main.bas:2:3: division by zero: 1 / 0"]


def test_a_script_outside_any_package_hears_its_own_to_all_events(tmp_path: Path) -> None:
    script = tmp_path / "all.bas"
    script.write_text(
        'ON EVENT "x" DO\n  TALK "heard " & event\nEND ON\nPUBLISH EVENT "x" WITH 1 TO ALL\n'
        'y = WAIT FOR EVENT "z" TIMEOUT 0.1\nTALK "end"\n',
        encoding="utf-8",
    )
    assert gb_run(script) == (0, "[ON EVENT x] heard 1\nend\n", "")


GREETER = """ON EVENT "greeted" DO
  TALK "welcome, " & event.name
  PUBLISH EVENT "welcomed" WITH event.name
END ON
TALK "name?"
HEAR name
PUBLISH EVENT "greeted" WITH #{name: name}
x = WAIT FOR EVENT "welcomed" TIMEOUT 30
TALK "done " & x
y = WAIT FOR EVENT "never" TIMEOUT 0.1
IF y = "" THEN TALK "timed out"
"""


def test_a_package_script_that_hears_runs_as_a_conversation_with_its_handlers_here(make_package) -> None:
    package = make_package("greeter", {"greeter.gbdialog/greet.bas": GREETER})
    status, out, err = gb_run(package / "greeter.gbdialog" / "greet.bas", stdin="Ana\n")
    assert (status, err) == (0, "")
    assert out.splitlines() == ["name?", "[ON EVENT greeted] welcome, Ana", "done Ana", "timed out"]
    greeted, welcomed = WorkflowEvent.objects.order_by("created_at")
    assert (greeted.handler_count, welcomed.waiter_count) == (1, 1)
    assert greeted.dialog_run is not None  # published by the conversation, not by a workflow
    assert HandlerRun.objects.get().execution.status == ExecutionStatus.COMPLETED
