"""Type and null checks, and the choice functions IIF, CHOOSE, SWITCH_FUNC and NVL/COALESCE.

A value counts as missing for NVL/COALESCE when it is empty or ``""``: GET BOT MEMORY and
similar keywords return ``""`` for a missing key, and templates use NVL to supply a default.
"""

from __future__ import annotations

from typing import Any

from basic.builtins.args import int_arg
from basic.builtins.registry import builtin
from basic.values import deep_copy, eq, is_error_value, is_number, truthy, type_name

C = "Types and nulls"


def _check(name: str, test: Any, summary: str, example: str, aliases: tuple[str, ...] = ()) -> None:
    def func(v: Any) -> bool:
        return bool(test(v))

    func.__name__ = name.lower()
    builtin(
        name,
        aliases=aliases,
        min_args=1,
        max_args=1,
        signature=f"{name}(value)",
        summary=summary,
        example=example,
        category=C,
    )(func)


def _is_empty(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, list | dict):
        return len(v) == 0 and not is_error_value(v)
    return False


_check("ISNULL", lambda v: v is None, "True only for the empty value (nothing assigned, no result).",
       "ISNULL(FIRST_ELEM([])) → true")
_check("ISEMPTY", _is_empty, 'True for the empty value, "" or blank text, and an empty list or map.',
       'ISEMPTY("  ") → true')
_check("ISARRAY", lambda v: isinstance(v, list), "True for a list.", "ISARRAY([1]) → true")
_check("ISSTRING", lambda v: isinstance(v, str), "True for a text (even one that holds digits).",
       'ISSTRING("42") → true')
_check("ISNUMBER", is_number, "True for a number (not for numeric text: see ISNUMERIC).",
       'ISNUMBER("42") → false')
_check("ISBOOL", lambda v: isinstance(v, bool), "True for true and false.", "ISBOOL(1 = 1) → true")


@builtin(
    "TYPEOF",
    aliases=("TYPENAME",),
    min_args=1,
    max_args=1,
    signature="TYPEOF(value)",
    summary=(
        'The type of a value: "string", "integer", "float", "boolean", "array", "map", "error" '
        'or "empty".'
    ),
    example='TYPEOF(2.5) → "float"',
    category=C,
)
def typeof(v: Any) -> str:
    return type_name(v)


def _missing(v: Any) -> bool:
    return v is None or v == ""


@builtin(
    "NVL",
    aliases=("IFNULL", "COALESCE"),
    min_args=1,
    max_args=None,
    signature="NVL(value, default)",
    summary='The first argument that is neither empty nor "" (the last one if all are).',
    example='NVL("", "guest") → "guest"',
    category=C,
)
def nvl(*values: Any) -> Any:
    for v in values:
        if not _missing(v):
            return deep_copy(v)
    return deep_copy(values[-1])


@builtin(
    "IIF",
    aliases=("IF_FUNC",),
    min_args=3,
    max_args=3,
    signature="IIF(condition, if_true, if_false)",
    summary="The if_true value when the condition is true (see the truth rules), else if_false.",
    example='IIF(5 > 3, "yes", "no") → "yes"',
    category=C,
)
def iif(condition: Any, if_true: Any, if_false: Any) -> Any:
    return deep_copy(if_true if truthy(condition) else if_false)


@builtin(
    "CHOOSE",
    min_args=2,
    max_args=None,
    signature="CHOOSE(index, a, b, ...)",
    summary="The 1-based index-th of the following arguments; empty when index is out of range.",
    example='CHOOSE(2, "red", "green", "blue") → "green"',
    category=C,
)
def choose(index: Any, *options: Any) -> Any:
    i = int_arg("CHOOSE", index, "a whole index")
    return deep_copy(options[i - 1]) if 1 <= i <= len(options) else None


@builtin(
    "SWITCH_FUNC",
    min_args=3,
    max_args=None,
    signature="SWITCH_FUNC(value, case1, result1, case2, result2, ..., default)",
    summary=(
        "The result paired with the first case equal to value (compared with =); the last argument, "
        "when unpaired, is the default; empty if nothing matches."
    ),
    example='SWITCH_FUNC(2, 1, "one", 2, "two", "many") → "two"',
    category=C,
)
def switch_func(value: Any, *pairs: Any) -> Any:
    for i in range(0, len(pairs) - 1, 2):
        if eq(value, pairs[i]):
            return deep_copy(pairs[i + 1])
    return deep_copy(pairs[-1]) if len(pairs) % 2 == 1 else None
