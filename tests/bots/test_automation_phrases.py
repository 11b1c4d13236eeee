"""SET SCHEDULE phrases become 5-field cron; anything else is an author error listing examples."""

from __future__ import annotations

import pytest

from bots.triggers.phrases import ScheduleError, schedule_parse


@pytest.mark.parametrize(
    ("phrase", "cron"),
    [
        ("0 9 * * 1-5", "0 9 * * 1-5"),
        ('"*/15 * * * *"', "*/15 * * * *"),
        ("0 30 8 * * *", "30 8 * * *"),  # six fields: seconds first, dropped
        ("0 0 1 ? * *", "0 1 * * *"),
        ("every 1 hour", "0 * * * *"),
        ("every 2 hours", "0 */2 * * *"),
        ("every 5 minutes", "*/5 * * * *"),
        ("Every Minute", "* * * * *"),
        ("every day", "0 0 * * *"),
        ("every 3 days at 7", "0 7 */3 * *"),
        ("hourly", "0 * * * *"),
        ("daily", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("monthly", "0 0 1 * *"),
        ("at 9am", "0 9 * * *"),
        ("at 9 pm", "0 21 * * *"),
        ("at 12am", "0 0 * * *"),
        ("at noon", "0 12 * * *"),
        ("daily at 18:30", "30 18 * * *"),
        ("every day at 6pm", "0 18 * * *"),
        ("weekdays at 8:30", "30 8 * * 1-5"),
        ("weekends at 10", "0 10 * * 0,6"),
        ("every monday at 10", "0 10 * * 1"),
        ("mondays and fridays at 9:15", "15 9 * * 1,5"),
        ("every sunday", "0 0 * * 0"),
    ],
)
def test_phrases_become_cron(phrase: str, cron: str) -> None:
    assert str(schedule_parse(phrase)) == cron


@pytest.mark.parametrize(
    ("phrase", "says"),
    [
        ("every blue moon", "does not understand 'every blue moon'"),
        ("at 25", "does not understand"),
        ("at 13pm", "does not understand"),
        ("every 0 minutes", "does not understand"),
        ("every 5 minutes at 9", "does not understand"),
        ("61 * * * *", "not a valid cron expression"),
        ("0 9 * * 8", "not a valid cron expression"),
        ("*/5 0 9 * * *", "seconds field"),
        ("", "needs a schedule"),
    ],
)
def test_unknown_phrases_are_author_errors_with_examples(phrase: str, says: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        schedule_parse(phrase)
    assert says in str(caught.value)
    if "does not understand" in says:
        assert "weekdays at 8:30" in str(caught.value) and "every 5 minutes" in str(caught.value)
