"""The conversation loop: start.bas once per conversation, HEAR answered by the next message,
the "no LLM" answer, typed HEAR and menus, pinned script versions, the journal."""

from __future__ import annotations

import json

import pytest

from basic.compiler import clear_cache
from bots.models import BotMemory, DialogRun, JournalEntry, Message, MessageStatus, RunStatus
from bots.runtime import selectors
from bots.runtime.answer import NO_LLM_REPLY
from tests.bots.conversation_support import make_bot, post, say, transcript

pytestmark = pytest.mark.django_db

GREETER = 'TALK "Hello! What is your name?"\nHEAR name\nTALK "Nice to meet you, " + name + "."\n'


def test_start_runs_on_the_first_message_and_hear_takes_the_next(make_package) -> None:
    bot = make_bot(make_package, "greeter", {"start.bas": GREETER})
    conversation, first = say(bot, "hi")
    assert first == ["Hello! What is your name?"]
    _, second = say(bot, "Ana", conversation=conversation)
    assert second == ["Nice to meet you, Ana."]
    assert transcript(conversation) == [
        ("user", "hi"),
        ("bot", "Hello! What is your name?"),
        ("user", "Ana"),
        ("bot", "Nice to meet you, Ana."),
    ]
    assert not Message.objects.filter(status=MessageStatus.PENDING).exists()


def test_start_runs_once_per_conversation_then_messages_go_to_the_llm_seam(make_package) -> None:
    bot = make_bot(make_package, "once", {"start.bas": 'TALK "Welcome!"\n'})
    conversation, first = say(bot, "hello")
    assert first == ["Welcome!"]
    _, second = say(bot, "what are your hours?", conversation=conversation)
    assert second == [NO_LLM_REPLY]
    other, third = say(bot, "hello")
    assert other != conversation and third == ["Welcome!"]


def test_a_bot_without_start_bas_answers_that_no_llm_is_configured(make_package) -> None:
    bot = make_bot(make_package, "plain", {"tool.bas": 'TALK "tool"\n'})
    turn = post(bot, "hello")
    (reply,) = selectors.message_replies(message=turn.message)
    assert reply.content == NO_LLM_REPLY and reply.kind == "notice"
    assert "llm-provider" in reply.source["hint"]


def test_replies_record_the_script_line_and_column_that_produced_them(make_package) -> None:
    bot = make_bot(make_package, "where", {"start.bas": 'x = 1\n  TALK "one"\nBEGIN TALK\ntwo\nEND TALK\n'})
    turn = post(bot, "go")
    sources = [m.source for m in selectors.message_replies(message=turn.message)]
    assert sources == [
        {"script": "where.gbdialog/start.bas", "line": 2, "column": 3},
        {"script": "where.gbdialog/start.bas", "line": 3, "column": 1},
    ]
    assert all(m.run_id is not None for m in selectors.message_replies(message=turn.message))


def test_typed_hear_asks_again_with_a_hint_then_stores_the_typed_value(make_package) -> None:
    bot = make_bot(make_package, "typed", {"start.bas": 'TALK "Age?"\nHEAR age AS INTEGER\nTALK age * 2\n'})
    conversation, _ = say(bot, "hi")
    turn = post(bot, "forty", conversation=conversation)
    (hint,) = selectors.message_replies(message=turn.message)
    assert hint.kind == "hint" and hint.content
    waiting = selectors.run_waiting_for(
        run=selectors.conversation_waiting_run(conversation=turn.conversation)
    )
    assert {k: waiting[k] for k in ("kind", "variable", "type")} == {
        "kind": "input",
        "variable": "age",
        "type": "INTEGER",
    }
    _, answer = say(bot, "21", conversation=conversation)
    assert answer == ["42"]


