"""SET CONTEXT, BEGIN SYSTEM PROMPT, ADD SUGGESTION (every form), CLEAR SUGGESTIONS, ADD SWITCHER,
CLEAR SWITCHERS, in a real conversation."""

from __future__ import annotations

import pytest

from bots.models import Conversation, JournalEntry
from bots.runtime import selectors
from tests.bots.conversation_support import make_bot, say

pytestmark = pytest.mark.django_db


def _conversation(make_package, name: str, source: str) -> Conversation:
    bot = make_bot(make_package, name, {"start.bas": source})
    conversation, _ = say(bot, "hi")
    return Conversation.objects.get(pk=conversation)


def test_set_context_stores_named_texts_and_a_later_one_replaces(make_package) -> None:
    conversation = _conversation(
        make_package,
        "ctx",
        (
            'SET CONTEXT "store" AS "Open 9-18"\nSET CONTEXT "tone" AS "friendly"\n'
            'SET CONTEXT "store" AS "Open 10-" + 20\n'
        ),
    )
    assert conversation.context == {"store": "Open 10-20", "tone": "friendly"}


def test_begin_system_prompt_sets_the_prompt_with_holes_filled(make_package) -> None:
    conversation = _conversation(
        make_package,
        "prompt",
        (
            'shop = "Roma"\nBEGIN SYSTEM PROMPT\n'
            "You help the customers of ${shop}.\n\nBe brief.\nEND SYSTEM PROMPT\n"
        ),
    )
    assert conversation.system_prompt == "You help the customers of Roma.\n\nBe brief."


def test_add_suggestion_accepts_every_form_and_sends_them_after_start_finishes(make_package) -> None:
    conversation = _conversation(
        make_package,
        "chips",
        (
            'ADD SUGGESTION "Opening hours"\n'
            'ADD SUGGESTION "menu" AS "See the menu"\n'
            'ADD SUGGESTION TOOL "book" AS "Book a table"\n'
            'ADD SUGGESTION TEXT "I want a pizza" AS "Pizza"\n'
            'ADD SUGGESTION "Opening hours"\n'
            'TALK "Welcome"\n'
        ),
    )
    expected = [
        {"kind": "text", "text": "Opening hours", "label": "Opening hours"},
        {"kind": "context", "context": "menu", "text": "See the menu", "label": "See the menu"},
        {"kind": "tool", "tool": "book", "label": "Book a table", "text": "Book a table"},
        {"kind": "text", "text": "I want a pizza", "label": "Pizza"},
    ]
    assert conversation.suggestions == expected
    assert selectors.conversation_suggestions(conversation=conversation, run=None) == expected
    phrases = set(
        JournalEntry.objects.filter(run__conversation=conversation).values_list("phrase", flat=True)
    )
    assert phrases == {"ADD SUGGESTION"}


def test_suggestions_wait_until_the_dialog_stops_waiting(make_package) -> None:
    bot = make_bot(
        make_package, "later-chips", {"start.bas": 'ADD SUGGESTION "Help"\nHEAR name\nTALK "ok"\n'}
    )
    conversation, _ = say(bot, "hi")
    run = selectors.conversation_waiting_run(conversation=Conversation.objects.get(pk=conversation))
    assert run is not None
    assert selectors.conversation_suggestions(conversation=run.conversation, run=run) == []
    say(bot, "Ana", conversation=conversation)
    after = Conversation.objects.get(pk=conversation)
    assert selectors.conversation_suggestions(conversation=after, run=None) == [
        {"kind": "text", "text": "Help", "label": "Help"}
    ]


def test_clear_suggestions_and_switchers(make_package) -> None:
    conversation = _conversation(
        make_package,
        "clear",
        (
            'ADD SUGGESTION "a"\nADD SWITCHER "x" AS "X"\nCLEAR SUGGESTIONS\nCLEAR SWITCHERS\n'
            'ADD SUGGESTION "b"\n'
        ),
    )
    assert conversation.suggestions == [{"kind": "text", "text": "b", "label": "b"}]
    assert conversation.switchers == []


def test_add_switcher_keeps_order_and_relabels_by_id(make_package) -> None:
    conversation = _conversation(
        make_package,
        "switch",
        ('ADD SWITCHER "formal" AS "Formal"\nADD SWITCHER "short"\nADD SWITCHER "formal" AS "Very formal"\n'),
    )
    assert conversation.switchers == [
        {"id": "short", "label": "short"},
        {"id": "formal", "label": "Very formal"},
    ]


def test_an_empty_suggestion_is_an_error_for_the_author(make_package) -> None:
    bot = make_bot(make_package, "empty-chip", {"start.bas": 'x = ""\nADD SUGGESTION x\n'})
    conversation, _ = say(bot, "hi")
    error = Conversation.objects.get(pk=conversation).errors.get()
    assert (error.line, error.text) == (2, "ADD SUGGESTION needs a text; got an empty value")
