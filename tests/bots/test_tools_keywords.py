"""USE TOOL / ADD TOOL / CLEAR TOOLS and USE KB / CLEAR KB: per-conversation associations and the
author's errors for names the package does not have."""

from __future__ import annotations

import pytest

from bots.models import Bot, ConversationError, ConversationKb, ConversationTool
from bots.runtime.tools import tool_functions
from bots.services import package_sync_all
from tests.bots.conversation_support import make_bot, say

pytestmark = pytest.mark.django_db

TOOL = 'PARAM city AS STRING DESCRIPTION "City"\nDESCRIPTION "Weather"\nTALK "Sunny in " + city\n'


def _tools(conversation: int) -> list[tuple[str, str]]:
    return list(
        ConversationTool.objects.filter(conversation_id=conversation)
        .order_by("id")
        .values_list("name", "script")
    )


def test_use_tool_strips_prefix_and_suffix_and_add_tool_is_an_alias(make_package) -> None:
    start = 'USE TOOL "w.gbdialog/Weather.bas"\nADD TOOL "other"\nUSE TOOL "weather"\nTALK "ok"\n'
    bot = make_bot(make_package, "w", {"start.bas": start, "weather.bas": TOOL, "tools/other.bas": TOOL})
    conversation, replies = say(bot, "hi")
    assert replies == ["ok"]
    assert _tools(conversation) == [
        ("weather", "w.gbdialog/weather.bas"),
        ("other", "w.gbdialog/tools/other.bas"),
    ]
    conversation_obj = ConversationTool.objects.first().conversation
    names = [tool["function"]["name"] for tool in tool_functions(conversation_obj)]
    assert names == ["weather", "other"]
    # another conversation has its own (empty until its start.bas runs) set of tools
    other, _ = say(bot, "hi", user_key="someone-else")
    assert len(_tools(other)) == 2 and _tools(conversation) == _tools(other)


def test_clear_tools(make_package) -> None:
    start = 'USE TOOL "weather"\nCLEAR TOOLS\nTALK "cleared"\n'
    bot = make_bot(make_package, "c", {"start.bas": start, "weather.bas": TOOL})
    conversation, replies = say(bot, "hi")
    assert replies == ["cleared"] and _tools(conversation) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('USE TOOL "nope"', 'there is no tool "nope" in bot e: add e.gbdialog/nope.bas'),
        ('ADD TOOL "start.bas"', '"start.bas" cannot be a tool'),
        ('USE TOOL "broken"', "broken.bas"),
        ('USE KB "missing"', 'there is no knowledge base "missing" in bot e: add the folder e.gbkb/missing/'),
    ],
)
def test_unknown_names_are_author_errors(make_package, line: str, expected: str) -> None:
    bot = make_bot(make_package, "e", {"start.bas": line + "\n", "broken.bas": "IF x THEN\n"})
    conversation, replies = say(bot, "hi")
    assert replies and replies[0].startswith("Sorry")
    error = ConversationError.objects.get(conversation_id=conversation)
    assert error.line == 1 or error.file.endswith("broken.bas")
    assert expected in str(error)


def test_use_kb_and_clear_kb(make_package) -> None:
    start = 'USE KB "policies"\nUSE KB "faq"\nUSE KB "Policies"\nTALK "kb"\nHEAR x\nCLEAR KB "faq"\nTALK "one"\nHEAR y\nCLEAR KB\nTALK "none"\n'  # noqa: E501
    make_package(
        "k",
        {
            "k.gbdialog/start.bas": start,
            "k.gbkb/policies/refunds.md": "# Refunds\n",
            "k.gbkb/faq/q.md": "# FAQ\n",
        },
    )
    package_sync_all(roots=[make_package.root])
    bot = Bot.objects.get(name="k")
    conversation, replies = say(bot, "hi")
    assert replies == ["kb"]
    rows = ConversationKb.objects.filter(conversation_id=conversation).order_by("id")
    assert list(rows.values_list("name", "folder")) == [
        ("policies", "k.gbkb/policies"),
        ("faq", "k.gbkb/faq"),
    ]
    say(bot, "x", conversation=conversation)
    assert list(rows.values_list("name", flat=True)) == ["policies"]
    assert say(bot, "y", conversation=conversation)[1] == ["none"]
    assert not rows.exists()
