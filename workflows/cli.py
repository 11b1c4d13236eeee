"""``gb run`` of a workflow script: run it in the foreground with the engine the workers use.

Every TALK prints as it happens (a branch's with ``[branch X]``, a called bot's with ``[bot]``).
The run ends at the workflow's end (exit 0), at its failure (exit 1, the error on stderr with
its position) or at its first wait that needs a person, a HUMAN APPROVAL (exit 3, saying who
must decide and where).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from basic.cli import EXIT_ERROR, EXIT_FINISHED, EXIT_WAITING
from basic.errors import BasicError
from bots.models import Bot, Message
from bots.runtime.scripts import ScriptFile
from workflows.engine import LocalDispatch
from workflows.engine.foreground import run_foreground
from workflows.engine.host import TalkListener
from workflows.models import ExecutionKind, ExecutionStatus, WorkflowExecution
from workflows.services import declared_workflows, workflow_start

STANDALONE_BOT = "gb-run"


def is_workflow(source: str) -> bool:
    return bool(declared_workflows(source))


def standalone_bot() -> Bot:
    """The owner of workflow scripts run from outside any package (it answers no one)."""
    bot, _created = Bot.objects.get_or_create(
        name=STANDALONE_BOT,
        defaults={
            "active": False,
            "description": "Owner of workflow scripts run with gb run outside a package.",
        },
    )
    return bot


def workflow_run(
    *,
    bot: Bot,
    script: ScriptFile,
    shown_as: Path,
    inputs: dict[str, Any] | None,
    stdout: TextIO,
    stderr: TextIO,
    dispatch: LocalDispatch | None = None,
) -> int:
    dispatch = dispatch or LocalDispatch()
    try:
        execution = workflow_start(bot=bot, script=script, inputs=inputs, dispatch=dispatch)
    except BasicError as err:
        stderr.write(f"{placed(str(err), script, shown_as)}\n")
        return EXIT_ERROR
    outcome = run_foreground(execution, dispatch, on_talk=talk_printer(stdout))
    report_failed_handlers(dispatch.woken, stderr)
    root = outcome.execution
    if root.status == ExecutionStatus.COMPLETED:
        return EXIT_FINISHED
    if root.status == ExecutionStatus.FAILED:
        stderr.write(f"{placed(root.error, script, shown_as)}\n")
        return EXIT_ERROR
    for request in outcome.needs_person:
        stderr.write(
            f"{shown_as}: workflow {root.pk} waits for HUMAN APPROVAL from {request.approver} (request "
            f"#{request.pk}): decide at /approvals/ or POST /api/approvals/{request.pk}/approve/\n"
        )
    if not outcome.needs_person:
        detail = root.detail or {}
        where = f"{shown_as}:{detail['line']}:{detail['column']}" if detail.get("line") else str(shown_as)
        what = detail.get("waits_for") or root.waiting_for
        stderr.write(f"{where}: workflow {root.pk} is {root.status}, waiting for {what}\n")
    return EXIT_WAITING


def talk_printer(stdout: TextIO) -> TalkListener:
    """Print each TALK of a run as it happens, marked with who said it when it is not the script
    itself: a branch, an ON EVENT handler, a called bot."""

    def on_talk(execution: WorkflowExecution, message: Message) -> None:
        if execution.kind == ExecutionKind.BRANCH:
            prefix = f"[branch {execution.branch}] "
        elif execution.kind == ExecutionKind.HANDLER:
            prefix = f"[{execution.workflow_name}] "
        elif execution.kind == ExecutionKind.BOT:
            prefix = f"[{execution.bot.name}] "
        else:
            prefix = ""
        recipient = f"[to {message.source.get('recipient', '')}] " if message.kind == "talk_to" else ""
        stdout.write(f"{prefix}{recipient}{message.content}\n")
        stdout.flush()

    return on_talk


def report_failed_handlers(ran_here: set[int], stderr: TextIO) -> None:
    """ON EVENT handlers this run started fail without failing it: say so, with the position."""
    failed = WorkflowExecution.objects.filter(
        pk__in=ran_here, kind=ExecutionKind.HANDLER, status=ExecutionStatus.FAILED
    ).order_by("pk")
    for handler in failed:
        stderr.write(f"[{handler.workflow_name}] {handler.error}\n")


def placed(error: str, script: ScriptFile, shown_as: Path) -> str:
    """Errors name the script as the package knows it; show the path the user typed."""
    if error.startswith(script.path + ":"):
        return str(shown_as) + error[len(script.path) :]
    return error
