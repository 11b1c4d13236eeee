"""``gb check`` reports workflow mistakes with file, line and column before anything runs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bots.cli.checkers import ScriptProblem, check_scripts, register_script_checker, script_checkers
from bots.models import Bot
from tests.workflows.support import make_bot
from workflows.checks import WorkflowChecker


def gb_check(*paths: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    try:
        call_command("gb", "check", *map(str, paths), stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


def write(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source, encoding="utf-8")
    return path


def dialogs(root: Path, bot: str) -> Path:
    return root / f"{bot}.gbai" / f"{bot}.gbdialog"


def test_branch_outside_parallel_and_an_unclosed_parallel_are_parse_errors(tmp_path: Path) -> None:
    stray = write(tmp_path, "stray.bas", 'ORCHESTRATE WORKFLOW "w"\nSTEP 1:\n  BRANCH A: TALK "a"\n')
    unclosed = write(tmp_path, "unclosed.bas", 'ORCHESTRATE WORKFLOW "w"\nSTEP 1: PARALLEL\n'
                     '  BRANCH A: TALK "a"\n  BRANCH B: TALK "b"\nSTEP 2: TALK "c"\n')
    assert gb_check(tmp_path) == (1, [
        f"{stray}:3:3: BRANCH is only allowed inside PARALLEL",
        f"{unclosed}:2:9: PARALLEL at line 2 has no END PARALLEL",
    ])


def test_workflow_keywords_before_the_workflow_or_without_one(tmp_path: Path) -> None:
    early = write(tmp_path, "early.bas", 'STEP 0: TALK "too soon"\nORCHESTRATE WORKFLOW "w"\n'
                  'STEP 1: TALK "ok"\n')
    plain = write(tmp_path, "plain.bas", 'TALK "hi"\nIF 1 = 1 THEN\n  STEP 1: TALK "x"\nEND IF\n'
                  "END WORKFLOW\n")
    in_sub = write(tmp_path, "in_sub.bas", 'TALK "hi"\nSUB later()\n  RETRY 2\nEND SUB\n')
    status, lines = gb_check(tmp_path)
    assert status == 1
    assert lines == [
        f"{early}:1:1: STEP is only allowed in a workflow: move it below ORCHESTRATE WORKFLOW (line 2), "
        "or move ORCHESTRATE WORKFLOW above it",
        f"{in_sub}:3:3: RETRY is only allowed in a workflow, and this script has no ORCHESTRATE WORKFLOW; "
        'put ORCHESTRATE WORKFLOW "name" above line 3',
        f"{plain}:3:3: STEP is only allowed in a workflow, and this script has no ORCHESTRATE WORKFLOW; "
        'put ORCHESTRATE WORKFLOW "name" above line 3',
        f"{plain}:5:1: END WORKFLOW is only allowed in a workflow, and this script has no ORCHESTRATE "
        'WORKFLOW; put ORCHESTRATE WORKFLOW "name" above line 5',
    ]


def test_retry_and_timeout_before_the_first_step(tmp_path: Path) -> None:
    script = write(tmp_path, "flow.bas", 'ORCHESTRATE WORKFLOW "w"\nTIMEOUT 5\nSTEP 1:\n  RETRY 2\n'
                   '  TALK "a"\n')
    message = "TIMEOUT must be inside a STEP: put it on the lines after STEP n:"
    assert gb_check(script) == (1, [f"{script}:2:1: {message}"])


@pytest.mark.django_db
def test_a_correct_workflow_passes(tmp_path: Path) -> None:
    root = tmp_path / "packages"
    write(dialogs(root, "helper"), "start.bas", 'RETURN "done: " + task\n')
    flow = write(dialogs(root, "shop"), "flow.bas", """' comment
ORCHESTRATE WORKFLOW "orders"
who = "helper"
STEP 1 "check":
  RETRY 0
  TIMEOUT 30.5
  a = BOT "helper" "check the order"
  b = BOT who "computed names are checked when the step runs"
IF a <> "" THEN
  STEP 2: DELAY 0
END IF
STEP 3: PARALLEL
  BRANCH A: c = BOT "Helper" "names ignore case"
  BRANCH B: HUMAN APPROVAL FROM "boss@example.com" TIMEOUT 60
    ON TIMEOUT: APPROVE WITH WARNING
END PARALLEL
END WORKFLOW
""")
    assert gb_check(flow) == (0, [])


@pytest.mark.django_db(transaction=True)
def test_an_unknown_bot_is_reported_with_the_bots_there_are(tmp_path: Path, make_package) -> None:
    make_bot(make_package, "indb", {"start.bas": 'RETURN "x"\n'})  # registered: known from the database
    elsewhere = tmp_path / "elsewhere"
    write(dialogs(elsewhere, "neighbour"), "start.bas", 'RETURN "y"\n')  # beside the checked package
    flow = write(dialogs(elsewhere, "shop"), "flow.bas", 'ORCHESTRATE WORKFLOW "w"\n'
                 'STEP 1: x = BOT "indb" "a"\nSTEP 2: y = BOT "NEIGHBOUR" "b"\n'
                 'STEP 3: z = BOT "nobody" "c"\n')
    status, lines = gb_check(flow)
    assert status == 1 and len(lines) == 1
    assert lines[0].startswith(f'{flow}:4:17: BOT: there is no bot "nobody"; the bots are: ')
    listed = lines[0].split("the bots are: ")[1].split(". Fix")[0].split(", ")
    assert {"indb", "neighbour", "shop", "hello"} <= set(listed) and "nobody" not in listed
    assert lines[0].endswith("Fix the name, or add a package nobody.gbai beside this one (or in "
                             "GB_PACKAGE_DIRS)")

    Bot.objects.filter(name="indb").update(active=False)  # an inactive bot cannot be called
    status, lines = gb_check(flow)
    assert status == 1 and [line.split(": BOT:")[0] for line in lines] == [f"{flow}:2:17", f"{flow}:4:17"]


def test_literal_numbers_a_keyword_refuses(tmp_path: Path) -> None:
    script = write(tmp_path, "flow.bas", """ORCHESTRATE WORKFLOW "w"
