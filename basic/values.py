"""Value semantics of General Bots BASIC: operators, comparisons, truth and display.

Values are JSON trees: ``None`` (the empty value), ``bool``, ``int``, ``float``, ``str``,
``list`` and ``dict`` with string keys. Everything here is pure: no operator changes its
operands, so a VM state stays plain JSON.

Decisions (DIALECT.md §2.2 and §5, where the reference is loose):

* ``+`` concatenates when either side is text (``"3" + 1`` is ``"31"``), adds numbers, and joins
  two lists. Every other arithmetic operator reads numeric text as a number (``"3" * 2`` is 6).
* The empty value counts as 0 in arithmetic and as ``""`` in text.
* ``/`` gives an integer when both sides are integers and the division is exact (``6 / 2`` is 3),
  a float otherwise. ``\\`` divides and truncates toward zero. ``MOD`` takes the sign of the
  dividend and keeps fractions (``5.5 MOD 2`` is 1.5). Dividing by zero is an error.
* Comparison: numbers compare with numbers and with numeric text as numbers (``"2" = 2``); two
  texts compare as text, case-sensitively; empty equals ``""``, ``0`` and empty; a boolean equals
  the text ``"true"``/``"false"`` in any case; lists and maps compare element by element.
* ``LIKE`` matches the whole text, ignoring case, with both wildcard families: ``*`` and ``%``
  for any run of characters, ``?`` and ``_`` for one character, ``#`` for one digit, and
  ``[abc]``, ``[a-z]``, ``[!abc]`` for character classes (``[*]`` is a literal star).
* Truth: empty, ``false``, 0, ``""``, the texts ``"false"`` and ``"0"`` (any case, trimmed), and
  empty lists and maps are false; everything else is true.
* Display (TALK, PRINT, ``&``, ``+`` with text): empty is ``""``, booleans are ``true``/``false``,
  whole floats print without ``.0``, a date/time map (what NOW(), TODAY() and TIME() return)
  prints its ``formatted`` text, an error value prints its message, other lists and maps print
  as JSON.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from basic.errors import BasicRuntimeError

Value = Any  # None | bool | int | float | str | list | dict: a JSON tree

ERROR_KEY = "$error"

_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")


# ---------------------------------------------------------------------------------------------
# Types


def is_number(v: Value) -> bool:
    """True for int and float, never for bool (which Python counts as an int)."""
    return isinstance(v, int | float) and not isinstance(v, bool)


def is_error_value(v: Value) -> bool:
    return isinstance(v, dict) and ERROR_KEY in v


def is_datetime_map(v: Value) -> bool:
    """A map made by NOW(), TODAY() or TIME(): it displays as its ``formatted`` text."""
    return (
        isinstance(v, dict)
        and isinstance(v.get("formatted"), str)
        and (isinstance(v.get("year"), int) or isinstance(v.get("hour"), int))
    )


def type_name(v: Value) -> str:
    """The BASIC name of a value's type, as TYPEOF returns it."""
    if v is None:
        return "empty"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "error" if is_error_value(v) else "map"
    return type(v).__name__


_ARTICLES = {
    "empty": "nothing (an empty value)",
    "boolean": "a boolean",
    "integer": "a number",
    "float": "a number",
    "string": "a text",
    "array": "a list",
    "map": "a map",
    "error": "an error value",
}


def describe(v: Value) -> str:
    """How an error message shows a value to an author: text quoted, lists as JSON."""
    if v is None:
        return "nothing (an empty value)"
    if isinstance(v, str):
        shown = v if len(v) <= 60 else v[:57] + "..."
        return json.dumps(shown, ensure_ascii=False)
    text = to_text(v)
    return text if len(text) <= 60 else text[:57] + "..."


def kind_of(v: Value) -> str:
    """'a number', 'a text', 'a list'... for messages such as "cannot subtract a text"."""
    return _ARTICLES.get(type_name(v), "a value")


# ---------------------------------------------------------------------------------------------
# Numbers


