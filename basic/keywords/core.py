"""Core statement keywords: conversation (TALK, TALK TO, HEAR, PRINT, WAIT), lists changed in
place (PUSH, APPEND) and errors (THROW, CLEAR ERROR).

HEAR and WAIT suspend the run (``Suspend("input")`` and ``Suspend("timer")``) so a conversation
or a workflow can wait for days without holding a worker: whoever runs the script resumes it
with the user's text, or with nothing once the timer is due.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from basic import values
from basic.builtins.failures import throw
from basic.errors import BasicRuntimeError
from basic.input_types import canonical_kind, menu_choice, validate_input
from basic.registry import KeywordSpec, Suspend


def _talk(run: Any, args: dict) -> None:
    run.host.talk(values.to_text(args["message"]), origin=run.origin())


def _begin_talk(run: Any, args: dict) -> None:
    run.host.talk(values.to_text(args.get("body")), origin=run.origin())


def _talk_to(run: Any, args: dict) -> None:
    run.host.talk_to(values.to_text(args["recipient"]), values.to_text(args["message"]), origin=run.origin())


def _print(run: Any, args: dict) -> None:
    run.host.print(" ".join(values.to_text(x) for x in args.get("values", [])))


def timer_wait(run: Any, seconds: float) -> Suspend:
    """Suspend the run for ``seconds`` (WAIT, and DELAY in workflows): the host keeps the due time."""
    until = run.now() + timedelta(seconds=seconds)
    return Suspend("timer", {"seconds": seconds, "until": until.isoformat()})


def timer_done(run: Any, args: dict, value: Any) -> None:
    return None


def _wait(run: Any, args: dict) -> Suspend:
    seconds = values.to_number(args["seconds"], what="a number of seconds")
    if seconds < 0:
        raise BasicRuntimeError(f"WAIT needs zero or more seconds, got {values.format_number(seconds)}")
    return timer_wait(run, seconds)


def _menu_options(run: Any, args: dict) -> list | None:
    """The options of ``HEAR x AS "a", "b"`` / ``AS [..]`` / ``AS listvar``, or None for a type."""
    if "options" in args:
        options = args["options"]
        if len(options) == 1 and isinstance(options[0], list):
            options = options[0]
        return list(options)
    kind = args.get("kind")
    if kind and canonical_kind(kind) is None:
        held = run.get(kind)
        if isinstance(held, list):
            return held
    return None


def _hear(run: Any, args: dict) -> Suspend:
    detail: dict[str, Any] = {"variable": args["var"]}
    options = _menu_options(run, args)
    if options is not None:
        if not options:
            raise BasicRuntimeError("HEAR ... AS a menu needs at least one option")
        detail["options"] = [values.to_text(o) for o in options]
        args["#options"] = options
    elif args.get("kind"):
        detail["type"] = args["kind"].upper()
    return Suspend("input", detail)


def _hear_done(run: Any, args: dict, value: Any) -> Suspend | None:
    text = values.to_text(value)
    if "#options" in args:
        ok, result, hint = menu_choice(args["#options"], text)
    elif args.get("kind"):
        ok, result, hint = validate_input(args["kind"], text, today=run.now().date())
    else:
        ok, result, hint = True, text, ""
    if not ok:
        run.host.talk(hint, origin=run.origin("hint"))
        return _hear(run, args)
    run.assign(args["var"], result)
    return None


def _change_list(run: Any, args: dict, where: str) -> None:
    target = args["list"]
    current = run.reference(target)
    if current is None:
        run.assign(target, [])
        current = run.reference(target)
    if not isinstance(current, list):
        raise BasicRuntimeError(
            f"{where} needs a list in {target}, got {values.kind_of(current)}: {values.describe(current)}"
        )
    current.append(values.deep_copy(args["value"]))


def _push(run: Any, args: dict) -> None:
    _change_list(run, args, "PUSH")


def _append(run: Any, args: dict) -> None:
    _change_list(run, args, "APPEND")


def _throw(run: Any, args: dict) -> None:
    """The statement form of the THROW function; also takes an ERR-like map
    (``THROW #{number: 42, description: "bad"}``) to re-raise a caught error."""
    message, number = args["message"], args.get("number")
    if isinstance(message, dict) and "number" in message and number is None:
        message, number = message.get("description", "error"), message["number"]
    throw(message, number)


def _clear_error(run: Any, args: dict) -> None:
    run.clear_error()


CORE_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "TALK", ("{message}",), _talk,
        summary="Send a message to the user on the current channel.",
        example='TALK "Hello, " + name', category="Conversation",
    ),
    KeywordSpec(
        "BEGIN TALK", ("",), _begin_talk, block_end="END TALK", block_text=True,
        summary="Send a multi-line message written as is, with `${expr}` holes filled in.",
        example="BEGIN TALK\nHello ${name}!\nYour order ${id} has shipped.\nEND TALK",
        category="Conversation",
    ),
    KeywordSpec(
        "TALK TO", ("{recipient}, {message}",), _talk_to,
        summary="Send a message to another address or channel (e.g. \"whatsapp:+5511...\").",
        example='TALK TO "whatsapp:+5511999990000", "Your order shipped"', category="Conversation",
        effect=True,
    ),
    KeywordSpec(
        "PRINT", ("{values:exprs}", ""), _print,
        summary="Write debug output (the console in `gb run`, the log on a server).",
        example='PRINT "total", total', category="Conversation",
    ),
    KeywordSpec(
        "WAIT", ("{seconds}",), _wait, on_resume=timer_done,
        summary="Pause the script for a number of seconds; the run is saved while it waits.",
        example="WAIT 5", category="Conversation",
    ),
    KeywordSpec(
        "HEAR", ("{var:target} AS {kind:word}", "{var:target} AS {options:exprs}", "{var:target}"),
        _hear, on_resume=_hear_done,
        summary="Wait for the user's next message and store it in a variable; `AS type` validates "
        "it (EMAIL, DATE, INTEGER, ...) and asks again when it does not fit; `AS \"a\", \"b\"` or "
        "`AS list` offers a menu.",
        example='HEAR age AS INTEGER\nHEAR choice AS "Yes", "No"', category="Conversation",
    ),
    KeywordSpec(
        "PUSH", ("{list:target}, {value}",), _push,
        summary="Add a value at the end of a list variable, changing it in place.",
        example="PUSH items, \"apple\"", category="Data",
    ),
    KeywordSpec(
        "APPEND", ("{list:target}, {value}",), _append,
        summary="Add a value at the end of a list variable, changing it in place (same as PUSH).",
        example="APPEND items, \"apple\"", category="Data",
    ),
    KeywordSpec(
        "THROW", ("{message}, {number}", "{message}"), _throw,
        summary="Raise an error with a message (and an error number, 1000 by default); ON ERROR "
        "handlers see them in ERR_DESCRIPTION and ERR_NUMBER.",
        example='THROW "quantity must be positive", 422', category="Errors",
    ),
    KeywordSpec(
        "CLEAR ERROR", ("",), _clear_error,
        summary="Forget the last error: ERR becomes 0 and ERR_DESCRIPTION empty.",
        example="CLEAR ERROR", category="Errors",
    ),
)
