"""Date and time built-ins and FORMAT (basic/builtins/dates.py, formatting.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from basic.builtins import call_builtin
from basic.builtins.context import StandaloneContext
from basic.errors import BasicRuntimeError
from basic.values import to_text

BRT = timezone(timedelta(hours=-3))
# Saturday 21 November 2026, 14:05:09 in Brasília time (17:05:09 UTC).
MOMENT = datetime(2026, 11, 21, 14, 5, 9, 250000, tzinfo=BRT)


@pytest.fixture
def ctx():
    return StandaloneContext(fixed_now=MOMENT)


def call(ctx, name, *args):
    return call_builtin(name, list(args), ctx)


def test_now_map(ctx):
    now = call(ctx, "NOW")
    assert now["formatted"] == "2026-11-21 14:05:09"
    assert (now["year"], now["month"], now["day"]) == (2026, 11, 21)
    assert (now["hour"], now["minute"], now["second"]) == (14, 5, 9)
    assert now["weekday"] == 7 and now["weekday_name"] == "Saturday"
    assert now["month_name"] == "November"
    assert now["date"] == "2026-11-21" and now["time"] == "14:05:09"
    assert now["iso"] == "2026-11-21T14:05:09-0300"
    assert now["timestamp"] == int(MOMENT.timestamp())
    assert now["quarter"] == 4 and now["day_of_year"] == 325
    assert now["is_weekend"] is True and now["is_pm"] is True
    assert now["ampm"] == "PM" and now["hour12"] == 2
    assert to_text(now) == "2026-11-21 14:05:09"


def test_now_utc(ctx):
    now = call(ctx, "NOW_UTC")
    assert now["formatted"] == "2026-11-21 17:05:09"
    assert now["iso"].endswith("+0000")


def test_string_forms(ctx):
    assert call(ctx, "NOW_STR") == "2026-11-21 14:05:09"
    assert call(ctx, "TODAY_STR") == "2026-11-21"
    assert call(ctx, "TIME_STR") == "14:05:09"


def test_today_map(ctx):
    today = call(ctx, "TODAY")
    assert today["formatted"] == "2026-11-21"
    assert today["weekday"] == 7 and today["is_weekend"] is True
    assert "hour" not in today
    assert to_text(today) == "2026-11-21"


def test_time_map(ctx):
    t = call(ctx, "TIME")
    assert t == {"hour": 14, "minute": 5, "second": 9, "is_pm": True, "ampm": "PM", "hour12": 2,
                 "formatted": "14:05:09"}
    assert to_text(t) == "14:05:09"


def test_midnight_is_12_am(ctx):
    midnight = StandaloneContext(fixed_now=datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    t = call(midnight, "TIME")
    assert t["hour12"] == 12 and t["ampm"] == "AM"


def test_timestamps(ctx):
    assert call(ctx, "TIMESTAMP") == int(MOMENT.timestamp())
    assert call(ctx, "UNIX_TIMESTAMP") == int(MOMENT.timestamp())
    assert call(ctx, "TIMESTAMP_MS") == int(MOMENT.timestamp()) * 1000 + 250
    assert call(ctx, "TIMESTAMP", "1970-01-02T00:00:00Z") == 86400
    assert call(ctx, "TIMESTAMP_MS", "1970-01-01T00:00:01+00:00") == 1000
    # A date without an offset is read in the run's time zone (UTC-3 here).
    assert call(ctx, "TIMESTAMP", "1970-01-01") == 3 * 3600
    with pytest.raises(BasicRuntimeError, match="TIMESTAMP expects a date"):
        call(ctx, "TIMESTAMP", None)


@pytest.mark.parametrize(
    ("name", "arg", "expected"),
    [
        ("YEAR", "2026-11-21", 2026),
        ("MONTH", "2026-11-21", 11),
        ("DAY", "2026-11-21", 21),
        ("HOUR", "2026-11-21T10:30:15", 10),
        ("MINUTE", "2026-11-21T10:30:15", 30),
        ("SECOND", "2026-11-21T10:30:15", 15),
        ("HOUR", "2026-11-21", 0),
        ("WEEKDAY", "2026-11-21", 7),
        ("WEEKDAY", "2026-11-22", 1),
        ("WEEKDAY", "2026-11-23", 2),
        ("DAY", "21/11/2026", 21),
        ("MONTH", "11/21/2026", 11),
        ("MONTH", "2026/11/21", 11),
        ("DAY", "21.11.2026", 21),
        ("HOUR", "2026-11-21 08:15", 8),
        ("HOUR", "2026-11-21T10:30:00Z", 10),
        ("HOUR", "10:45", 10),
        ("MINUTE", "10:45", 45),
        ("YEAR", {"formatted": "x", "year": 2031, "month": 1, "day": 2}, 2031),
    ],
)
def test_date_parts(ctx, name, arg, expected):
    assert call(ctx, name, arg) == expected


def test_date_parts_of_now_map_and_default(ctx):
    now = call(ctx, "NOW")
    assert call(ctx, "YEAR", now) == 2026
    assert call(ctx, "HOUR", now) == 14
    assert call(ctx, "YEAR") == 2026
    assert call(ctx, "WEEKDAY") == 7
    assert call(ctx, "HOUR", call(ctx, "TIME")) == 14
    assert call(ctx, "DAY", call(ctx, "TODAY")) == 21


@pytest.mark.parametrize("bad", ["not a date", "2026-02-30", "31/31/2026", 42, [1], "", None])
def test_date_parts_reject_non_dates(ctx, bad):
    with pytest.raises(BasicRuntimeError, match="YEAR expects a date such as"):
        call(ctx, "YEAR", bad)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["2025-01-15", 5, "day"], "2025-01-20"),
        (["2025-01-15", -10, "days"], "2025-01-05"),
        (["2025-01-15", 5], "2025-01-20"),
        (["2025-01-15", 2, "week"], "2025-01-29"),
        (["2025-01-15", 1, "month"], "2025-02-15"),
        (["2025-01-15", -1, "month"], "2024-12-15"),
        (["2026-01-31", 1, "month"], "2026-02-28"),
        (["2024-01-31", 1, "month"], "2024-02-29"),
        (["2024-02-29", 1, "year"], "2025-02-28"),
        (["2025-01-15", 1, "quarter"], "2025-04-15"),
        (["2025-01-15", 1, "y"], "2026-01-15"),
        (["2025-01-15", 3, "hour"], "2025-01-15T03:00:00"),
        (["2025-01-15T10:00:00", 90, "minute"], "2025-01-15T11:30:00"),
        (["2025-01-15 10:00:00", 30, "m"], "2025-01-15 10:30:00"),
        (["2025-01-15T23:59:30", 45, "seconds"], "2025-01-16T00:00:15"),
        (["2025-01-15", 1.5, "day"], "2025-01-16T12:00:00"),
        (["15/01/2025", 1, "day"], "2025-01-16"),
        (["day", 1, "2025-01-15"], "2025-01-16"),
        (["MONTH", 2, "2025-01-15"], "2025-03-15"),
    ],
)
def test_dateadd(ctx, args, expected):
    assert call(ctx, "DATEADD", *args) == expected


def test_dateadd_of_now_keeps_the_time(ctx):
    assert call(ctx, "DATEADD", call(ctx, "NOW"), 1, "day") == "2026-11-22 14:05:09"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2025-01-15", 1, "fortnight"], 'DATEADD expects a unit: "second", "minute", "hour", "day", "week", '
                                         '"month", "quarter" or "year", got "fortnight"'),
        (["soon", 1, "day"], 'DATEADD expects a date such as "2026-11-21"'),
        (["2025-01-15", "x", "day"], 'DATEADD expects an amount, got "x"'),
        (["2025-01-15", 1.5, "month"], "DATEADD expects a whole number of months, got 1.5"),
        (["2025-01-15", 10000, "year"], "out of range"),
        (["2025-01-15", 10**7, "day"], "out of range"),
    ],
)
def test_dateadd_errors(ctx, args, message):
    with pytest.raises(BasicRuntimeError) as info:
        call(ctx, "DATEADD", *args)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["2025-01-01", "2025-01-15", "day"], 14),
        (["2025-01-15", "2025-01-01", "day"], -14),
        (["2025-01-01", "2025-01-15"], 14),
        (["2025-01-01T10:00:00", "2025-01-02T09:00:00", "day"], 0),
        (["2025-01-02T09:00:00", "2025-01-01T10:00:00", "day"], 0),
        (["2025-01-01", "2025-01-02", "hour"], 24),
        (["2025-01-01T10:00:00", "2025-01-01T10:59:59", "minute"], 59),
        (["2025-01-01T10:00:00", "2025-01-01T10:00:30", "second"], 30),
        (["2025-01-01", "2025-01-20", "week"], 2),
        (["2025-01-01", "2025-03-01", "month"], 2),
        (["2026-01-31", "2026-02-01", "month"], 1),
        (["2024-01-01", "2025-01-01", "year"], 1),
        (["2024-12-31", "2025-01-01", "year"], 1),
        (["2025-03-31", "2025-04-01", "quarter"], 1),
        (["day", "2025-01-01", "2025-01-15"], 14),
        (["21/11/2026", "2026-11-28", "d"], 7),
    ],
)
def test_datediff(ctx, args, expected):
    assert call(ctx, "DATEDIFF", *args) == expected


def test_datediff_with_now(ctx):
    assert call(ctx, "DATEDIFF", call(ctx, "NOW"), "2026-12-25") == 33


def test_datediff_errors(ctx):
    with pytest.raises(BasicRuntimeError, match="DATEDIFF expects a date"):
        call(ctx, "DATEDIFF", "2025-01-01", "later")
    with pytest.raises(BasicRuntimeError, match="DATEDIFF expects a unit"):
        call(ctx, "DATEDIFF", "2025-01-01", "2025-01-02", "lightyear")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-21", True),
        ("2026-11-21T10:30:00", True),
        ("2026-11-21 10:30", True),
        ("21/11/2026", True),
        ("10:30", True),
        ("2026-02-30", False),
        ("25:00", False),
        ("hello", False),
        ("", False),
        (20261121, False),
        (None, False),
        ([2026], False),
    ],
)
def test_isdate(ctx, value, expected):
    assert call(ctx, "ISDATE", value) is expected
    assert call(ctx, "IS_DATE", value) is expected


def test_isdate_of_now(ctx):
    assert call(ctx, "ISDATE", call(ctx, "NOW")) is True


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["2026-11-21"], "2026-11-21"),
        (["2026-11-21", "dd/MM/yyyy"], "21/11/2026"),
        (["2026-11-21T09:05:03", "dd/MM/yyyy HH:mm:ss"], "21/11/2026 09:05:03"),
        (["2026-11-21T21:05:00", "hh:mm tt"], "09:05 PM"),
        (["2026-11-21T00:05:00", "h:mm tt"], "12:05 AM"),
        (["2026-03-05", "d/M/yy"], "5/3/26"),
        (["2026-03-05", "MMMM"], "March"),
        (["2026-03-05", "MMM dd, yyyy"], "Mar 05, 2026"),
        (["2026-11-21", "dddd"], "Saturday"),
        (["2026-11-21", "ddd"], "Sat"),
        (["2026-11-21", "dd 'de' MMMM"], "21 de November"),
        (["2026-11-21", "yyyyMMdd"], "20261121"),
        (["2026-11-21T10:00:00.123000", "ss.fff"], "00.123"),
    ],
)
def test_format_date(ctx, args, expected):
    assert call(ctx, "FORMAT_DATE", *args) == expected


def test_format_date_rejects_non_dates(ctx):
    with pytest.raises(BasicRuntimeError, match="FORMAT_DATE expects a date"):
        call(ctx, "FORMAT_DATE", 12, "yyyy")


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        (1234.5, "#,##0.00", "1,234.50"),
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (0.5, "#,##0.00", "0.50"),
        (-1234.5, "#,##0.00", "-1,234.50"),
        (3.14159, "0.0", "3.1"),
        (2.25, "0.0", "2.3"),
        (-2.25, "0.0", "-2.3"),
        (0.256, "0%", "26%"),
        (0.256, "0.0%", "25.6%"),
        (7, "000", "007"),
        (1234, "#", "1234"),
        (0.5, "#.##", ".5"),
        (1.5, "0.##", "1.5"),
        (2, "0.##", "2"),
        (99.999, "R$ #,##0.00", "R$ 100.00"),
        (5, "$#,##0", "$5"),
        (-0.001, "0.00", "0.00"),
        ("1234.5", "#,##0.00", "1,234.50"),
        (1234.567, "N", "1,234.57"),
        (1234.567, "N0", "1,235"),
        (1234.56, "N[pt]", "1.234,56"),
        (1234.56, "N2[fr]", "1 234,56"),
        (1234.56, "C", "$1,234.56"),
        (1234.56, "C[pt]", "R$ 1.234,56"),
        (-5, "C[en]", "-$5.00"),
        (1234.56, "C2[de]", "€1.234,56"),
        (1234.567, "n", "1234.57"),
        (1234.5, "F", "1234.50"),
        (1234.567, "f", "1234.567"),
        (8.0, "f", "8"),
        (1e30, "#,##0", "1,000,000,000,000,000,000,000,000,000,000"),
        ("2024-03-15 14:30:25", "yyyy-MM-dd HH:mm:ss", "2024-03-15 14:30:25"),
        ("2024-03-15 14:30:25", "dd/MM/yyyy", "15/03/2024"),
        ("2024-03-15 14:30:25", "MM/dd/yy", "03/15/24"),
        ("2024-03-15", "dd/MM/yyyy HH:mm", "15/03/2024 00:00"),
        ("hello", "Prefix: @", "Prefix: hello"),
        ("HELLO", "Result: <", "Result: hello"),
        ("hello", "RESULT: >", "RESULT: HELLO"),
        (None, "[@]", "[]"),
        (True, "@", "true"),
    ],
)
def test_format(ctx, value, pattern, expected):
    assert call(ctx, "FORMAT", value, pattern) == expected


def test_format_now_map(ctx):
    now = call(ctx, "NOW")
    assert call(ctx, "FORMAT", now, "yyyy-MM-dd") == "2026-11-21"
    assert call(ctx, "FORMAT", now, "dd/MM/yyyy HH:mm") == "21/11/2026 14:05"
    assert call(ctx, "FORMAT", now, "MMMM") == "November"
    assert call(ctx, "FORMAT", call(ctx, "TIME"), "HH:mm") == "14:05"


def test_format_rejects_a_list(ctx):
    with pytest.raises(BasicRuntimeError, match="FORMAT expects a number, a date or a text, got \\[1\\]"):
        call(ctx, "FORMAT", [1], "@")


def test_clock_follows_the_context_time_zone():
    tokyo = StandaloneContext(fixed_now=datetime(2026, 11, 21, 17, 5, 9, tzinfo=UTC),
                              timezone=timezone(timedelta(hours=9)))
    # fixed_now is aware, so it is used as given; NOW_UTC converts it.
    assert call_builtin("NOW_UTC", [], tokyo)["hour"] == 17
    naive = StandaloneContext(fixed_now=datetime(2026, 11, 21, 17, 5, 9), timezone=UTC)
    assert call_builtin("NOW", [], naive)["iso"].endswith("+0000")
