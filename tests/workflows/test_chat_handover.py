"""A chat dialog that reaches ORCHESTRATE WORKFLOW hands the rest of its script to the workflow
engine: the dialog ends (the chat is free), and the workflow talks in the same conversation."""

from __future__ import annotations

import pytest

from bots.models import DialogRun, Message, Role
from tests.bots.conversation_support import say
from tests.workflows.support import make_bot
from workflows.engine import LocalDispatch
from workflows.engine.foreground import run_foreground
from workflows.models import ExecutionStatus, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_orchestrate_in_a_dialog_continues_as_a_workflow_in_the_same_chat(make_package) -> None:
    bot = make_bot(
        make_package,
        "concierge",
        {
            "start.bas": """TALK "Hi " + "there"
who = "Ana"
ORCHESTRATE WORKFLOW "welcome"
STEP 1: TALK "step one for " + who
STEP 2: DELAY 0.1
  TALK "step two"
"""
        },
    )
    conversation_id, replies = say(bot, "hello")
    assert replies == ["Hi there"]
    run = DialogRun.objects.get(conversation_id=conversation_id)
    execution = WorkflowExecution.objects.get(conversation_id=conversation_id)
    assert (run.status, run.detail) == ("finished", {"ended": "workflow", "workflow": execution.pk})
    assert (execution.workflow_name, execution.bot, execution.status) == (
        "welcome",
        bot,
        ExecutionStatus.RUNNING,
    )

    outcome = run_foreground(execution, LocalDispatch(), max_sleep=0.05)
    assert outcome.execution.status == ExecutionStatus.COMPLETED, outcome.execution.error
    said = Message.objects.filter(conversation_id=conversation_id, role=Role.BOT).order_by("id")
    assert list(said.values_list("content", flat=True)) == ["Hi there", "step one for Ana", "step two"]
