"""FORMAT(value, pattern): numbers, dates (text or NOW() maps) and text placeholders.

Number patterns:

* Excel/Visual Basic style: ``0`` is a digit always shown, ``#`` a digit shown when needed,
  ``,`` in the integer part groups thousands, ``.`` starts the decimals, ``%`` multiplies by 100;
  other characters are kept around the number (``"R$ #,##0.00"``). Rounding is half away from zero.
* .NET style, as the reference server has them: ``N``/``N2`` (grouped, 2 decimals by default),
  ``C``/``C2`` (currency), either with a locale ``[en]``, ``[pt]``, ``[fr]``, ``[de]``, ``[es]``,
  ``[it]``; ``n`` and ``F`` (2 decimals), ``f`` (as is).

Date patterns: ``yyyy yy MMMM MMM MM M dddd ddd dd d HH H hh h mm m ss s fff tt``; text in single
quotes is literal. Text patterns (when the value is neither a number nor a date): ``@`` is the value,
``&``/``<`` the value in lower case, ``>``/``!`` in upper case.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from basic.builtins.args import round_half_up, text_arg
from basic.builtins.moments import parse_moment
from basic.builtins.registry import builtin
from basic.values import format_number, is_datetime_map, is_number, parse_number

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_DATE_TOKEN = re.compile(r"'[^']*'|yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|fff|tt")


def format_date_pattern(dt: datetime, pattern: str) -> str:
    """Write a datetime with a .NET-style pattern, token by token (never inside literal words)."""

    def token(m: re.Match[str]) -> str:
        t = m.group(0)
        if t.startswith("'"):
            return t[1:-1]
        hour12 = dt.hour % 12 or 12
        return {
            "yyyy": f"{dt.year:04d}",
            "yy": f"{dt.year % 100:02d}",
            "MMMM": _MONTHS[dt.month - 1],
            "MMM": _MONTHS[dt.month - 1][:3],
            "MM": f"{dt.month:02d}",
            "M": str(dt.month),
            "dddd": _WEEKDAYS[dt.weekday()],
            "ddd": _WEEKDAYS[dt.weekday()][:3],
            "dd": f"{dt.day:02d}",
            "d": str(dt.day),
            "HH": f"{dt.hour:02d}",
            "H": str(dt.hour),
            "hh": f"{hour12:02d}",
            "h": str(hour12),
            "mm": f"{dt.minute:02d}",
            "m": str(dt.minute),
            "ss": f"{dt.second:02d}",
            "s": str(dt.second),
            "fff": f"{dt.microsecond // 1000:03d}",
            "tt": "PM" if dt.hour >= 12 else "AM",
        }[t]

    return _DATE_TOKEN.sub(token, pattern)


_LOCALES = {
    "en": (",", ".", "$"),
    "pt": (".", ",", "R$ "),
    "fr": (" ", ",", "€"),
    "de": (".", ",", "€"),
    "es": (".", ",", "€"),
    "it": (".", ",", "€"),
}
_DOTNET = re.compile(r"([NC])(\d{0,2})(?:\[(\w+)\])?")
_NUMERIC_SECTION = re.compile(r"[#0,]*[#0](?:\.[#0]*)?|\.[#0]+")


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _fixed(x: int | float, decimals: int, group: str | None, point: str = ".") -> str:
    r = round_half_up(x, decimals)
    negative = r < 0
    text = format(abs(r), "f")
    whole, _, frac = text.partition(".")
    if group:
        whole = _group(whole, group)
    out = whole + (point + frac if decimals > 0 else "")
    return ("-" if negative else "") + out


def format_number_pattern(x: int | float, pattern: str) -> str:
    """Format a number with an Excel-style or .NET-style pattern (see the module notes)."""
    m = _DOTNET.fullmatch(pattern)
    if m:
        kind, digits, locale = m.group(1), m.group(2), (m.group(3) or "en").lower()
        group, point, symbol = _LOCALES.get(locale, _LOCALES["en"])
        decimals = int(digits) if digits else 2
        body = _fixed(x, decimals, group, point)
        if kind == "C":
            return ("-" + symbol + body[1:]) if body.startswith("-") else symbol + body
        return body
    if pattern in ("n", "F"):
        return _fixed(x, 2, None)
    if pattern == "f":
        return format_number(x)
    section = _NUMERIC_SECTION.search(pattern)
    if section is None:
        return format_number(x)
    prefix, suffix = pattern[: section.start()], pattern[section.end() :]
    spec = section.group(0)
    int_spec, _, frac_spec = spec.partition(".")
    d = Decimal(x) if isinstance(x, int) else Decimal(repr(x))
    if "%" in prefix or "%" in suffix:
        d *= 100
    min_dec, max_dec = frac_spec.count("0"), len(frac_spec)
    r = round_half_up(d, max_dec)
    negative = r < 0
    whole, _, frac = format(abs(r), "f").partition(".")
    frac = frac.rstrip("0")
    if len(frac) < min_dec:
        frac = frac + "0" * (min_dec - len(frac))
    min_int = int_spec.count("0")
    whole = whole.lstrip("0")
    if len(whole) < min_int:
        whole = "0" * (min_int - len(whole)) + whole
    if "," in int_spec and whole:
        whole = _group(whole, ",")
    body = whole + ("." + frac if frac else "")
    if not body:
        body = "0"
    if negative and body.strip("0.,") != "":
        return "-" + prefix + body + suffix
    return prefix + body + suffix


def _format_text(value: str, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "@":
            out.append(value)
        elif ch in "&<":
            out.append(value.lower())
        elif ch in ">!":
            out.append(value.upper())
        else:
            out.append(ch)
    return "".join(out)


@builtin(
    "FORMAT",
    min_args=2,
    max_args=2,
    signature="FORMAT(value, pattern)",
    summary=(
        'A number, date or text written with a pattern: "#,##0.00", "0.0", "0%", "N2", "C2[pt]" for '
        'numbers; "yyyy-MM-dd", "dd/MM/yyyy HH:mm", "MMMM" for dates and NOW() maps; "@", "<", ">" '
        "for text."
    ),
    example='FORMAT(1234.5, "#,##0.00") → "1,234.50"',
    category="Text",
)
def format_(value: Any, pattern: Any) -> str:
    p = text_arg("FORMAT", pattern, "a pattern text")
    if is_number(value):
        return format_number_pattern(value, p)
    if isinstance(value, str):
        n = parse_number(value)
        if n is not None:
            return format_number_pattern(n, p)
    if is_datetime_map(value) or isinstance(value, str):
        moment = parse_moment(value)
        if moment is not None:
            return format_date_pattern(moment.value, p)
    return _format_text(text_arg("FORMAT", value, "a number, a date or a text"), p)

