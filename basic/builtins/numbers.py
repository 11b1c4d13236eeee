"""Math functions: rounding, MAX/MIN, MOD, powers and roots, RANDOM, logarithms and trigonometry.

Numeric text is read as a number everywhere (``ABS("-3")`` is 3). Rounding is half away from
zero. Angles are in radians.
"""

from __future__ import annotations

import math
import random
from typing import Any

from basic.builtins.args import fail, finite, int_arg, number_arg, round_half_up
from basic.builtins.registry import builtin
from basic.errors import BasicRuntimeError
from basic.values import compare, describe, mod, power

M = "Math"


def _num(fn: str, v: Any) -> int | float:
    return number_arg(fn, v)


@builtin(
    "ABS",
    min_args=1,
    max_args=1,
    signature="ABS(number)",
    summary="The number without its sign.",
    example="ABS(-3.5) → 3.5",
    category=M,
)
def abs_(x: Any) -> int | float:
    return abs(_num("ABS", x))


@builtin(
    "ROUND",
    min_args=1,
    max_args=2,
    signature="ROUND(number, decimals)",
    summary=(
        "The number rounded half away from zero: to a whole number (an integer) without decimals, "
        "else to that many decimals; negative decimals round to tens, hundreds..."
    ),
    example="ROUND(2.5) → 3",
    category=M,
)
def round_(x: Any, decimals: Any = 0) -> int | float:
    n = _num("ROUND", x)
    places = int_arg("ROUND", decimals, "a number of decimals")
    r = round_half_up(n, places)
    if places <= 0 or isinstance(n, int):
        return int(r)
    return float(r)


@builtin(
    "INT",
    min_args=1,
    max_args=1,
    signature="INT(number)",
    summary="The whole part of a number, truncating toward zero (INT(-2.7) is -2).",
    example="INT(7.9) → 7",
    category=M,
)
def int_(x: Any) -> int:
    return math.trunc(_num("INT", x))


@builtin(
    "FIX",
    min_args=1,
    max_args=1,
    signature="FIX(number)",
    summary="The whole part of a number, truncating toward zero, like INT.",
    example="FIX(-2.7) → -2",
    category=M,
)
def fix(x: Any) -> int:
    return math.trunc(_num("FIX", x))


@builtin(
    "FLOOR",
    min_args=1,
    max_args=1,
    signature="FLOOR(number)",
    summary="The largest whole number not above the number.",
    example="FLOOR(-2.1) → -3",
    category=M,
)
def floor(x: Any) -> int:
    return math.floor(_num("FLOOR", x))


@builtin(
    "CEIL",
    aliases=("CEILING",),
    min_args=1,
    max_args=1,
    signature="CEIL(number)",
    summary="The smallest whole number not below the number.",
    example="CEIL(2.1) → 3",
    category=M,
)
def ceil(x: Any) -> int:
    return math.ceil(_num("CEIL", x))


def _extreme(fn: str, args: tuple[Any, ...], sign: int) -> Any:
    items: list[Any]
    if len(args) == 1:
        if not isinstance(args[0], list):
            raise fail(fn, "two numbers or one list", args[0])
        items = args[0]
        if not items:
            raise BasicRuntimeError(f"{fn} expects a list with at least one item, got an empty list")
    else:
        items = list(args)
    best = items[0]
    for item in items[1:]:
        if compare(item, best) * sign > 0:
            best = item
    return best


@builtin(
    "MAX",
    min_args=1,
    max_args=None,
    signature="MAX(a, b)",
    summary="The larger of two (or more) values, or the largest item of one list.",
    example="MAX(3, 7) → 7",
    category=M,
)
def max_(*args: Any) -> Any:
    return _extreme("MAX", args, 1)


@builtin(
    "MIN",
    min_args=1,
    max_args=None,
    signature="MIN(a, b)",
    summary="The smaller of two (or more) values, or the smallest item of one list.",
    example="MIN([4, 2, 9]) → 2",
    category=M,
)
def min_(*args: Any) -> Any:
    return _extreme("MIN", args, -1)


@builtin(
    "MOD",
    min_args=2,
    max_args=2,
    signature="MOD(a, b)",
    summary="The remainder of a divided by b, with the sign of a (MOD(-7, 3) is -1); b must not be 0.",
    example="MOD(17, 5) → 2",
    category=M,
)
def mod_(a: Any, b: Any) -> int | float:
    _num("MOD", a), _num("MOD", b)
    return mod(a, b)


@builtin(
    "POW",
    aliases=("POWER",),
    min_args=2,
    max_args=2,
    signature="POW(base, exponent)",
    summary="The base raised to the exponent; whole powers of whole numbers stay whole.",
    example="POW(2, 10) → 1024",
    category=M,
)
def pow_(a: Any, b: Any) -> int | float:
    _num("POW", a), _num("POW", b)
    return power(a, b)


