"""Text functions: LEN, LEFT, RIGHT, MID, INSTR, case, trimming, REPLACE, SPLIT, JOIN, conversions.

Positions are 1-based, as in Visual Basic. Numbers given where text is expected are read as
their display text (``LEFT(12345, 2)`` is ``"12"``).
"""

from __future__ import annotations

import re
from typing import Any

from basic.builtins.args import check_size, fail, int_arg, list_arg, round_half_up, text_arg
from basic.builtins.registry import builtin
from basic.values import is_datetime_map, is_number, is_numeric, parse_number, to_text

T = "Text"


@builtin(
    "LEN",
    min_args=1,
    max_args=1,
    signature="LEN(value)",
    summary="Number of characters of a text; for a list its items, for a map its keys; empty is 0.",
    example='LEN("hello") → 5',
    category=T,
)
def len_(v: Any) -> int:
    if v is None:
        return 0
    if isinstance(v, list) or (isinstance(v, dict) and not is_datetime_map(v)):
        return len(v)
    return len(to_text(v))


@builtin(
    "LEFT",
    min_args=2,
    max_args=2,
    signature="LEFT(text, count)",
    summary="The first count characters of a text (all of it if it is shorter).",
    example='LEFT("hello", 2) → "he"',
    category=T,
)
def left(text: Any, count: Any) -> str:
    s = text_arg("LEFT", text)
    n = int_arg("LEFT", count, "a number of characters", minimum=0)
    return s[:n]


@builtin(
    "RIGHT",
    min_args=2,
    max_args=2,
    signature="RIGHT(text, count)",
    summary="The last count characters of a text (all of it if it is shorter).",
    example='RIGHT("hello", 3) → "llo"',
    category=T,
)
def right(text: Any, count: Any) -> str:
    s = text_arg("RIGHT", text)
    n = int_arg("RIGHT", count, "a number of characters", minimum=0)
    return s[len(s) - n :] if n else ""


@builtin(
    "MID",
    min_args=2,
    max_args=3,
    signature="MID(text, start, length)",
    summary="Characters from the 1-based start position, length of them or to the end; past the end is \"\".",
    example='MID("General Bots", 9, 3) → "Bot"',
    category=T,
)
def mid(text: Any, start: Any, length: Any = None) -> str:
    s = text_arg("MID", text)
    i = int_arg("MID", start, "a start position", minimum=1) - 1
    if length is None:
        return s[i:]
    n = int_arg("MID", length, "a number of characters", minimum=0)
    return s[i : i + n]


@builtin(
    "INSTR",
    min_args=2,
    max_args=3,
    signature="INSTR(text, find, start)",
    summary=(
        "The 1-based position of find in text, 0 if absent; the start position may come third, "
        "or first as in Visual Basic (INSTR(start, text, find))."
    ),
    example='INSTR("banana", "an") → 2',
    category=T,
)
def instr(a: Any, b: Any, c: Any = None) -> int:
    if c is not None and is_number(a):
        start, text, find = a, b, c
    else:
        text, find, start = a, b, (1 if c is None else c)
    s = text_arg("INSTR", text)
    f = text_arg("INSTR", find, "a text to find")
    i = int_arg("INSTR", start, "a start position", minimum=1)
    if i > len(s) + 1:
        return 0
    return s.find(f, i - 1) + 1


@builtin(
    "UCASE",
    aliases=("UPPER",),
    min_args=1,
    max_args=1,
    signature="UCASE(text)",
    summary="The text in upper case.",
    example='UCASE("Olá") → "OLÁ"',
    category=T,
)
def ucase(text: Any) -> str:
    return text_arg("UCASE", text).upper()


@builtin(
    "LCASE",
    aliases=("LOWER",),
    min_args=1,
    max_args=1,
    signature="LCASE(text)",
    summary="The text in lower case.",
    example='LCASE("HeLLo") → "hello"',
    category=T,
)
def lcase(text: Any) -> str:
    return text_arg("LCASE", text).lower()


@builtin(
    "TRIM",
    min_args=1,
    max_args=1,
    signature="TRIM(text)",
    summary="The text without spaces (and other blanks) at both ends.",
    example='TRIM("  hi  ") → "hi"',
    category=T,
)
def trim(text: Any) -> str:
    return text_arg("TRIM", text).strip()


@builtin(
    "LTRIM",
    min_args=1,
    max_args=1,
    signature="LTRIM(text)",
    summary="The text without blanks at the start.",
    example='LTRIM("  hi  ") → "hi  "',
    category=T,
)
def ltrim(text: Any) -> str:
    return text_arg("LTRIM", text).lstrip()


@builtin(
    "RTRIM",
    min_args=1,
    max_args=1,
    signature="RTRIM(text)",
    summary="The text without blanks at the end.",
    example='RTRIM("  hi  ") → "  hi"',
    category=T,
)
def rtrim(text: Any) -> str:
    return text_arg("RTRIM", text).rstrip()


