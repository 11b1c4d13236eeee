"""Date and time functions: NOW and friends, parts of a date, DATEADD, DATEDIFF, ISDATE, FORMAT_DATE.

Dates flow through scripts as text or as maps:

* ``"2026-11-21"`` (a date), ``"2026-11-21T10:30:00"`` or ``"2026-11-21 10:30:00"`` (a moment);
  ``"21/11/2026"`` (day first, falling back to month first when that is the only valid reading),
  ``"2026/11/21"``, ``"21-11-2026"``, ``"21.11.2026"``, and a bare time ``"10:30"`` are read too;
  an offset or ``Z`` at the end is accepted and the wall-clock time kept;
* the maps NOW(), NOW_UTC(), TODAY() and TIME() return (``formatted`` plus the parts).

Every function that takes a date accepts all of these. The clock is the run's (``ctx.now()``), in
the bot's time zone, so tests and resumed runs see a consistent time.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, time, timedelta
from typing import Any

from basic.builtins.args import fail, number_arg, text_arg
from basic.builtins.formatting import format_date_pattern
from basic.builtins.moments import ISO_HEAD, Moment, moment_arg, parse_moment
from basic.builtins.registry import BuiltinContext, builtin
from basic.errors import BasicRuntimeError

D = "Date and time"

WEEKDAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


_NOT_GIVEN: Any = object()  # tells "no argument" apart from an empty value passed in


def clock(ctx: BuiltinContext | None) -> datetime:
    """The run's current time (timezone-aware)."""
    if ctx is not None:
        now = ctx.now()
        if now.tzinfo is None:
            raise BasicRuntimeError("the run's clock gave a time without a time zone")
        return now
    return datetime.now().astimezone()


def datetime_map(dt: datetime) -> dict[str, Any]:
    """The map NOW() returns: ``formatted`` and the parts (weekday 1 = Sunday)."""
    weekday = (dt.weekday() + 1) % 7  # 0 = Sunday
    hour12 = dt.hour % 12 or 12
    offset = dt.strftime("%z")
    return {
        "year": dt.year,
        "month": dt.month,
        "day": dt.day,
        "hour": dt.hour,
        "minute": dt.minute,
        "second": dt.second,
        "weekday": weekday + 1,
        "weekday_name": WEEKDAY_NAMES[weekday],
        "month_name": MONTH_NAMES[dt.month - 1],
        "timestamp": int(dt.timestamp()) if dt.tzinfo else int(dt.replace(tzinfo=UTC).timestamp()),
        "formatted": dt.strftime("%Y-%m-%d %H:%M:%S"),
        "date": dt.strftime("%Y-%m-%d"),
        "time": dt.strftime("%H:%M:%S"),
        "iso": dt.strftime("%Y-%m-%dT%H:%M:%S") + offset,
        "quarter": (dt.month - 1) // 3 + 1,
        "day_of_year": dt.timetuple().tm_yday,
        "is_weekend": weekday in (0, 6),
        "is_pm": dt.hour >= 12,
        "ampm": "PM" if dt.hour >= 12 else "AM",
        "hour12": hour12,
    }


@builtin(
    "NOW",
    min_args=0,
    max_args=0,
    needs_context=True,
    signature="NOW()",
    summary=(
        "The current moment as a map: formatted (\"yyyy-MM-dd HH:mm:ss\"), year, month, day, hour, "
        "minute, second, weekday (1 = Sunday), weekday_name, month_name, date, time, iso, timestamp, "
        "quarter, day_of_year, is_weekend, is_pm, ampm, hour12. It prints as its formatted text."
    ),
    example='NOW().formatted → "2026-11-21 10:30:00"',
    category=D,
)
def now(ctx: BuiltinContext | None) -> dict[str, Any]:
    return datetime_map(clock(ctx))