@builtin(
    "SQR",
    aliases=("SQRT",),
    min_args=1,
    max_args=1,
    signature="SQR(number)",
    summary="The square root of a number that is 0 or more.",
    example="SQR(16) → 4",
    category=M,
)
def sqr(x: Any) -> float:
    n = _num("SQR", x)
    if n < 0:
        raise BasicRuntimeError(f"SQR expects a number that is 0 or more, got {describe(x)}")
    return math.sqrt(n)


@builtin(
    "SGN",
    min_args=1,
    max_args=1,
    signature="SGN(number)",
    summary="The sign of a number: -1 if negative, 0 for zero, 1 if positive.",
    example="SGN(-5) → -1",
    category=M,
)
def sgn(x: Any) -> int:
    n = _num("SGN", x)
    return (n > 0) - (n < 0)


@builtin(
    "RANDOM",
    aliases=("RND",),
    min_args=0,
    max_args=2,
    signature="RANDOM(min, max)",
    summary=(
        "Without arguments a decimal in [0, 1); RANDOM(n) a whole number from 0 to n - 1 (0 if n <= 0); "
        "RANDOM(min, max) a whole number from min to max inclusive (min if max <= min)."
    ),
    example="RANDOM(1, 6) → 4",
    category=M,
)
def random_(a: Any = None, b: Any = None) -> int | float:
    if a is None and b is None:
        return random.random()
    if b is None:
        n = int_arg("RANDOM", a, "a whole number")
        return random.randrange(n) if n > 0 else 0
    low = int_arg("RANDOM", a, "a whole number")
    high = int_arg("RANDOM", b, "a whole number")
    return random.randint(low, high) if high > low else low


def _positive(fn: str, x: Any) -> float:
    n = _num(fn, x)
    if n <= 0:
        raise BasicRuntimeError(f"{fn} expects a number greater than 0, got {describe(x)}")
    return n


@builtin(
    "LOG",
    min_args=1,
    max_args=1,
    signature="LOG(number)",
    summary="The natural logarithm of a number greater than 0.",
    example="LOG(EXP(2)) → 2",
    category=M,
)
def log(x: Any) -> float:
    return math.log(_positive("LOG", x))


@builtin(
    "LOG10",
    min_args=1,
    max_args=1,
    signature="LOG10(number)",
    summary="The base-10 logarithm of a number greater than 0.",
    example="LOG10(1000) → 3",
    category=M,
)
def log10(x: Any) -> float:
    return math.log10(_positive("LOG10", x))


@builtin(
    "EXP",
    min_args=1,
    max_args=1,
    signature="EXP(number)",
    summary="The number e raised to the given power.",
    example="EXP(0) → 1",
    category=M,
)
def exp(x: Any) -> float:
    n = _num("EXP", x)
    try:
        return math.exp(n)
    except OverflowError:
        raise BasicRuntimeError(f"EXP({describe(x)}) is too large") from None


@builtin(
    "PI",
    min_args=0,
    max_args=0,
    signature="PI()",
    summary="The number π.",
    example="ROUND(PI(), 4) → 3.1416",
    category=M,
)
def pi() -> float:
    return math.pi


def _trig(name: str, func: Any, summary: str, example: str, domain: tuple[float, float] | None = None,
          aliases: tuple[str, ...] = ()) -> None:
    def call(x: Any) -> float:
        n = _num(name, x)
        if domain and not domain[0] <= n <= domain[1]:
            raise BasicRuntimeError(
                f"{name} expects a number from {format(domain[0], 'g')} to {format(domain[1], 'g')}, "
                f"got {describe(x)}"
            )
        if not math.isfinite(n):
            raise fail(name, "a finite number", x)
        return finite(name, func(n))

    call.__name__ = name.lower()
    builtin(
        name,
        aliases=aliases,
        min_args=1,
        max_args=1,
        signature=f"{name}(number)",
        summary=summary,
        example=example,
        category=M,
    )(call)


_trig("SIN", math.sin, "The sine of an angle in radians.", "SIN(0) → 0")
_trig("COS", math.cos, "The cosine of an angle in radians.", "COS(0) → 1")
_trig("TAN", math.tan, "The tangent of an angle in radians.", "TAN(0) → 0")
_trig("ASIN", math.asin, "The angle (radians) whose sine is the number, from -1 to 1.",
      "ASIN(1) → 1.5707963267948966", (-1.0, 1.0))
_trig("ACOS", math.acos, "The angle (radians) whose cosine is the number, from -1 to 1.",
      "ACOS(1) → 0", (-1.0, 1.0))


@builtin(
    "ATAN",
    aliases=("ATN",),
    min_args=1,
    max_args=2,
    signature="ATAN(number)",
    summary="The angle (radians) whose tangent is the number; ATAN(y, x) is the angle of the point (x, y).",
    example="ATAN(1) → 0.7853981633974483",
    category=M,
)
def atan(y: Any, x: Any = None) -> float:
    if x is None:
        return math.atan(_num("ATAN", y))
    return math.atan2(_num("ATAN", y), _num("ATAN", x))