def parse_number(text: str) -> int | float | None:
    """Read a whole text as a number (``" 42 "`` → 42, ``"2.5"`` → 2.5), or None if it is not one."""
    s = text.strip()
    if not s:
        return None
    if _INT_RE.fullmatch(s):
        return int(s)
    if _FLOAT_RE.fullmatch(s):
        f = float(s)
        return f if math.isfinite(f) else None
    return None


def is_numeric(v: Value) -> bool:
    """A number, or text that reads as one."""
    if is_number(v):
        return True
    return isinstance(v, str) and parse_number(v) is not None


def number_or_none(v: Value) -> int | float | None:
    """The number a value stands for in arithmetic (numeric text is read, empty is 0), or None."""
    if is_number(v):
        return v
    if v is None:
        return 0
    if isinstance(v, str):
        return parse_number(v)
    return None


def to_number(v: Value, *, what: str = "a number") -> int | float:
    """The number a value stands for in arithmetic, or an error saying what was expected."""
    n = number_or_none(v)
    if n is None:
        raise BasicRuntimeError(f"expected {what}, got {describe(v)}")
    return n


def normalize_number(x: int | float) -> int | float:
    """Keep floats as floats, but refuse NaN and infinity, which JSON cannot hold."""
    if isinstance(x, float) and not math.isfinite(x):
        raise BasicRuntimeError("the result is not a finite number (too large, or undefined)")
    return x


def _operand(v: Value, op: str, side: str, a: Value, b: Value) -> int | float:
    n = number_or_none(v)
    if n is not None:
        return n
    raise BasicRuntimeError(
        f"cannot {op} {kind_of(v)} ({side} side of {describe(a)} {_SYMBOL[op]} {describe(b)}); "
        "expected numbers"
    )


_SYMBOL = {
    "add": "+",
    "subtract": "-",
    "multiply": "*",
    "divide": "/",
    "integer-divide": "\\",
    "take the remainder of": "MOD",
    "raise": "^",
}


def _numbers(a: Value, b: Value, op: str) -> tuple[int | float, int | float]:
    return _operand(a, op, "left", a, b), _operand(b, op, "right", a, b)


def add(a: Value, b: Value) -> Value:
    """``+``: text on either side concatenates; two lists join; otherwise numbers add."""
    if isinstance(a, str) or isinstance(b, str):
        return to_text(a) + to_text(b)
    if isinstance(a, list) and isinstance(b, list):
        return deep_copy(a) + deep_copy(b)
    x, y = _numbers(a, b, "add")
    return normalize_number(x + y)


def sub(a: Value, b: Value) -> Value:
    x, y = _numbers(a, b, "subtract")
    return normalize_number(x - y)


def mul(a: Value, b: Value) -> Value:
    x, y = _numbers(a, b, "multiply")
    return normalize_number(x * y)


def _check_divisor(y: int | float, a: Value, b: Value, symbol: str) -> None:
    if y == 0:
        raise BasicRuntimeError(f"division by zero: {describe(a)} {symbol} {describe(b)}")


def div(a: Value, b: Value) -> Value:
    """``/``: exact integer quotients stay integers (``6 / 2`` is 3, ``7 / 2`` is 3.5)."""
    x, y = _numbers(a, b, "divide")
    _check_divisor(y, a, b, "/")
    if isinstance(x, int) and isinstance(y, int) and x % y == 0:
        return x // y
    return normalize_number(x / y)


def _trunc_div(x: int | float, y: int | float) -> int:
    if isinstance(x, int) and isinstance(y, int):
        q = abs(x) // abs(y)
        return q if (x >= 0) == (y > 0) else -q
    return math.trunc(normalize_number(x / y))


def idiv(a: Value, b: Value) -> Value:
    """``\\``: integer division truncating toward zero (``-7 \\ 2`` is -3)."""
    x, y = _numbers(a, b, "integer-divide")
    _check_divisor(y, a, b, "\\")
    return _trunc_div(x, y)


def mod(a: Value, b: Value) -> Value:
    """``MOD``: the remainder takes the sign of the dividend (``-7 MOD 3`` is -1)."""
    x, y = _numbers(a, b, "take the remainder of")
    _check_divisor(y, a, b, "MOD")
    if isinstance(x, int) and isinstance(y, int):
        return x - y * _trunc_div(x, y)
    return normalize_number(math.fmod(x, y))