@builtin(
    "NOW_UTC",
    min_args=0,
    max_args=0,
    needs_context=True,
    signature="NOW_UTC()",
    summary="Like NOW(), in UTC.",
    example='NOW_UTC().hour → 13',
    category=D,
)
def now_utc(ctx: BuiltinContext | None) -> dict[str, Any]:
    return datetime_map(clock(ctx).astimezone(UTC))


@builtin(
    "NOW_STR",
    min_args=0,
    max_args=0,
    needs_context=True,
    signature="NOW_STR()",
    summary='The current moment as text, "yyyy-MM-dd HH:mm:ss".',
    example='NOW_STR() → "2026-11-21 10:30:00"',
    category=D,
)
def now_str(ctx: BuiltinContext | None) -> str:
    return clock(ctx).strftime("%Y-%m-%d %H:%M:%S")


@builtin(
    "TODAY",
    min_args=0,
    max_args=0,
    needs_context=True,
    signature="TODAY()",
    summary=(
        'Today as a map: formatted ("yyyy-MM-dd"), year, month, day, weekday (1 = Sunday), '
        "day_of_year, is_weekend, quarter. It prints as its formatted text."
    ),
    example='TODAY().formatted → "2026-11-21"',
    category=D,
)
def today(ctx: BuiltinContext | None) -> dict[str, Any]:
    full = datetime_map(clock(ctx))
    keys = ("year", "month", "day", "weekday", "day_of_year", "is_weekend", "quarter")
    result = {k: full[k] for k in keys}
    result["formatted"] = full["date"]
    return result


@builtin(
    "TODAY_STR",
    min_args=0,
    max_args=0,
    needs_context=True,
    signature="TODAY_STR()",
    summary='Today as text, "yyyy-MM-dd".',
    example='TODAY_STR() → "2026-11-21"',
    category=D,
)
def today_str(ctx: BuiltinContext | None) -> str:
    return clock(ctx).strftime("%Y-%m-%d")


@builtin(
    "TIME",
    min_args=0,
    max_args=0,
    needs_context=True,
    signature="TIME()",
    summary=(
        'The time of day as a map: formatted ("HH:mm:ss"), hour, minute, second, is_pm, ampm, hour12. '
        "It prints as its formatted text."
    ),
    example='TIME().formatted → "10:30:00"',
    category=D,
)
def time_(ctx: BuiltinContext | None) -> dict[str, Any]:
    full = datetime_map(clock(ctx))
    result = {k: full[k] for k in ("hour", "minute", "second", "is_pm", "ampm", "hour12")}
    result["formatted"] = full["time"]
    return result


@builtin(
    "TIME_STR",
    min_args=0,
    max_args=0,
    needs_context=True,
    signature="TIME_STR()",
    summary='The time of day as text, "HH:mm:ss".',
    example='TIME_STR() → "10:30:00"',
    category=D,
)
def time_str(ctx: BuiltinContext | None) -> str:
    return clock(ctx).strftime("%H:%M:%S")


@builtin(
    "TIMESTAMP",
    aliases=("UNIX_TIMESTAMP",),
    min_args=0,
    max_args=1,
    needs_context=True,
    signature="TIMESTAMP(date)",
    summary=(
        "Seconds since 1970-01-01 UTC, now or of the given date (read in the bot's time zone); "
        "UNIX_TIMESTAMP is the same."
    ),
    example='TIMESTAMP("1970-01-02T00:00:00Z") → 86400',
    category=D,
)
def timestamp(ctx: BuiltinContext | None, when: Any = _NOT_GIVEN) -> int:
    return int(_instant(ctx, "TIMESTAMP", when).timestamp())


@builtin(
    "TIMESTAMP_MS",
    min_args=0,
    max_args=1,
    needs_context=True,
    signature="TIMESTAMP_MS(date)",
    summary="Milliseconds since 1970-01-01 UTC, now or of the given date.",
    example='TIMESTAMP_MS("1970-01-01T00:00:01Z") → 1000',
    category=D,
)
def timestamp_ms(ctx: BuiltinContext | None, when: Any = _NOT_GIVEN) -> int:
    dt = _instant(ctx, "TIMESTAMP_MS", when)
    return int(dt.timestamp()) * 1000 + dt.microsecond // 1000


