"""Errors and logging: THROW/RAISE, error values, ASSERT, GET_ERROR_MESSAGE and LOG_*.

An error value is a map ``{"$error": message}`` (with ``"number"`` when one is given): a function
can return it instead of stopping the script, and IS_ERROR tells it apart from other values.
THROW stops the script with a runtime error that ON ERROR can catch.
"""

from __future__ import annotations

from typing import Any

from basic.builtins.args import int_arg
from basic.builtins.registry import BuiltinContext, builtin
from basic.errors import BasicRuntimeError
from basic.values import ERROR_KEY, is_error_value, to_text, truthy

E = "Errors and logging"
DEFAULT_ERROR_NUMBER = 1000
_NOT_GIVEN: Any = object()


@builtin(
    "THROW",
    aliases=("RAISE",),
    min_args=1,
    max_args=2,
    signature="THROW(message, number)",
    summary=(
        "Stop with an error carrying the message (and error number, 1000 by default), which "
        "ON ERROR can catch; given an error value, rethrow it."
    ),
    example='THROW("Order not found", 404) → error "Order not found"',
    category=E,
)
def throw(message: Any, number: Any = None) -> None:
    code = DEFAULT_ERROR_NUMBER
    if is_error_value(message):
        stored = message.get("number")
        if isinstance(stored, int) and not isinstance(stored, bool):
            code = stored
        message = message[ERROR_KEY]
    if number is not None:
        code = int_arg("THROW", number, "a whole error number")
    raise BasicRuntimeError(to_text(message) or "error", number=code)


@builtin(
    "ERROR",
    min_args=1,
    max_args=2,
    signature="ERROR(message, number)",
    summary='An error value {"$error": message} to return or store; it does not stop the script.',
    example='IS_ERROR(ERROR("bad input")) → true',
    category=E,
)
def error(message: Any, number: Any = None) -> dict[str, Any]:
    value: dict[str, Any] = {ERROR_KEY: to_text(message)}
    if number is not None:
        value["number"] = int_arg("ERROR", number, "a whole error number")
    return value


@builtin(
    "IS_ERROR",
    aliases=("ISERROR",),
    min_args=1,
    max_args=1,
    signature="IS_ERROR(value)",
    summary="True for an error value made by ERROR().",
    example="IS_ERROR(42) → false",
    category=E,
)
def is_error(v: Any) -> bool:
    return is_error_value(v)


@builtin(
    "ASSERT",
    min_args=1,
    max_args=2,
    signature="ASSERT(condition, message)",
    summary='Stop with "Assertion failed: message" when the condition is false; true otherwise.',
    example='ASSERT(total > 0, "total must be positive") → true',
    category=E,
)
def assert_(condition: Any, message: Any = None) -> bool:
    if not truthy(condition):
        detail = to_text(message) if message is not None else "the condition is false"
        raise BasicRuntimeError(f"Assertion failed: {detail}")
    return True


@builtin(
    "GET_ERROR_MESSAGE",
    min_args=0,
    max_args=1,
    needs_context=True,
    signature="GET_ERROR_MESSAGE(error)",
    summary=(
        'The message of an error value, or without an argument of the last error the script caught '
        '(ON ERROR); "" when there is none.'
    ),
    example='GET_ERROR_MESSAGE(ERROR("bad input")) → "bad input"',
    category=E,
)
def get_error_message(ctx: BuiltinContext | None, value: Any = _NOT_GIVEN) -> str:
    if value is not _NOT_GIVEN:
        if is_error_value(value):
            return to_text(value[ERROR_KEY])
        return to_text(value) if isinstance(value, str) else ""
    last = ctx.last_error if ctx is not None else None
    if not last:
        return ""
    return to_text(last.get("description", ""))


def _logger(name: str, level: str) -> None:
    def func(ctx: BuiltinContext | None, *parts: Any) -> None:
        if ctx is None:
            raise BasicRuntimeError(f"{name} cannot log here: the run has no log")
        ctx.log(level, " ".join(to_text(p) for p in parts))

    func.__name__ = name.lower()
    builtin(
        name,
        min_args=1,
        max_args=None,
        needs_context=True,
        signature=f"{name}(message, ...)",
        summary=f"Write the message (its parts joined by spaces) to the run's log at {level} level.",
        example=f'{name}("order", 42) → logs "order 42"',
        category=E,
    )(func)


_logger("LOG_DEBUG", "debug")
_logger("LOG_INFO", "info")
_logger("LOG_WARN", "warning")
_logger("LOG_ERROR", "error")