@builtin(
    "REPLACE",
    min_args=3,
    max_args=3,
    signature="REPLACE(text, find, replacement)",
    summary="The text with every occurrence of find replaced (case-sensitive); an empty find changes none.",
    example='REPLACE("a-b-c", "-", "+") → "a+b+c"',
    category=T,
)
def replace(text: Any, find: Any, replacement: Any) -> str:
    s = text_arg("REPLACE", text)
    f = text_arg("REPLACE", find, "a text to find")
    r = text_arg("REPLACE", replacement, "a replacement text")
    if not f:
        return s
    count = s.count(f)
    check_size("REPLACE", len(s) + count * max(0, len(r) - len(f)))
    return s.replace(f, r)


@builtin(
    "SPLIT",
    min_args=1,
    max_args=2,
    signature="SPLIT(text, separator)",
    summary=(
        'A list of the parts of a text between separators (default ","); an empty text gives an '
        'empty list; an empty separator splits into characters.'
    ),
    example='SPLIT("a,b,c", ",") → ["a", "b", "c"]',
    category=T,
)
def split(text: Any, separator: Any = ",") -> list[str]:
    s = text_arg("SPLIT", text)
    sep = text_arg("SPLIT", separator, "a separator text")
    if s == "":
        return []
    if sep == "":
        return list(s)
    return s.split(sep)


@builtin(
    "JOIN",
    min_args=1,
    max_args=2,
    signature="JOIN(list, separator)",
    summary='The items of a list as one text, separated by separator (default ",").',
    example='JOIN(["a", "b"], " - ") → "a - b"',
    category=T,
)
def join(items: Any, separator: Any = ",") -> str:
    values = list_arg("JOIN", items)
    sep = text_arg("JOIN", separator, "a separator text")
    return sep.join(to_text(v) for v in values)


@builtin(
    "STR",
    min_args=1,
    max_args=1,
    signature="STR(value)",
    summary="The display text of a value: whole numbers without decimals, empty as \"\".",
    example='STR(42) → "42"',
    category=T,
)
def str_(v: Any) -> str:
    return to_text(v)


_LEADING_NUMBER = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")


@builtin(
    "VAL",
    min_args=1,
    max_args=1,
    signature="VAL(text)",
    summary="The number at the start of a text (\"12abc\" is 12), 0 when there is none.",
    example='VAL("3.5 kg") → 3.5',
    category=T,
)
def val(v: Any) -> int | float:
    if is_number(v):
        return v
    if isinstance(v, bool):
        return 1 if v else 0
    s = text_arg("VAL", v)
    m = _LEADING_NUMBER.match(s)
    if not m:
        return 0
    n = parse_number(m.group(1))
    return 0 if n is None else n


def _half_up(x: int | float) -> int:
    return x if isinstance(x, int) else int(round_half_up(x, 0))


@builtin(
    "CINT",
    min_args=1,
    max_args=1,
    signature="CINT(value)",
    summary="A number or numeric text as a whole number, rounding .5 away from zero; true is 1.",
    example='CINT("41.6") → 42',
    category=T,
)
def cint(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    if v is None:
        return 0
    if is_number(v):
        return _half_up(v)
    if isinstance(v, str):
        n = parse_number(v)
        if n is not None:
            return _half_up(n)
    raise fail("CINT", "a number or numeric text", v)


@builtin(
    "CDBL",
    min_args=1,
    max_args=1,
    signature="CDBL(value)",
    summary="A number or numeric text as a decimal number; a comma is read as the decimal point.",
    example='CDBL("2,5") → 2.5',
    category=T,
)
def cdbl(v: Any) -> float:
    if isinstance(v, bool):
        return float(v)
    if v is None:
        return 0.0
    if is_number(v):
        return float(v)
    if isinstance(v, str):
        n = parse_number(v)
        if n is None and v.count(",") == 1 and "." not in v:
            n = parse_number(v.replace(",", "."))
        if n is not None:
            return float(n)
    raise fail("CDBL", "a number or numeric text", v)


@builtin(
    "ISNUMERIC",
    aliases=("IS_NUMERIC",),
    min_args=1,
    max_args=1,
    signature="ISNUMERIC(value)",
    summary="True for a number or a text that reads as one (\" 42 \", \"-2.5\"); false otherwise.",
    example='ISNUMERIC("42") → true',
    category=T,
)
def isnumeric(v: Any) -> bool:
    return is_numeric(v)


def _words(fn: str, v: Any) -> list[str]:
    return text_arg(fn, v).split()


@builtin(
    "FIRST",
    min_args=1,
    max_args=1,
    signature="FIRST(text)",
    summary="The first word of a text (\"\" if none); given a list, its first item (empty if none).",
    example='FIRST("General Bots rocks") → "General"',
    category="Other",
)
def first(v: Any) -> Any:
    if isinstance(v, list):
        return v[0] if v else None
    words = _words("FIRST", v)
    return words[0] if words else ""


@builtin(
    "LAST",
    min_args=1,
    max_args=1,
    signature="LAST(text)",
    summary="The last word of a text (\"\" if none); given a list, its last item (empty if none).",
    example='LAST("General Bots rocks") → "rocks"',
    category="Other",
)
def last(v: Any) -> Any:
    if isinstance(v, list):
        return v[-1] if v else None
    words = _words("LAST", v)
    return words[-1] if words else ""

