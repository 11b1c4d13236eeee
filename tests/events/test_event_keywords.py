"""PUBLISH EVENT: the event row (bot, run, scope, data), any name, the TO BOT / TO ALL scope
rules with ON EVENT handlers of several bots, errors at FILE:LINE:COL, and the run's
transaction: a failed segment leaves no event, a retried step does not publish twice."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest

from bots.models import Bot
from events.models import EventScope, HandlerRun, WorkflowEvent
from tests.events.core_support import Here, handler_bots, make_bot
from workflows.models import ExecutionEffect, ExecutionStatus, StepRun

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

HANDLER = 'ON EVENT "ping" DO\n  TALK "{bot} heard " & event_name\nEND ON\n'


def listening_bots(make_package) -> dict[str, Bot]:
    """Three bots that each handle "ping"; a publishes."""
    bots = {}
    for name in ("b", "c"):
        bots[name] = make_bot(make_package, name, {"handlers.bas": HANDLER.format(bot=name)})
    bots["a"] = make_bot(
        make_package,
        "a",
        {
            "handlers.bas": HANDLER.format(bot="a"),
            "flow.bas": 'PUBLISH EVENT "ping"\nPUBLISH EVENT "ping" TO BOT "B"\n'
            'PUBLISH EVENT "ping" TO ALL\n',
        },
    )
    return bots


def test_publish_event_writes_the_event_row_with_its_bot_run_scope_and_data(make_package, here: Here) -> None:
    bot = make_bot(
        make_package,
        "shop",
        {
            "flow.bas": 'ORCHESTRATE WORKFLOW "orders"\n'
            'STEP 1: id = PUBLISH EVENT "Order Paid / EU-42!" WITH #{order: 42, lines: [1, 2], who: "ana"}\n'
            'TALK "published " & id\n'
        },
    )
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    event = WorkflowEvent.objects.get()
    assert here.said == [f"published {event.pk}"]
    assert event.event_name == "order paid / eu-42!"  # any name, compared without case
    assert event.event_data == {"order": 42, "lines": [1, 2], "who": "ana"}
    assert (event.bot, event.workflow, event.dialog_run) == (bot, execution, None)
    assert (event.scope, event.target_bot, event.source) == (EventScope.BOT, None, "script")
    # Nobody listens: it is delivered to nobody, and kept.
    assert event.delivered_at is not None
    assert (event.handler_count, event.waiter_count, event.webhook_count) == (0, 0, 0)


def test_a_bot_hears_its_own_events_to_bot_reaches_only_that_bot_to_all_reaches_every_active_bot(
    make_package, here: Here
) -> None:
    bots = listening_bots(make_package)
    inactive = make_bot(make_package, "d", {"handlers.bas": HANDLER.format(bot="d")})
    Bot.objects.filter(pk=inactive.pk).update(active=False)
    execution = here.run(bots["a"], "flow")
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    own, to_b, to_all = WorkflowEvent.objects.order_by("created_at")
    assert (own.scope, own.target_bot) == (EventScope.BOT, None)
    assert (to_b.scope, to_b.target_bot) == (EventScope.TO_BOT, bots["b"])
    assert (to_all.scope, to_all.target_bot) == (EventScope.ALL, None)
    assert handler_bots(own) == ["a"]
    assert handler_bots(to_b) == ["b"]
    assert handler_bots(to_all) == ["a", "b", "c"]
    assert [own.handler_count, to_b.handler_count, to_all.handler_count] == [1, 1, 3]
    assert sorted(here.said) == sorted(
        ["a heard ping", "b heard ping", "a heard ping", "b heard ping", "c heard ping"]
    )


def test_another_bots_default_scope_event_is_not_heard(make_package, here: Here) -> None:
    bots = listening_bots(make_package)
    event = here.publish(bots["b"], "ping")
    assert handler_bots(event) == ["b"]
    assert here.said == ["b heard ping"]


def test_to_bot_naming_no_active_bot_fails_the_run_at_the_keyword(make_package, here: Here) -> None:
    make_bot(make_package, "other", {"start.bas": 'TALK "hi"\n'})
    bot = make_bot(make_package, "shop", {"flow.bas": 'TALK "a"\n  PUBLISH EVENT "ping" TO BOT "nobody"\n'})
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == (
        'shop.gbdialog/flow.bas:2:3: PUBLISH EVENT: TO BOT: there is no active bot "nobody"; '
        "the bots are: other, shop"
    )
    assert not WorkflowEvent.objects.exists()


def test_to_bot_and_to_all_together_is_an_error_at_the_keyword(make_package, here: Here) -> None:
    make_bot(make_package, "other", {"start.bas": 'TALK "hi"\n'})
    bot = make_bot(make_package, "shop", {"flow.bas": 'x = 1\nPUBLISH EVENT "ping" TO BOT "other" TO ALL\n'})
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == (
        'shop.gbdialog/flow.bas:2:1: PUBLISH EVENT goes TO BOT "x" or TO ALL, not both'
    )
    assert not WorkflowEvent.objects.exists()


def test_a_failed_segment_rolls_back_its_event_on_every_attempt(make_package, here: Here) -> None:
    bot = make_bot(
        make_package,
        "shop",
        {
            "handlers.bas": HANDLER.format(bot="shop"),
            "flow.bas": 'ORCHESTRATE WORKFLOW "w"\nSTEP 1:\n  RETRY 2\n  PUBLISH EVENT "ping"\n  y = 1 / 0\n',
        },
    )
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == "shop.gbdialog/flow.bas:5:3: division by zero: 1 / 0"
    assert list(StepRun.objects.filter(execution=execution).values_list("attempt", "status")) == [
        (1, "failed"),
        (2, "failed"),
        (3, "failed"),
    ]
    assert not WorkflowEvent.objects.exists()
    assert not HandlerRun.objects.exists() and here.said == []


@pytest.fixture
def fails_once(settings) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that answers 503 to its first request, then 200."""
    settings.GB_HTTP_ALLOW_PRIVATE = True
    hits: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(1)
            status = 503 if len(hits) == 1 else 200
            body = b'{"ok": true}' if status == 200 else b"busy"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/charge"
    server.shutdown()


def test_a_retried_step_replays_its_committed_publish_from_the_journal(
    make_package, here: Here, fails_once: str
) -> None:
    """The publishing segment commits (DELAY ends it), the step then fails and is retried from
    its checkpoint: the second attempt gets the first event's id back instead of publishing."""
    bot = make_bot(
        make_package,
        "shop",
        {
            "handlers.bas": HANDLER.format(bot="shop"),
            "flow.bas": f"""ORCHESTRATE WORKFLOW "w"
STEP 1:
  RETRY 1
  id = PUBLISH EVENT "ping" WITH 7
  DELAY 0.01
  answer = GET "{fails_once}"
TALK "done " & id & " " & answer.ok
""",
        },
    )
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    event = WorkflowEvent.objects.get()
    assert here.said == ["shop heard ping", f"done {event.pk} true"]
    assert HandlerRun.objects.filter(event=event).count() == 1
    assert ExecutionEffect.objects.filter(execution=execution, phrase="PUBLISH EVENT").count() == 1
    assert list(StepRun.objects.filter(execution=execution).values_list("attempt", "status")) == [
        (1, "failed"),
        (2, "completed"),
    ]