STEP 1:
  RETRY -1
  TIMEOUT "soon"
STEP 2:
  RETRY 1.5
  TIMEOUT 0
  DELAY -5
  ok = HUMAN APPROVAL FROM "boss" TIMEOUT 0
""")
    assert gb_check(script) == (1, [
        f"{script}:3:9: RETRY needs zero or more retries, got -1; e.g. RETRY 3",
        f'{script}:4:11: expected seconds for TIMEOUT, got "soon"; write a number, e.g. TIMEOUT 60',
        f"{script}:6:9: RETRY needs a whole number of retries, got 1.5; e.g. RETRY 3",
        f"{script}:7:11: TIMEOUT needs a positive number of seconds, got 0; e.g. TIMEOUT 60",
        f"{script}:8:9: DELAY needs zero or more seconds, got -5; e.g. DELAY 5",
        f"{script}:9:43: HUMAN APPROVAL needs a positive number of seconds of TIMEOUT, got 0; "
        "e.g. TIMEOUT 3600",
    ])


def test_on_timeout_must_be_an_action_after_a_timeout(tmp_path: Path) -> None:
    script = write(tmp_path, "flow.bas", """ORCHESTRATE WORKFLOW "w"
STEP 1: HUMAN APPROVAL FROM "boss" TIMEOUT 60
    ON TIMEOUT: NAG "boss"
STEP 2: HUMAN APPROVAL FROM "boss" ON TIMEOUT: APPROVE
""")
    assert gb_check(script) == (1, [
        f"{script}:2:9: HUMAN APPROVAL: ON TIMEOUT: 'NAG \"boss\"' is not an action; write ESCALATE TO "
        '"person", APPROVE, APPROVE WITH WARNING or REJECT [reason]',
        f"{script}:4:9: HUMAN APPROVAL: ON TIMEOUT needs a TIMEOUT to act on; add TIMEOUT 3600 before it",
    ])


def test_checkers_are_an_extension_point_made_fresh_per_run(tmp_path: Path) -> None:
    """Another app's checker runs beside the workflow one, on scripts that parse only."""
    made: list[object] = []

    def factory():
        def checker(program, path: Path) -> list[ScriptProblem]:
            made.append(checker)
            return [ScriptProblem(str(path), 1, 1, f"{len(program.body)} statements")]
        return checker

    script = write(tmp_path, "one.bas", 'TALK "a"\nTALK "b"\n')
    write(tmp_path, "broken.bas", "IF x THEN\n")
    out = io.StringIO()
    checkers = [*script_checkers(), factory()]
    assert any(isinstance(checker, WorkflowChecker) for checker in checkers)
    assert check_scripts([str(tmp_path)], out, checkers) == 1
    assert out.getvalue().splitlines()[1] == f"{script}:1:1: 2 statements"
    assert len(made) == 1
    register_script_checker(WorkflowChecker)  # registering again adds nothing
    assert sum(isinstance(checker, WorkflowChecker) for checker in script_checkers()) == 1


def test_the_command_line_reports_and_exits_with_1(tmp_path: Path, make_package) -> None:
    """The real `manage.py gb check` in a new process on a fresh install: bots of GB_PACKAGE_DIRS
    are known without a database."""
    make_package("helper", {"helper.gbdialog/start.bas": 'RETURN "ok"\n'})
    flow = write(tmp_path / "mine", "flow.bas", 'STEP 1: TALK "early"\nORCHESTRATE WORKFLOW "w"\n'
                 'STEP 2: a = BOT "helper" "x"\nSTEP 3: b = BOT "helpr" "x"\n')
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(GB_VAR_DIR=str(tmp_path / "var"), GB_PACKAGE_DIRS=str(make_package.root),
               DJANGO_SETTINGS_MODULE="gbproject.settings")
    for key in ("GB_SQLITE_PATH", "GB_CHANNELS_SQLITE_PATH"):
        env.pop(key, None)
    done = subprocess.run(
        [sys.executable, "manage.py", "gb", "check", str(flow)],
        capture_output=True, text=True, cwd=settings.BASE_DIR, env=env, timeout=300,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{flow}:1:1", f"{flow}:4:17"]
    assert 'there is no bot "helpr"' in lines[1] and "helper" in lines[1].split("the bots are: ")[1]
    assert "Some scripts have problems" in done.stderr
