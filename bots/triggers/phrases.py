"""Schedules to 5-field cron: :func:`cron_parse` for a cron expression (SET SCHEDULE, ADD BOT ...
WITH SCHEDULE), :func:`schedule_parse` for SET SCHEDULE, which also takes a few natural-language
forms.

Celery beat fires at minute resolution, so a 6-field cron (seconds first) is accepted only when
its seconds field is one number: it is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from celery import schedules

EXAMPLES = (
    '"0 9 * * 1-5"',
    "every 5 minutes",
    "every 2 hours",
    "hourly",
    "daily",
    "at 9am",
    "daily at 18:30",
    "weekdays at 8:30",
    "every monday at 10",
)

DAYS = {
    "sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2,
    "wednesday": 3, "wed": 3, "thursday": 4, "thu": 4, "thurs": 4, "friday": 5, "fri": 5,
    "saturday": 6, "sat": 6,
}
SHORTCUTS = {
    "minutely": "* * * * *",
    "hourly": "0 * * * *",
    "daily": "0 0 * * *",
    "midnight": "0 0 * * *",
    "weekly": "0 0 * * 0",
    "monthly": "0 0 1 * *",
    "yearly": "0 0 1 1 *",
    "annually": "0 0 1 1 *",
}
_UNITS = {"minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
          "hour": "hour", "hours": "hour", "day": "day", "days": "day"}
_TIME = re.compile(r"^(?:(noon)|(midnight)|(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)$")
CRON_FIELD = re.compile(r"[0-9A-Za-z*/,?\-]+")  # ASCII: celery would take other digits too
CRON_SHAPE = 'write five fields, minute hour day month weekday, e.g. "0 9 * * 1-5"'
CRON_RANGES = "minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) weekday (0-6, 0 = Sunday)"


class ScheduleError(ValueError):
    """The phrase is neither cron nor a form we understand; the message lists what works."""


class CronError(ValueError):
    """Not a cron expression: not five fields (six with a leading seconds number); the message
    says what to write, without naming the keyword (the caller does)."""


class CronValueError(CronError):
    """Five cron fields, but celery cannot take one of them; the message is celery's."""


@dataclass(frozen=True, slots=True)
class Cron:
    minute: str
    hour: str
    day_of_month: str
    month_of_year: str
    day_of_week: str

    def __str__(self) -> str:
        return f"{self.minute} {self.hour} {self.day_of_month} {self.month_of_year} {self.day_of_week}"

    def crontab(self, now: datetime | None = None) -> schedules.crontab:
        """Celery's schedule for it (``now`` fixes the clock it judges due times by);
        :class:`CronValueError` when celery cannot take a field."""
        try:
            return schedules.crontab(
                minute=self.minute,
                hour=self.hour,
                day_of_month=self.day_of_month,
                month_of_year=self.month_of_year,
                day_of_week=self.day_of_week,
                nowfun=(lambda: now) if now is not None else None,
            )
        except (ValueError, KeyError) as exc:
            raise CronValueError(str(exc)) from None


def cron_fields(text: str) -> Cron:
    """The fields of a single-spaced cron expression (``?`` means ``*``), not yet checked by
    celery (:meth:`Cron.crontab` does); :class:`CronError` when they are not five."""
    fields = text.split(" ")
    if len(fields) == 6:
        if not fields[0].isdigit():
            raise CronError(
                "schedules run at most once a minute, so the seconds field (the first of six) must be "
                "one number such as 0; or write five fields"
            )
        fields = fields[1:]
    if len(fields) != 5 or not all(CRON_FIELD.fullmatch(field) for field in fields):
        raise CronError(CRON_SHAPE)
    return Cron(*("*" if field == "?" else field for field in fields))


def cron_parse(text: str) -> Cron:
    """:func:`cron_fields`, checked by celery: :class:`CronValueError` when a field is out of
    range, :class:`CronError` when they are not five."""
    cron = cron_fields(text)
    cron.crontab()
    return cron