def test_a_menu_offers_its_options_as_suggestions_and_accepts_a_number(make_package) -> None:
    bot = make_bot(
        make_package, "menu", {"start.bas": 'HEAR size AS "Small", "Large"\nTALK "You chose " + size\n'}
    )
    turn = post(bot, "hi")
    run = selectors.conversation_waiting_run(conversation=turn.conversation)
    assert selectors.conversation_suggestions(conversation=turn.conversation, run=run) == [
        {"kind": "menu", "text": "Small", "label": "Small"},
        {"kind": "menu", "text": "Large", "label": "Large"},
    ]
    _, answer = say(bot, "2", conversation=turn.conversation.pk)
    assert answer == ["You chose Large"]


def test_a_waiting_run_is_only_its_row_and_resumes_after_the_compile_cache_is_gone(make_package) -> None:
    bot = make_bot(make_package, "durable", {"start.bas": GREETER})
    conversation, _ = say(bot, "hi")
    run = DialogRun.objects.get(conversation_id=conversation)
    assert run.status == RunStatus.WAITING and run.waiting_for == "input"
    assert json.loads(run.state) and run.detail == {"variable": "name"} and run.version == 1
    clear_cache()  # as after a restart: nothing of the run is left in memory
    _, answer = say(bot, "Bia", conversation=conversation)
    run.refresh_from_db()
    assert answer == ["Nice to meet you, Bia."] and run.status == RunStatus.FINISHED and run.state == ""
    assert run.version == 2


def test_a_run_keeps_the_script_version_it_started_with(make_package) -> None:
    bot = make_bot(make_package, "pinned", {"start.bas": GREETER})
    old, _ = say(bot, "hi")
    new_source = 'TALK "Hi again! Name?"\nHEAR name\nTALK "Welcome back, " + name + "."\n'
    make_package("pinned", {"pinned.gbdialog/start.bas": new_source})
    _, answer = say(bot, "Caio", conversation=old)
    assert answer == ["Nice to meet you, Caio."]
    new, greeting = say(bot, "hi")
    assert greeting == ["Hi again! Name?"]
    assert DialogRun.objects.get(conversation_id=old).script_version.source == GREETER
    assert DialogRun.objects.get(conversation_id=new).script_version.source == new_source


def test_a_called_script_is_pinned_for_the_run_too(make_package) -> None:
    bot = make_bot(
        make_package,
        "caller",
        {
            "start.bas": "HEAR x\ngreet(x)\nHEAR y\ngreet(y)\n",
            "greet.bas": 'PARAM who AS STRING\nTALK "v1 " + who\n',
        },
    )
    conversation, _ = say(bot, "start")
    _, first = say(bot, "a", conversation=conversation)
    make_package("caller", {"caller.gbdialog/greet.bas": 'PARAM who AS STRING\nTALK "v2 " + who\n'})
    _, second = say(bot, "b", conversation=conversation)
    assert (first, second) == (["v1 a"], ["v1 b"])
    assert list(DialogRun.objects.get(conversation_id=conversation).scripts) == ["greet"]


def test_a_resumed_run_never_repeats_a_completed_effect(make_package) -> None:
    bot = make_bot(
        make_package, "journaled", {"start.bas": 'HEAR a\nSET BOT MEMORY "k", a\nHEAR b\nTALK b\n'}
    )
    conversation, _ = say(bot, "start")
    run = DialogRun.objects.get(conversation_id=conversation)
    saved_state, saved_version = run.state, run.version
    say(bot, "first", conversation=conversation)
    assert BotMemory.objects.get(bot=bot, key="k").value == "first"
    # A second delivery of the same resume, from the older saved state.
    DialogRun.objects.filter(pk=run.pk).update(state=saved_state, version=saved_version)
    say(bot, "second", conversation=conversation)
    assert BotMemory.objects.get(bot=bot, key="k").value == "first"
    assert list(JournalEntry.objects.filter(run=run).values_list("seq", "phrase")) == [(1, "SET BOT MEMORY")]


def test_config_params_become_variables(make_package) -> None:
    bot = make_bot(
        make_package,
        "params",
        {"start.bas": 'TALK "Shop " + shopname + " opens at " + hour\n'},
        config="param-shopName,Pizza Roma\nparam-hour,9\n",
    )
    assert say(bot, "hi")[1] == ["Shop Pizza Roma opens at 9"]
