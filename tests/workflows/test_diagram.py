"""workflows/diagram.py: the run view's diagram, derived from the script's source alone."""

from __future__ import annotations

import pytest

from basic.errors import BasicSyntaxError
from workflows.diagram import Approval, BotCall, Delay, Group, Parallel, Step, diagram_from_source, walk

# The 7.0 demo script's forms (DIALECT.md §4), continuation lines included.
DEMO = """ORCHESTRATE WORKFLOW "customer-complaint-resolution"
STEP 1: BOT "classifier" "analyze complaint"
STEP 2: category = BOT "router" "route " + kind
STEP 3: HUMAN APPROVAL FROM "manager@company.com"
    TIMEOUT 1800
    ON TIMEOUT: ESCALATE TO "director@company.com"
STEP 4: PARALLEL
  BRANCH A: BOT "refund-processor" "process refund"
  BRANCH B: BOT "inventory-updater" "update stock levels"
END PARALLEL
x = STEP 5: BOT "follow-up" "schedule customer check-in"
  DELAY 86400
END WORKFLOW
TALK "after the workflow"
"""


def _shape(items) -> list:
    """A compact picture of the items: (kind, main text, nested...)."""
    out = []
    for item in items:
        if isinstance(item, Step):
            out.append(("step", item.label, item.title, _shape(item.items)))
        elif isinstance(item, BotCall):
            out.append(("bot", item.bot, item.task, item.target))
        elif isinstance(item, Approval):
            out.append(("approval", item.approver, item.timeout, item.on_timeout))
        elif isinstance(item, Delay):
            out.append(("delay", item.seconds))
        elif isinstance(item, Parallel):
            out.append(("parallel", [(b.name, _shape(b.items)) for b in item.branches]))
        elif isinstance(item, Group):
            out.append((item.kind, [(arm.text, _shape(arm.items)) for arm in item.arms]))
    return out


def test_the_demo_script_forms() -> None:
    diagram = diagram_from_source(DEMO, file="demo.bas")
    assert diagram.workflow == "customer-complaint-resolution" and diagram.line == 1
    assert _shape(diagram.items) == [
        ("step", "1", "", [("bot", "classifier", "analyze complaint", "")]),
        ("step", "2", "", [("bot", "router", '"route " + kind', "category")]),
        ("step", "3", "", [
            ("approval", "manager@company.com", "1800", 'ESCALATE TO "director@company.com"'),
        ]),
        ("step", "4", "", [("parallel", [
            ("A", [("bot", "refund-processor", "process refund", "")]),
            ("B", [("bot", "inventory-updater", "update stock levels", "")]),
        ])]),
        ("step", "5", "", [("bot", "follow-up", "schedule customer check-in", "x"), ("delay", "86400")]),
    ]
    steps = diagram.steps()
    assert [step.line for step in steps] == [2, 3, 4, 7, 11]
    # Ids come from source positions: stable across renders, unique within the script.
    ids = [node.id for node in walk(diagram.items)]
    assert len(ids) == len(set(ids)) and steps[4].id == "step-11-5"


def test_a_computed_task_or_bot_is_shown_as_written_and_marked_not_literal() -> None:
    diagram = diagram_from_source('ORCHESTRATE WORKFLOW "w"\nSTEP 1: r = BOT who "do " & what\n')
    call = diagram.steps()[0].items[0]
    assert isinstance(call, BotCall)
    assert (call.bot, call.bot_literal, call.task, call.target) == ("who", False, '"do " & what', "r")


def test_step_titles_word_labels_and_step_policies() -> None:
    source = """ORCHESTRATE WORKFLOW "w"
STEP validate "check the order":
  RETRY 3
  TIMEOUT 60
  ok = BOT "validator" "check"
STEP 2 "charge": TALK "no bot here"
"""
    steps = diagram_from_source(source).steps()
    assert [(s.label, s.title, s.retry, s.timeout) for s in steps] == [
        ("validate", "check the order", "3", "60"), ("2", "charge", "", ""),
    ]
    assert steps[1].items == []  # a TALK is not drawn