def _instant(ctx: BuiltinContext | None, fn: str, when: Any) -> datetime:
    now_ = clock(ctx)
    if when is _NOT_GIVEN:
        return now_
    if isinstance(when, str) and ISO_HEAD.match(when.strip()):
        try:
            dt = datetime.fromisoformat(when.strip())
        except ValueError:
            dt = None
        if dt is not None and dt.tzinfo is not None:
            return dt
    return moment_arg(fn, when).value.replace(tzinfo=now_.tzinfo)


def _part(name: str, getter: Any, summary: str, example: str) -> None:
    def func(ctx: BuiltinContext | None, when: Any = _NOT_GIVEN) -> int:
        dt = clock(ctx).replace(tzinfo=None) if when is _NOT_GIVEN else moment_arg(name, when).value
        return getter(dt)

    func.__name__ = name.lower()
    builtin(
        name,
        min_args=0,
        max_args=1,
        needs_context=True,
        signature=f"{name}(date)",
        summary=summary,
        example=example,
        category=D,
    )(func)


_part("YEAR", lambda d: d.year, "The year of a date (of today without an argument).",
      'YEAR("2026-11-21") → 2026')
_part("MONTH", lambda d: d.month, "The month (1-12) of a date.", 'MONTH("2026-11-21") → 11')
_part("DAY", lambda d: d.day, "The day of the month (1-31) of a date.", 'DAY("2026-11-21") → 21')
_part("HOUR", lambda d: d.hour, "The hour (0-23) of a moment.", 'HOUR("2026-11-21T10:30:00") → 10')
_part("MINUTE", lambda d: d.minute, "The minute (0-59) of a moment.", 'MINUTE("2026-11-21T10:30:00") → 30')
_part("SECOND", lambda d: d.second, "The second (0-59) of a moment.", 'SECOND("2026-11-21T10:30:15") → 15')
_part(
    "WEEKDAY",
    lambda d: (d.weekday() + 1) % 7 + 1,
    "The day of the week of a date, 1 = Sunday to 7 = Saturday.",
    'WEEKDAY("2026-11-21") → 7',
)


_UNITS = {
    **dict.fromkeys(("second", "seconds", "sec", "s"), "second"),
    **dict.fromkeys(("minute", "minutes", "min", "m", "n"), "minute"),
    **dict.fromkeys(("hour", "hours", "h"), "hour"),
    **dict.fromkeys(("day", "days", "d"), "day"),
    **dict.fromkeys(("week", "weeks", "w", "ww"), "week"),
    **dict.fromkeys(("month", "months"), "month"),
    **dict.fromkeys(("quarter", "quarters", "q"), "quarter"),
    **dict.fromkeys(("year", "years", "y", "yyyy"), "year"),
}
_UNIT_HELP = 'a unit: "second", "minute", "hour", "day", "week", "month", "quarter" or "year"'


def _is_unit(v: Any) -> bool:
    return isinstance(v, str) and v.strip().lower() in _UNITS


def unit_arg(fn: str, v: Any) -> str:
    if not _is_unit(v):
        raise fail(fn, _UNIT_HELP, v)
    return _UNITS[v.strip().lower()]


def add_months(dt: datetime, months: int) -> datetime:
    """Calendar month arithmetic; the day is clamped to the target month (Jan 31 + 1 month = Feb 28/29)."""
    total = dt.year * 12 + (dt.month - 1) + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise BasicRuntimeError("the resulting date is out of range (years 1 to 9999)")
    day = min(dt.day, calendar.monthrange(year, month + 1)[1])
    return dt.replace(year=year, month=month + 1, day=day)


