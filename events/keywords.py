"""The event keywords: PUBLISH EVENT, ON EVENT ... END ON and WAIT FOR EVENT.

PUBLISH EVENT writes the event row in the run's own transaction (a journaled effect, so a
resumed run never publishes twice). ON EVENT blocks are registered when their package is synced
(:mod:`events.subscriptions`) and each runs as its own execution per event; passing one in the
script's flow does nothing, like a SUB definition. WAIT FOR EVENT only describes its wait; the
workflow engine or the chat runtime turns it into an :class:`~events.models.EventWaiter` row.
"""

from __future__ import annotations

import re
from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from basic.registry import KeywordSpec, Suspend
from bots.models import DialogRun
from events.services import EventError, event_name_clean, event_publish, target_bot
from workflows.keywords import CHILD_ERROR, visible_variables

CATEGORY = "Events"
EVENT_VARIABLE = "event"  # the event's data, in ON EVENT handlers and WHERE conditions


class EventKeywordError(BasicRuntimeError):
    """An event keyword used with a value it cannot take; the message says what to write."""


def _checked(phrase: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except EventError as exc:
        message = str(exc)
        raise EventKeywordError(message if message.startswith(phrase) else f"{phrase}: {message}") from None


def _publisher(run: Any) -> tuple[Any, Any, Any]:
    """The bot, workflow execution and dialog run a PUBLISH EVENT comes from."""
    host = run.host
    bot = getattr(host, "bot", None)
    if bot is None:
        raise EventKeywordError(
            "PUBLISH EVENT needs a bot to publish for: run the script in a bot's package "
            "(python manage.py gb run FILE.bas gives it one)"
        )
    dialog_run = host.run if isinstance(getattr(host, "run", None), DialogRun) else None
    return bot, getattr(host, "execution", None), dialog_run


# --- PUBLISH EVENT -----------------------------------------------------------------------------


def _publish(run: Any, args: dict) -> str:
    bot, workflow, dialog_run = _publisher(run)
    to_bot = _checked("PUBLISH EVENT", target_bot, args["bot"]) if args.get("bot") is not None else None
    data = values.plain_json(args["data"]) if args.get("data") is not None else None
    event, _created = _checked(
        "PUBLISH EVENT",
        lambda: event_publish(
            bot=bot,
            name=args["name"],
            data=data,
            to_bot=to_bot,
            to_all=bool(args.get("to_all")),
            workflow=workflow,
            dialog_run=dialog_run,
        ),
    )
    return str(event.pk)


# --- ON EVENT ----------------------------------------------------------------------------------


def _on_event(run: Any, args: dict) -> None:
    """Registration happened when the package was synced; the block runs per event, not here."""
    return None


# --- WAIT FOR EVENT ----------------------------------------------------------------------------

_TIMEOUT_ACTION = re.compile(r"^\s*(?:(?P<go>CONTINUE)|FAIL(?P<reason>\s+.*)?)\s*$", re.IGNORECASE)


def timeout_action(text: str) -> dict[str, Any]:
    """``ON TIMEOUT:`` text as data: continue with an empty value, or fail (why)."""
    match = _TIMEOUT_ACTION.match(text or "")
    if match is None:
        raise EventKeywordError(
            f"WAIT FOR EVENT: ON TIMEOUT: {text.strip()!r} is not an action; write CONTINUE "
            '(go on with an empty value) or FAIL ["reason"] (stop the step, so RETRY can try it again)'
        )
    if match.group("go"):
        return {"action": "continue"}
    return {"action": "fail", "reason": (match.group("reason") or "").strip().strip('"')}


def _wait_for_event(run: Any, args: dict) -> Suspend:
    name = _checked("WAIT FOR EVENT", lambda: event_name_clean(args["name"], phrase="WAIT FOR EVENT"))
    seconds = None
    if args.get("seconds") is not None:
        seconds = values.to_number(args["seconds"], what="seconds of TIMEOUT for WAIT FOR EVENT")
        if seconds <= 0:
            raise EventKeywordError(
                "WAIT FOR EVENT needs a positive number of seconds of TIMEOUT, "
                f"got {values.format_number(seconds)}"
            )
    action = {"action": "continue"}
    if args.get("action") is not None:
        if seconds is None:
            raise EventKeywordError("WAIT FOR EVENT: ON TIMEOUT needs a TIMEOUT to act on (TIMEOUT 3600)")
        action = timeout_action(str(args["action"]))
    condition = str(args.get("condition") or "")
    return Suspend(
        "event",
        {
            "key": run.effects,
            "name": name,
            "condition": condition,
            "variables": visible_variables(run) if condition else {},
            "seconds": float(seconds) if seconds is not None else None,
            "on_timeout": action,
            "file": run.file,
            "line": run.line,
            "column": run.column,
        },
    )


def _wait_for_event_done(run: Any, args: dict, value: Any) -> Any:
    """The event's data (its name when it carried none); empty when the TIMEOUT ended the wait."""
    if isinstance(value, dict) and CHILD_ERROR in value:
        raise EventKeywordError(f"WAIT FOR EVENT: {value[CHILD_ERROR]}")
    if isinstance(value, dict) and "event" in value:
        return value["event"]
    action = timeout_action(str(args["action"])) if args.get("action") is not None else {"action": "continue"}
    if action["action"] == "fail":
        seconds = values.to_number(args["seconds"])
        unit = "second" if seconds == 1 else "seconds"
        reason = f": {action['reason']}" if action["reason"] else ""
        raise EventKeywordError(
            f'WAIT FOR EVENT "{values.to_text(args["name"])}" timed out after '
            f"{values.format_number(seconds)} {unit}{reason}"
        )
    return None


EVENT_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "PUBLISH EVENT",
        ("{name} [WITH {data}] [TO BOT {bot}] [TO ALL]",),
        _publish,
        effect=True,
        category=CATEGORY,
        summary="Publish an event (any name) with optional data. It reaches this bot's ON EVENT "
        'handlers and WAIT FOR EVENT runs; TO BOT "x" sends it to bot x\'s instead, TO ALL to every '
        "bot's. Gives the event's id. The event is kept even when nobody listens.",
        example='PUBLISH EVENT "order_paid" WITH #{order: 42, total: 99.5}\n'
        'PUBLISH EVENT "stock_low" TO BOT "purchasing"\nPUBLISH EVENT "maintenance" TO ALL',
    ),
    KeywordSpec(
        "ON EVENT",
        ("{name} DO",),
        _on_event,
        block_end="END ON",
        category=CATEGORY,
        summary="A handler: the lines up to END ON run as a run of their own for each event of that "
        "name that reaches the bot, with `event` (its data), `event_name` and `event_id` set. It is "
        "registered when the package loads; the name must be a quoted text.",
        example='ON EVENT "order_paid" DO\n  TALK "Order " & event.order & " is paid"\nEND ON',
    ),
    KeywordSpec(
        "WAIT FOR EVENT",
        ("{name} [WHERE {condition:source}] [TIMEOUT {seconds}] [ON TIMEOUT: {action:raw}]",),
        _wait_for_event,
        on_resume=_wait_for_event_done,
        effect=True,
        category=CATEGORY,
        summary="Wait, holding no worker, for the next event of that name that reaches the bot (and "
        "makes the WHERE condition true, with `event` as its data). Gives the event's data (its name "
        'when it has none), or empty when the TIMEOUT ends the wait; ON TIMEOUT: FAIL ["why"] fails '
        "the step instead, ON TIMEOUT: CONTINUE goes on.",
        example='paid = WAIT FOR EVENT "order_paid" WHERE event.order = order_id TIMEOUT 3600\n'
        '  ON TIMEOUT: FAIL "the customer did not pay"',
    ),
)
