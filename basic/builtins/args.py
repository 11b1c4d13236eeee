"""Argument readers shared by the built-ins: each says what it expected when a value does not fit.

Messages read like ``LEFT expects a number of characters, got "abc"``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from basic.errors import BasicRuntimeError
from basic.values import describe, is_datetime_map, number_or_none, to_text

# A ceiling on lists and texts the built-ins build, so a script cannot exhaust memory in one call.
MAX_BUILT_ITEMS = 1_000_000


def fail(fn: str, what: str, v: Any) -> BasicRuntimeError:
    return BasicRuntimeError(f"{fn} expects {what}, got {describe(v)}")


def text_arg(fn: str, v: Any, what: str = "a text") -> str:
    """Any scalar reads as its display text; lists and maps (except date maps) do not."""
    if isinstance(v, list) or (isinstance(v, dict) and not is_datetime_map(v)):
        raise fail(fn, what, v)
    return to_text(v)


def number_arg(fn: str, v: Any, what: str = "a number") -> int | float:
    """A number, or text that reads as one. Empty counts as 0."""
    n = number_or_none(v)
    if n is None:
        raise fail(fn, what, v)
    return n


def int_arg(fn: str, v: Any, what: str = "a whole number", *, minimum: int | None = None) -> int:
    """A whole number (2.0 is accepted as 2), optionally at least ``minimum``."""
    n = number_arg(fn, v, what)
    if isinstance(n, float):
        if not n.is_integer():
            raise fail(fn, what, v)
        n = int(n)
    if minimum is not None and n < minimum:
        raise BasicRuntimeError(f"{fn} expects {what} of {minimum} or more, got {describe(v)}")
    return n


def list_arg(fn: str, v: Any, what: str = "a list") -> list[Any]:
    """A list; empty reads as an empty list."""
    if v is None:
        return []
    if not isinstance(v, list):
        raise fail(fn, what, v)
    return v


def finite(fn: str, x: float) -> float:
    if not math.isfinite(x):
        raise BasicRuntimeError(f"{fn} gives a result that is not a finite number")
    return x


def check_size(fn: str, n: int) -> None:
    if n > MAX_BUILT_ITEMS:
        raise BasicRuntimeError(f"{fn} would build {n} items; the limit is {MAX_BUILT_ITEMS}")


def round_half_up(x: int | float | Decimal, places: int) -> Decimal:
    """x rounded half away from zero to ``places`` decimals (negative: tens, hundreds...), exactly."""
    d = x if isinstance(x, Decimal) else Decimal(x) if isinstance(x, int) else Decimal(repr(x))
    places = max(-400, min(400, places))
    with localcontext() as ctx:
        ctx.prec = 1000
        return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
