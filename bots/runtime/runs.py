"""Starting, resuming and ending one dialog run, saving it with its optimistic version check.

Each advance (start or resume up to the next wait or the end) runs inside the caller's
transaction, which holds the conversation's lock: the new VM state, the journal entries, the
messages the script sent and its memory writes commit together or not at all.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from basic import vm
from basic.compiler import CompiledScript, compile_source
from basic.errors import BasicError
from basic.limits import Limits
from bots.models import BotConfig, Conversation, DialogRun, Message, RunStatus
from bots.packages.config_csv import param_variables
from bots.runtime.errors import APOLOGY, script_error_record
from bots.runtime.host import ConversationHost
from bots.runtime.journal import DbJournal
from bots.runtime.prepared import PreparedUpdate
from bots.runtime.scripts import ScriptFile, script_version_pin
from bots.runtime.waits import dialog_waits

logger = logging.getLogger(__name__)

DIALOG_LIMITS = Limits(max_slice_seconds=20.0)
HEAR_TIMEOUT_KEY = "hear-timeout-secs"
HEAR_TIMEOUT_DEFAULT = 3600


class RunConflict(RuntimeError):
    """The run row changed under us (its version moved): another process advanced it."""


def conversation_lock(conversation_id: int) -> Conversation:
    """The conversation with its bot, its row locked for the caller's transaction (not its bot's
    row, which every conversation of the bot shares)."""
    return Conversation.objects.select_for_update(of=("self",)).select_related("bot").get(pk=conversation_id)


def hear_timeout_annotation() -> dict[str, Any]:
    """Annotations that read the bot's ``hear-timeout-secs`` with the conversation (when it is
    locked for a turn), so :func:`hear_timeout_seconds` needs no query of its own."""
    rows = BotConfig.objects.filter(bot_id=OuterRef("bot_id"), key=HEAR_TIMEOUT_KEY).order_by()
    return {"hear_timeout_bot_id": F("bot_id"), "hear_timeout_raw": Subquery(rows.values("value")[:1])}


def hear_timeout_seconds(conversation: Conversation) -> int:
    """``hear-timeout-secs`` of the bot (default 3600); 0 or less means HEAR waits forever."""
    if getattr(conversation, "hear_timeout_bot_id", None) == conversation.bot_id:
        raw = conversation.hear_timeout_raw  # read with the conversation (hear_timeout_annotation)
    else:  # not annotated, or another bot acts in the conversation now
        raw = (
            BotConfig.objects.filter(bot_id=conversation.bot_id, key=HEAR_TIMEOUT_KEY)
            .order_by("pk")  # one row at most (unique per bot); no join for the model's ordering by bot
            .values_list("value", flat=True)
            .first()
        )
    if raw is None or not raw.strip():
        return HEAR_TIMEOUT_DEFAULT
    try:
        return int(float(raw.strip()))
    except ValueError:
        logger.warning(
            "bot %s: %s=%r is not a number of seconds; using %s",
            conversation.bot_id,
            HEAR_TIMEOUT_KEY,
            raw,
            HEAR_TIMEOUT_DEFAULT,
        )
        return HEAR_TIMEOUT_DEFAULT


def _config_variables(conversation: Conversation) -> dict[str, Any]:
    rows = BotConfig.objects.filter(bot_id=conversation.bot_id, key__istartswith="param-")
    return param_variables(dict(rows.values_list("key", "value")))


def run_start(
    *,
    conversation: Conversation,
    script: ScriptFile,
    inbound: Message | None,
    inputs: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    limits: Limits = DIALOG_LIMITS,
) -> DialogRun:
    """Start ``script`` in the conversation, pinned to its current source, and advance it.

    The script sees the bot's ``param-*`` config, then ``inputs`` (a tool's arguments, by PARAM
    name) as its first variables.
    """
    version = script_version_pin(script.source)
    run = DialogRun.objects.create(
        conversation=conversation, script=script.path, script_version=version, detail=detail or {}
    )
    host = ConversationHost(conversation=conversation, run=run, inbound=inbound)
    journal = DbJournal(run, fresh=True)
    try:
        compiled = compile_source(script.source, script.path)
    except BasicError as err:
        return _fail(run, host, err)
    variables = {**_config_variables(conversation), **(inputs or {})}
    result = vm.start(compiled, host, variables, journal=journal, limits=limits)
    return _settle(run, compiled, host, journal, result, limits)


def run_resume(
    *, conversation: Conversation, run: DialogRun, value: Any, inbound: Message | None
) -> DialogRun:
    """Continue a waiting run with the value it waited for (a user's text, or None for a timer)."""
    host = ConversationHost(conversation=conversation, run=run, inbound=inbound)
    journal = DbJournal(run)
    try:
        compiled = compile_source(run.script_version.source, run.script)
    except BasicError as err:
        return _fail(run, host, err)
    result = vm.resume(compiled, json.loads(run.state), value, host, journal=journal, limits=DIALOG_LIMITS)
    return _settle(run, compiled, host, journal, result)


def run_end_waiting(*, run: DialogRun, reason: str) -> DialogRun:
    """End a waiting run without resuming it (a typed HEAR that timed out)."""
    _save(
        run,
        status=RunStatus.FINISHED,
        state="",
        due_at=None,
        finished_at=timezone.now(),
        detail={**run.detail, "ended": reason},
    )
    return run


def _settle(
    run: DialogRun,
    compiled: CompiledScript,
    host: ConversationHost,
    journal: DbJournal,
    result: vm.RunResult,
    limits: Limits = DIALOG_LIMITS,
) -> DialogRun:
    while result.status == "paused":
        result = vm.resume(compiled, result.state, None, host, journal=journal, limits=limits)
    run.return_value = result.result if result.status == "finished" else None
    if result.status == "finished":
        _save(
            run,
            status=RunStatus.FINISHED,
            state="",
            waiting_for="",
            detail={},
            due_at=None,
            finished_at=timezone.now(),
        )
    elif result.status == "waiting" and result.waiting_for == "workflow":
        _hand_over_to_workflow(run, host, result)
    elif result.status == "waiting":
        detail = dict(result.detail or {})
        waiting_for = result.waiting_for or ""
        if waiting_for in dialog_waits:
            due_at = dialog_waits[waiting_for].on_wait(run, host.bot.pk, detail)
        else:
            due_at = _due_at(host.conversation, waiting_for, detail)
        _save(
            run,
            status=RunStatus.WAITING,
            state=result.state_json or "",
            waiting_for=waiting_for,
            detail=detail,
            due_at=due_at,
        )
    else:
        assert result.error is not None
        _fail(run, host, result.error)
    return run


def _hand_over_to_workflow(run: DialogRun, host: ConversationHost, result: vm.RunResult) -> None:
    """ORCHESTRATE WORKFLOW in a dialog: the rest of the script continues as a durable workflow on
    the workers, talking in this conversation; the dialog run ends here, so the chat is free."""
    from workflows.services import workflow_from_dialog  # the workflow engine builds on this app

    assert result.state_json is not None and result.detail is not None
    execution = workflow_from_dialog(
        conversation=host.conversation,
        script=run.script,
        script_version=run.script_version,
        state_json=result.state_json,
        name=str(result.detail["name"]),
        scripts=run.scripts,
    )
    _save(
        run,
        status=RunStatus.FINISHED,
        state="",
        waiting_for="",
        detail={"ended": "workflow", "workflow": execution.pk},
        due_at=None,
        finished_at=timezone.now(),
    )


def _due_at(conversation: Conversation, waiting_for: str, detail: dict[str, Any]) -> datetime | None:
    if waiting_for == "input":
        seconds = hear_timeout_seconds(conversation)
        return timezone.now() + timedelta(seconds=seconds) if seconds > 0 else None
    if waiting_for == "timer" and detail.get("until"):
        return datetime.fromisoformat(str(detail["until"]))
    return None


def _fail(run: DialogRun, host: ConversationHost, err: BasicError) -> DialogRun:
    """Record the author's error on the conversation, apologise to the user, end the run."""
    _save(run, status=RunStatus.FAILED, state="", due_at=None, error=str(err), finished_at=timezone.now())
    record = script_error_record(conversation=host.conversation, err=err, message=host.inbound, run=run)
    logger.info("script error in conversation %s: %s", host.conversation.pk, record)
    host.notice(APOLOGY, kind="error", source={"runtime": "script-error", "error": record.pk})
    return run


_RUN_UPDATE = PreparedUpdate(
    lambda run_id, version: DialogRun.objects.filter(pk=run_id, version=version), run_id=int, version=int
)


def _save(run: DialogRun, **fields: Any) -> None:
    fields["scripts"] = run.scripts
    now = timezone.now()
    changed = _RUN_UPDATE.run(
        {"version": run.version + 1, "updated_at": now, **fields}, run_id=run.pk, version=run.version
    )
    if changed != 1:
        raise RunConflict(f"dialog run {run.pk} was advanced by another process")
    for name, value in fields.items():
        setattr(run, name, value)
    run.version += 1
    run.updated_at = now
