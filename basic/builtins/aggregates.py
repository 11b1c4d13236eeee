"""Aggregates: SUM, AVG and COUNT over a list (optionally a field of a list of maps) or over arguments."""

from __future__ import annotations

from typing import Any

from basic.builtins.args import fail, number_arg, text_arg
from basic.builtins.registry import builtin
from basic.errors import BasicRuntimeError
from basic.values import is_datetime_map

A = "Aggregates"


def _values(fn: str, args: tuple[Any, ...]) -> list[Any]:
    """The numbers to aggregate: SUM(list), SUM(list, "field") over maps, or SUM(a, b, c...)."""
    if args and isinstance(args[0], list):
        items = args[0]
        if len(args) == 2:
            field = text_arg(fn, args[1], "a field name")
            picked = []
            for item in items:
                if not isinstance(item, dict):
                    raise fail(fn, f'a list of maps with a field "{field}"', item)
                picked.append(item.get(field))
            items = picked
        elif len(args) > 2:
            raise BasicRuntimeError(f"{fn} takes a list and at most a field name, got {len(args)} arguments")
    else:
        items = list(args)
    return [number_arg(fn, v, "numbers") for v in items if v is not None and v != ""]


@builtin(
    "SUM",
    min_args=1,
    max_args=None,
    signature="SUM(list, field)",
    summary=(
        "The total of a list of numbers, of one field of a list of maps, or of its arguments; "
        "numeric text counts, empty items are skipped; an empty list gives 0."
    ),
    example='SUM([1, 2, "3"]) → 6',
    category=A,
)
def sum_(*args: Any) -> int | float:
    return sum(_values("SUM", args), 0)


@builtin(
    "AVG",
    aliases=("AVERAGE",),
    min_args=1,
    max_args=None,
    signature="AVG(list, field)",
    summary="The mean of the same values SUM adds up; 0 when there are none.",
    example="AVG([2, 4, 9]) → 5",
    category=A,
)
def avg(*args: Any) -> int | float:
    values = _values("AVG", args)
    if not values:
        return 0
    total = sum(values, 0)
    if isinstance(total, int) and total % len(values) == 0:
        return total // len(values)
    return total / len(values)


@builtin(
    "COUNT",
    min_args=1,
    max_args=1,
    signature="COUNT(list)",
    summary="The number of items in a list (keys of a map, characters of a text); empty is 0.",
    example="COUNT([1, 2, 3]) → 3",
    category=A,
)
def count(v: Any) -> int:
    if v is None:
        return 0
    if isinstance(v, list) or (isinstance(v, dict) and not is_datetime_map(v)):
        return len(v)
    if isinstance(v, str):
        return len(v)
    raise fail("COUNT", "a list, a map or a text", v)