@builtin(
    "DATEADD",
    min_args=2,
    max_args=3,
    signature="DATEADD(date, amount, unit)",
    summary=(
        'The date moved by amount units ("day" by default; also second, minute, hour, week, month, '
        "quarter, year; m means minute). Months clamp to the month's last day. A date stays a date "
        "unless hours, minutes or seconds are added. Visual Basic's order DATEADD(unit, amount, date) "
        "is accepted too."
    ),
    example='DATEADD("2026-01-31", 1, "month") → "2026-02-28"',
    category=D,
)
def dateadd(a: Any, b: Any, c: Any = "day") -> str:
    if _is_unit(a) and parse_moment(c) is not None:
        a, c = c, a
    moment = moment_arg("DATEADD", a)
    unit = unit_arg("DATEADD", c)
    amount = number_arg("DATEADD", b, "an amount")
    dt = moment.value
    try:
        if unit in ("month", "quarter", "year"):
            if isinstance(amount, float) and not amount.is_integer():
                raise fail("DATEADD", f"a whole number of {unit}s", b)
            months = int(amount) * {"month": 1, "quarter": 3, "year": 12}[unit]
            dt = add_months(dt, months)
        else:
            seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}[unit]
            dt = dt + timedelta(seconds=amount * seconds)
            if unit in ("second", "minute", "hour") or dt.time() != time(0):
                moment.has_time = True
    except OverflowError:
        raise BasicRuntimeError("DATEADD: the resulting date is out of range (years 1 to 9999)") from None
    return Moment(dt, moment.has_time, moment.separator).render()


def _trunc(n: int, d: int) -> int:
    q = abs(n) // d
    return q if n >= 0 else -q


@builtin(
    "DATEDIFF",
    min_args=2,
    max_args=3,
    signature="DATEDIFF(start, end, unit)",
    summary=(
        'How many whole units ("day" by default) go from start to end: negative when end is earlier. '
        "Months, quarters and years count calendar boundaries (DATEDIFF(\"2026-01-31\", \"2026-02-01\", "
        '"month") is 1). Visual Basic\'s order DATEDIFF(unit, start, end) is accepted too.'
    ),
    example='DATEDIFF("2026-01-01", "2026-01-15") → 14',
    category=D,
)
def datediff(a: Any, b: Any, c: Any = "day") -> int:
    if _is_unit(a) and parse_moment(b) is not None and parse_moment(c) is not None:
        a, b, c = b, c, a
    start = moment_arg("DATEDIFF", a).value
    end = moment_arg("DATEDIFF", b).value
    unit = unit_arg("DATEDIFF", c)
    if unit in ("month", "quarter", "year"):
        months = (end.year * 12 + end.month) - (start.year * 12 + start.month)
        if unit == "month":
            return months
        if unit == "year":
            return end.year - start.year
        return (end.year * 4 + (end.month - 1) // 3) - (start.year * 4 + (start.month - 1) // 3)
    micros = (end - start) // timedelta(microseconds=1)
    size = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}[unit]
    return _trunc(micros, size * 1_000_000)


@builtin(
    "ISDATE",
    aliases=("IS_DATE",),
    min_args=1,
    max_args=1,
    signature="ISDATE(value)",
    summary="True if the value reads as a date or time (see the accepted forms), false otherwise.",
    example='ISDATE("2026-02-30") → false',
    category=D,
)
def isdate(v: Any) -> bool:
    return parse_moment(v) is not None


@builtin(
    "FORMAT_DATE",
    min_args=1,
    max_args=2,
    signature="FORMAT_DATE(date, pattern)",
    summary=(
        'A date written with a pattern (default "yyyy-MM-dd"): yyyy yy MMMM MMM MM M dddd ddd dd d '
        "HH H hh h mm m ss s fff tt; text in single quotes is kept as is."
    ),
    example='FORMAT_DATE("2026-11-21", "dd/MM/yyyy") → "21/11/2026"',
    category=D,
)
def format_date(when: Any, pattern: Any = "yyyy-MM-dd") -> str:
    moment = moment_arg("FORMAT_DATE", when)
    return format_date_pattern(moment.value, text_arg("FORMAT_DATE", pattern, "a pattern text"))