def power(a: Value, b: Value) -> Value:
    """``^``: integer powers of integers stay integers; the result must be a real number."""
    x, y = _numbers(a, b, "raise")
    if x == 0 and y < 0:
        raise BasicRuntimeError(f"division by zero: {describe(a)} ^ {describe(b)}")
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        if abs(x) > 1 and y * math.log2(abs(x)) > 1024:
            raise BasicRuntimeError(f"the result of {describe(a)} ^ {describe(b)} is too large")
        return x**y
    if x < 0 and not float(y).is_integer():
        raise BasicRuntimeError(
            f"{describe(a)} ^ {describe(b)} is not a real number (a negative number to a fractional power)"
        )
    try:
        result = math.pow(x, y)
    except OverflowError:
        raise BasicRuntimeError(f"the result of {describe(a)} ^ {describe(b)} is too large") from None
    return normalize_number(result)


def neg(a: Value) -> Value:
    """Unary minus."""
    if is_number(a):
        return -a
    if a is None:
        return 0
    if isinstance(a, str):
        n = parse_number(a)
        if n is not None:
            return -n
    raise BasicRuntimeError(f"cannot negate {kind_of(a)}: -{describe(a)}; expected a number")


def concat(a: Value, b: Value) -> str:
    """``&``: always text."""
    return to_text(a) + to_text(b)


# ---------------------------------------------------------------------------------------------
# Comparison


def _bool_text_eq(flag: bool, text: str) -> bool:
    return text.strip().lower() == ("true" if flag else "false")


def eq(a: Value, b: Value) -> bool:
    """``=``: equality as a template author means it (see the module notes)."""
    if a is None or b is None:
        other = b if a is None else a
        return other is None or other == "" or (is_number(other) and other == 0)
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a == b
        if isinstance(a, str):
            return _bool_text_eq(b, a)
        if isinstance(b, str):
            return _bool_text_eq(a, b)
        return False
    if is_number(a):
        if is_number(b):
            return a == b
        if isinstance(b, str):
            n = parse_number(b)
            return n is not None and n == a
        return False
    if isinstance(a, str):
        if isinstance(b, str):
            return a == b
        if is_number(b):
            n = parse_number(a)
            return n is not None and n == b
        if is_datetime_map(b):
            return a == b["formatted"]
        return False
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        if isinstance(b, str) and is_datetime_map(a):
            return a["formatted"] == b
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(eq(a[k], b[k]) for k in a)
        )
    return a == b


def ne(a: Value, b: Value) -> bool:
    return not eq(a, b)


def compare(a: Value, b: Value) -> int:
    """-1, 0 or 1 for ordering operators; raises when the two values have no order."""
    if is_datetime_map(a):
        a = a["formatted"]
    if is_datetime_map(b):
        b = b["formatted"]
    if a is None and b is None:
        return 0
    if a is None:
        a = "" if isinstance(b, str) else 0
    if b is None:
        b = "" if isinstance(a, str) else 0
    x: Any
    y: Any
    if isinstance(a, bool) and isinstance(b, bool):
        x, y = int(a), int(b)
    elif is_number(a) and is_number(b):
        x, y = a, b
    elif is_number(a) and isinstance(b, str) and parse_number(b) is not None:
        x, y = a, parse_number(b)
    elif isinstance(a, str) and is_number(b) and parse_number(a) is not None:
        x, y = parse_number(a), b
    elif isinstance(a, str) and isinstance(b, str):
        x, y = a, b
    elif isinstance(a, list) and isinstance(b, list):
        for p, q in zip(a, b, strict=False):
            c = compare(p, q)
            if c:
                return c
        x, y = len(a), len(b)
    else:
        raise BasicRuntimeError(
            f"cannot compare {kind_of(a)} with {kind_of(b)}: {describe(a)} and {describe(b)}"
        )
    return (x > y) - (x < y)


def lt(a: Value, b: Value) -> bool:
    return compare(a, b) < 0


