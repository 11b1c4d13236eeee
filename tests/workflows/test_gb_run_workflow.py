"""``gb run FILE.bas`` of a workflow script: the foreground engine, every TALK printed as it
happens (branches and called bots marked), exit 0 / 1 (error with its position) / 3 (a person
must decide)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from workflows.models import ApprovalRequest, ExecutionStatus, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def gb_run(script) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("gb", "run", str(script), stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_package_workflow_runs_to_its_end_printing_every_talk(make_package) -> None:
    make_package("helper", {"helper.gbdialog/start.bas": 'TALK "working on " + task\nRETURN UCASE(task)\n'})
    package = make_package(
        "flow",
        {
            "flow.gbdialog/start.bas": """ORCHESTRATE WORKFLOW "demo"
STEP 1: answer = BOT "helper" "pack"
STEP 2: PARALLEL
  BRANCH A:
    DELAY 0.1
    TALK "A sees " + answer
  BRANCH B:
    TALK "B sees " + answer
END PARALLEL
END WORKFLOW
TALK "done"
"""
        },
    )
    status, out, err = gb_run(package / "flow.gbdialog" / "start.bas")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "[helper] working on pack",
        "[branch B] B sees PACK",
        "[branch A] A sees PACK",
        "done",
    ]
    assert WorkflowExecution.objects.get(parent=None).status == ExecutionStatus.COMPLETED


def test_a_failing_workflow_exits_1_with_the_error_where_it_happened(make_package) -> None:
    package = make_package(
        "flow", {"flow.gbdialog/start.bas": 'ORCHESTRATE WORKFLOW "x"\nSTEP 1: y = 1 / 0\n'}
    )
    script = package / "flow.gbdialog" / "start.bas"
    status, out, err = gb_run(script)
    assert (status, out) == (1, "")
    assert err == f"{script}:2:9: division by zero: 1 / 0\n"


def test_a_workflow_that_does_not_compile_exits_1_and_starts_nothing(make_package) -> None:
    package = make_package(
        "flow", {"flow.gbdialog/start.bas": 'ORCHESTRATE WORKFLOW "x"\nSTEP 1: y = (1 +\n'}
    )
    script = package / "flow.gbdialog" / "start.bas"
    status, out, err = gb_run(script)
    assert (status, out) == (1, "")
    assert err.startswith(f"{script}:2:")
    assert not WorkflowExecution.objects.exists()


def test_a_workflow_waiting_for_a_person_exits_3_saying_who(make_package) -> None:
    package = make_package(
        "flow",
        {
            "flow.gbdialog/start.bas": """ORCHESTRATE WORKFLOW "x"
STEP 1: TALK "asking"
STEP 2: HUMAN APPROVAL FROM "boss"
"""
        },
    )
    status, out, err = gb_run(package / "flow.gbdialog" / "start.bas")
    request = ApprovalRequest.objects.get()
    assert (status, out) == (3, "asking\n")
    assert f"waits for HUMAN APPROVAL from boss (request #{request.pk})" in err


def test_a_standalone_workflow_file_runs_from_the_command_line(tmp_path) -> None:
    script = tmp_path / "alone.bas"
    script.write_text('ORCHESTRATE WORKFLOW "alone"\nSTEP 1: TALK "one"\nSTEP 2: DELAY 0.1\n  TALK "two"\n')
    assert gb_run(script) == (0, "one\ntwo\n", "")
    assert WorkflowExecution.objects.get().bot.name == "gb-run"
