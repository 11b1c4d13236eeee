"""Reading dates from script values: ISO text, day-first text, bare times and NOW()-style maps.

Shared by the date functions and FORMAT, so every function that takes a date accepts the same forms.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from basic.builtins.args import fail


class Moment:
    """A parsed date: the naive wall-clock datetime, whether it has a time, and how to write it back."""

    __slots__ = ("value", "has_time", "separator")

    def __init__(self, value: datetime, has_time: bool, separator: str = "T") -> None:
        self.value = value
        self.has_time = has_time
        self.separator = separator

    def render(self) -> str:
        if self.has_time:
            return self.value.strftime(f"%Y-%m-%d{self.separator}%H:%M:%S")
        return self.value.strftime("%Y-%m-%d")


_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_TIME_ONLY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
ISO_HEAD = re.compile(r"\d{4}-\d{2}-\d{2}")


def _build(y: int, mo: int, d: int, hh: str | None, mm: str | None, ss: str | None) -> datetime | None:
    try:
        return datetime(y, mo, d, int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None


def parse_moment(v: Any) -> Moment | None:
    """Read a date from text or a date map; None if it is not one."""
    if isinstance(v, dict):
        return _moment_from_map(v)
    if not isinstance(v, str):
        return None
    s = v.strip()
    if not s:
        return None
    if ISO_HEAD.match(s):
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            return None
        has_time = len(s) > 10
        separator = " " if has_time and s[10] == " " else "T"
        return Moment(dt.replace(tzinfo=None), has_time, separator)
    m = _DMY.fullmatch(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        dt = _build(y, b, a, m.group(5), m.group(6), m.group(7)) or _build(
            y, a, b, m.group(5), m.group(6), m.group(7)
        )
        return Moment(dt, m.group(5) is not None, " ") if dt else None
    m = _YMD_SLASH.fullmatch(s)
    if m:
        dt = _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), m.group(6))
        return Moment(dt, m.group(4) is not None, " ") if dt else None
    m = _TIME_ONLY.fullmatch(s)
    if m:
        try:
            t = time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
        except ValueError:
            return None
        return Moment(datetime.combine(date(1900, 1, 1), t), True, " ")
    return None


def _moment_from_map(m: dict[str, Any]) -> Moment | None:
    def part(key: str, default: int | None) -> int | None:
        value = m.get(key, default)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    year, month, day = part("year", None), part("month", None), part("day", None)
    hour, minute, second = part("hour", None), part("minute", 0), part("second", 0)
    if year is None or month is None or day is None:
        if hour is None:
            return None
        year, month, day = 1900, 1, 1
    try:
        dt = datetime(year, month, day, hour or 0, minute or 0, second or 0)
    except ValueError:
        return None
    return Moment(dt, hour is not None, " ")


def moment_arg(fn: str, v: Any) -> Moment:
    moment = parse_moment(v)
    if moment is None:
        raise fail(fn, 'a date such as "2026-11-21" or "2026-11-21T10:30:00", or NOW()', v)
    return moment