def _unknown(phrase: str) -> ScheduleError:
    return ScheduleError(
        f"SET SCHEDULE does not understand {phrase!r}; write a cron expression "
        f"(minute hour day month weekday) or one of: {', '.join(EXAMPLES)}"
    )


def schedule_parse(phrase: str) -> Cron:
    """The cron for a SET SCHEDULE phrase; :class:`ScheduleError` when it is not understood."""
    text = " ".join(phrase.strip().strip('"').split())
    if not text:
        raise ScheduleError(f"SET SCHEDULE needs a schedule, e.g. {', '.join(EXAMPLES[:4])}")
    fields = text.split(" ")
    if all(CRON_FIELD.fullmatch(f) for f in fields) and len(fields) in (5, 6) and (
        any(ch.isdigit() or ch == "*" for ch in fields[0])
    ):
        return _cron(text)
    cron = _natural(text.lower().removeprefix("@"))
    if cron is None:
        raise _unknown(phrase)
    return cron


def _cron(text: str) -> Cron:
    try:
        return cron_parse(text)
    except CronValueError as exc:
        raise ScheduleError(
            f"SET SCHEDULE {text!r} is not a valid cron expression ({exc}); the fields are {CRON_RANGES}"
        ) from None
    except CronError as exc:
        raise ScheduleError(f"SET SCHEDULE {text!r}: {exc}") from None


def _time(text: str) -> tuple[int, int] | None:
    match = _TIME.match(text.replace(" ", ""))
    if match is None:
        return None
    noon, midnight, hour_text, minute_text, half = match.groups()
    if noon:
        return 12, 0
    if midnight:
        return 0, 0
    hour, minute = int(hour_text), int(minute_text or 0)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _days(text: str) -> str | None:
    """Weekday field for "monday", "mondays", "mon and fri", "weekdays", "weekends"."""
    words = [w for w in re.split(r"[\s,]+", text) if w and w != "and"]
    if words in (["weekdays"], ["weekday"]):
        return "1-5"
    if words in (["weekends"], ["weekend"]):
        return "0,6"
    numbers = []
    for word in words:
        day = DAYS.get(word) if word in DAYS else DAYS.get(word.removesuffix("s"))
        if day is None:
            return None
        numbers.append(day)
    return ",".join(str(n) for n in sorted(set(numbers))) if numbers else None


def _natural(text: str) -> Cron | None:
    if text in SHORTCUTS:
        return Cron(*SHORTCUTS[text].split())
    at_time: tuple[int, int] | None = None
    if " at " in f" {text}":
        head, _, tail = f" {text}".rpartition(" at ")
        at_time = _time(tail.strip())
        if at_time is None:
            return None
        text = head.strip()
    every = re.fullmatch(r"every\s+(?:(\d+)\s+)?(\w+)", text)
    if every and every.group(2) in _UNITS:
        return _every(int(every.group(1) or 1), _UNITS[every.group(2)], at_time)
    if at_time is None:
        days = _days(text.removeprefix("every ").removeprefix("on "))
        return Cron("0", "0", "*", "*", days) if days else None
    minute, hour = str(at_time[1]), str(at_time[0])
    if text in ("", "daily", "every day", "each day"):
        return Cron(minute, hour, "*", "*", "*")
    days = _days(text.removeprefix("every ").removeprefix("on "))
    return Cron(minute, hour, "*", "*", days) if days else None


def _every(count: int, unit: str, at_time: tuple[int, int] | None) -> Cron | None:
    limits = {"minute": 59, "hour": 23, "day": 31}
    if not 1 <= count <= limits[unit]:
        return None
    step = "*" if count == 1 else f"*/{count}"
    if unit == "minute":
        return None if at_time else Cron(step, "*", "*", "*", "*")
    if unit == "hour":
        return None if at_time else Cron("0", step, "*", "*", "*")
    minute, hour = (str(at_time[1]), str(at_time[0])) if at_time else ("0", "0")
    return Cron(minute, hour, step, "*", "*")