def le(a: Value, b: Value) -> bool:
    return compare(a, b) <= 0


def gt(a: Value, b: Value) -> bool:
    return compare(a, b) > 0


def ge(a: Value, b: Value) -> bool:
    return compare(a, b) >= 0


# ---------------------------------------------------------------------------------------------
# LIKE and IN


@lru_cache(maxsize=512)
def like_regex(pattern: str) -> re.Pattern[str]:
    """Translate a LIKE pattern (VB and SQL wildcards, see the module notes) into a regex."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch in "*%":
            out.append(".*")
        elif ch in "?_":
            out.append(".")
        elif ch == "#":
            out.append(r"\d")
        elif ch == "[":
            end = pattern.find("]", i + 2 if i + 1 < n and pattern[i + 1] == "!" else i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                negate = body.startswith("!")
                if negate:
                    body = body[1:]
                parts = []
                j = 0
                while j < len(body):
                    if j + 2 < len(body) and body[j + 1] == "-":
                        parts.append(re.escape(body[j]) + "-" + re.escape(body[j + 2]))
                        j += 3
                    else:
                        parts.append(re.escape(body[j]))
                        j += 1
                out.append("[" + ("^" if negate else "") + "".join(parts) + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def like(a: Value, pattern: Value) -> bool:
    """``text LIKE pattern``: whole-text, case-insensitive wildcard match."""
    if not isinstance(pattern, str):
        if pattern is None or is_number(pattern):
            pattern = to_text(pattern)
        else:
            raise BasicRuntimeError(f"LIKE expects a text pattern on its right, got {describe(pattern)}")
    if isinstance(a, list | dict) and not is_datetime_map(a):
        raise BasicRuntimeError(f"LIKE expects a text on its left, got {kind_of(a)}: {describe(a)}")
    return like_regex(pattern).fullmatch(to_text(a)) is not None


def contains(container: Value, item: Value) -> bool:
    """``item IN container``: list membership by ``=``, substring of a text, key of a map."""
    if container is None:
        return False
    if isinstance(container, list):
        return any(eq(x, item) for x in container)
    if isinstance(container, dict):
        return to_text(item) in container
    if isinstance(container, str):
        return to_text(item) in container
    raise BasicRuntimeError(
        f"IN expects a list, a text or a map on its right, got {kind_of(container)}: {describe(container)}"
    )


# ---------------------------------------------------------------------------------------------
# Truth and display


def truthy(v: Value) -> bool:
    """Whether a value counts as true in IF, WHILE, AND, OR and NOT."""
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if is_number(v):
        return v != 0
    if isinstance(v, str):
        s = v.strip().lower()
        return s not in ("", "false", "0")
    if isinstance(v, list | dict):
        return len(v) > 0
    return bool(v)


def format_number(x: int | float) -> str:
    """Shortest text for a number: ``8`` for 8.0, ``2.5`` for 2.5, no exponent for big whole values."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    text = repr(x)
    if "e" in text:
        try:
            plain = format(Decimal(text), "f")
        except InvalidOperation:
            return text
        if len(plain) <= 24:
            return plain
    return text


def plain_json(v: Value) -> Value:
    """The tree with whole floats as ints, so JSON output shows ``8``, not ``8.0``."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 1e16:
        return int(v)
    if isinstance(v, list):
        return [plain_json(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain_json(x) for k, x in v.items()}
    return v


def to_json(v: Value) -> str:
    return json.dumps(plain_json(v), ensure_ascii=False, default=str)


def to_text(v: Value) -> str:
    """The display form of a value (TALK, PRINT, ``&``, and ``+`` with text)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return format_number(v)
    if isinstance(v, dict):
        if is_datetime_map(v):
            return v["formatted"]
        if is_error_value(v):
            return to_text(v[ERROR_KEY])
    return to_json(v)


def deep_copy(v: Value) -> Value:
    """A copy of a JSON tree that shares no list or map with the original."""
    if isinstance(v, list):
        return [deep_copy(x) for x in v]
    if isinstance(v, dict):
        return {k: deep_copy(x) for k, x in v.items()}
    return v
