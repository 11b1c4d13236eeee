"""ON EVENT blocks become subscription rows when their package is synced (pinned to the source
as read, kept across edits, deactivated when gone); mistakes are sync problems and ``gb check``
lines with their position; a handler runs as its own execution with ``event``, ``event_name``
and ``event_id``, on the version it was registered with."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bots.services import package_sync_all
from events.models import EventSubscription
from tests.events.core_support import Here, make_bot, said_in
from workflows.models import ExecutionKind, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

HANDLERS = """TALK "not a handler"
ON EVENT "Order_Paid" DO
  TALK "paid " & event.order & " " & event_name & " " & event_id
END ON

ON EVENT "stock_low" DO
  TALK "low " & event
END ON
"""


def versions() -> list[tuple]:
    return list(EventSubscription.objects.order_by("pk").values_list("pk", "updated_at", "script_version_id"))


def rows(bot) -> list[tuple]:
    return list(
        EventSubscription.objects.filter(bot=bot)
        .order_by("pk")
        .values_list("event_name", "script", "line", "column", "active")
    )


def handlers_file(make_package) -> Path:
    return make_package.root / "shop.gbai" / "shop.gbdialog" / "handlers.bas"


def sync(make_package):
    return package_sync_all(roots=[make_package.root])


def test_on_event_blocks_are_registered_at_package_sync(make_package) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS, "start.bas": 'TALK "hi"\n'})
    assert rows(bot) == [
        ("order_paid", "shop.gbdialog/handlers.bas", 2, 1, True),
        ("stock_low", "shop.gbdialog/handlers.bas", 6, 1, True),
    ]
    paid, low = EventSubscription.objects.filter(bot=bot).order_by("pk")
    assert paid.script_version.source == HANDLERS and low.script_version_id == paid.script_version_id
    assert paid.entry and low.entry and paid.entry != low.entry


def test_a_sync_of_an_unchanged_script_writes_nothing(make_package) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    before = versions()
    report = sync(make_package)
    assert report.all_problems == []
    after = versions()
    assert after == before and len(after) == 2 and rows(bot)[0][-1] is True


def test_an_edited_script_updates_its_rows_and_a_removed_block_or_file_is_deactivated(
    make_package, here: Here
) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    first_pks = list(EventSubscription.objects.order_by("pk").values_list("pk", flat=True))
    old_version = EventSubscription.objects.get(event_name="order_paid").script_version_id
    edited = "' a comment line\n" + HANDLERS.replace('TALK "paid "', 'TALK "PAID "')
    handlers_file(make_package).write_text(edited, encoding="utf-8")
    sync(make_package)
    assert rows(bot) == [
        ("order_paid", "shop.gbdialog/handlers.bas", 3, 1, True),
        ("stock_low", "shop.gbdialog/handlers.bas", 7, 1, True),
    ]
    assert list(EventSubscription.objects.order_by("pk").values_list("pk", flat=True)) == first_pks
    paid = EventSubscription.objects.get(event_name="order_paid")
    assert paid.script_version_id != old_version and paid.script_version.source == edited
    event = here.publish(bot, "order_paid", {"order": 1})
    assert here.said == [f"PAID 1 order_paid {event.pk}"]

    without_stock = edited.split('\nON EVENT "stock_low"')[0] + "\n"
    handlers_file(make_package).write_text(without_stock, encoding="utf-8")
    sync(make_package)
    assert [(name, active) for name, *_rest, active in rows(bot)] == [
        ("order_paid", True),
        ("stock_low", False),
    ]
    assert here.publish(bot, "stock_low", 1).handler_count == 0

    handlers_file(make_package).unlink()
    sync(make_package)
    assert not EventSubscription.objects.filter(active=True).exists()
    assert EventSubscription.objects.count() == 2  # kept, with their run history


def test_a_handler_runs_as_its_own_execution_with_the_event_in_scope(make_package, here: Here) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    event = here.publish(bot, "ORDER_PAID", {"order": 42})
    assert here.said == [f"paid 42 order_paid {event.pk}"]
    handler = WorkflowExecution.objects.get(kind=ExecutionKind.HANDLER)
    subscription = EventSubscription.objects.get(event_name="order_paid")
    assert handler.handler_run.event == event and handler.handler_run.subscription == subscription
    assert (handler.status, handler.workflow_name, handler.entry) == (
        "completed",
        "ON EVENT order_paid",
        subscription.entry,
    )
    assert handler.inputs == {"event": {"order": 42}, "event_name": "order_paid", "event_id": str(event.pk)}
    # Not from a chat of the bot: its TALKs go to the subscription's own conversation.
    assert said_in(handler.conversation_id) == [f"paid 42 order_paid {event.pk}"]
    subscription.refresh_from_db()
    assert subscription.conversation_id == handler.conversation_id


def test_a_handler_runs_the_version_registered_at_the_last_sync(make_package, here: Here) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    handlers_file(make_package).write_text(HANDLERS.replace('"low "', '"LOW "'), encoding="utf-8")
    here.publish(bot, "stock_low", 3)  # edited on disk, not synced yet
    sync(make_package)
    here.publish(bot, "stock_low", 4)
    assert here.said == ["low 3", "LOW 4"]


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        (
            'name = "x"\nON EVENT name DO\n  TALK "hi"\nEND ON\n',
            2,
            1,
            'ON EVENT needs the event name as a quoted text: ON EVENT "order_paid" DO',
        ),
        (
            'IF 1 = 1 THEN\n  ON EVENT "x" DO\n    TALK "hi"\n  END ON\nEND IF\n',
            2,
            3,
            "ON EVENT must be at the top level of the script, not inside IF, a loop, a SUB or another "
            "block: it is registered when the package loads, not when this line runs",
        ),
        (
            'SUB setup()\n  ON EVENT "x" DO\n    TALK "hi"\n  END ON\nEND SUB\n',
            2,
            3,
            "ON EVENT must be at the top level of the script, not inside IF, a loop, a SUB or another "
            "block: it is registered when the package loads, not when this line runs",
        ),
    ],
    ids=["name-not-literal", "inside-if", "inside-sub"],
)
def test_a_misplaced_or_unnamed_block_is_a_sync_problem_and_a_gb_check_line(
    make_package, source: str, line: int, column: int, message: str
) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    handlers_file(make_package).write_text(source, encoding="utf-8")
    report = sync(make_package)
    problems = [(p.path, p.line) for p in report.all_problems if message in p.message]
    assert problems == [(handlers_file(make_package), line)]
    # A script that no longer registers keeps the handlers it had: a typo never drops one.
    assert [active for *_rest, active in rows(bot)] == [True, True]

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("gb", "check", str(handlers_file(make_package)), stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines() == [f"{handlers_file(make_package)}:{line}:{column}: {message}"]