def test_if_inside_a_step_and_if_around_steps() -> None:
    source = """ORCHESTRATE WORKFLOW "w"
STEP 1:
  n = 2
  IF n > 1 THEN
    a = BOT "big" "handle"
  ELSE
    TALK "small"
  END IF
IF n = 2 THEN
  STEP 2: DELAY 1
ELSE
  STEP 3: HUMAN APPROVAL FROM "boss" FOR "go on?"
END IF
TALK "between"
STEP 4: BOT "last" "finish"
"""
    diagram = diagram_from_source(source)
    assert _shape(diagram.items) == [
        ("step", "1", "", [("if", [("IF n > 1", [("bot", "big", "handle", "a")]), ("ELSE", [])])]),
        ("if", [
            ("IF n = 2", [("step", "2", "", [("delay", "1")])]),
            ("ELSE", [("step", "3", "", [("approval", "boss", "", "")])]),
        ]),
        ("step", "4", "", [("bot", "last", "finish", "")]),
    ]
    assert [step.label for step in diagram.steps()] == ["1", "2", "3", "4"]
    approval = diagram.steps()[2].items[0]
    assert isinstance(approval, Approval) and approval.subject == "go on?"


def test_one_line_if_select_and_loops_become_groups() -> None:
    source = """ORCHESTRATE WORKFLOW "w"
STEP 1:
  FOR EACH item IN items
    r = BOT "worker" "handle " + item
  NEXT
  SELECT CASE kind
    CASE "a", "b"
      DELAY 5
    CASE ELSE
      TALK "nothing"
  END SELECT
IF late THEN STEP 2: BOT "hurry" "speed up"
"""
    diagram = diagram_from_source(source)
    assert _shape(diagram.items) == [
        ("step", "1", "", [
            ("loop", [("FOR EACH item IN items", [("bot", "worker", '"handle " + item', "r")])]),
            ("select", [('CASE "a", "b"', [("delay", "5")]), ("CASE ELSE", [])]),
        ]),
        ("if", [("IF late", [("step", "2", "", [("bot", "hurry", "speed up", "")])])]),
    ]


def test_steps_inside_branches_belong_to_the_branch() -> None:
    source = """ORCHESTRATE WORKFLOW "w"
STEP 1: PARALLEL
  BRANCH left:
    STEP L1: a = BOT "one" "x"
    STEP L2: DELAY 2
  BRANCH right:
    b = 2
END PARALLEL
STEP 2: TALK a
"""
    diagram = diagram_from_source(source)
    parallel = diagram.steps()[0].items[0]
    assert isinstance(parallel, Parallel)
    assert [(b.name, b.line) for b in parallel.branches] == [("left", 3), ("right", 6)]
    assert _shape(parallel.branches[0].items) == [
        ("step", "L1", "", [("bot", "one", "x", "a")]), ("step", "L2", "", [("delay", "2")]),
    ]
    assert parallel.branches[1].items == []
    # A word label is text as written (the engine records it so in StepRun.step).
    assert [(s.label, s.label_literal) for s in diagram.steps()] == [
        ("1", True), ("L1", True), ("L2", True), ("2", True),
    ]


def test_a_script_without_a_workflow_or_steps() -> None:
    diagram = diagram_from_source('answer = BOT "helper" "summarise"\nDELAY 0.5\nTALK answer\n')
    assert diagram.workflow == "" and diagram.steps() == []
    assert _shape(diagram.items) == [("bot", "helper", "summarise", "answer"), ("delay", "0.5")]


def test_a_script_that_does_not_parse_is_reported_with_its_position() -> None:
    with pytest.raises(BasicSyntaxError) as caught:
        source = 'ORCHESTRATE WORKFLOW "w"\nSTEP 1: PARALLEL\n  BRANCH A: TALK "x"\n'
        diagram_from_source(source, file="bad.bas")
    assert "bad.bas" in str(caught.value) and "PARALLEL" in str(caught.value)
