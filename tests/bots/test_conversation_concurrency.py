"""Messages posted at the same time to one conversation are all answered, one after the other,
in arrival order, each reply attached to its own message (real threads, real database)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from bots.models import Message, MessageStatus, Role
from tests.bots.conversation_support import make_bot, post, replies, say

COUNTER = 'TALK "ready"\nDO WHILE TRUE\n  HEAR x\n  n = n + 1\n  TALK "reply " + n + " to " + x\nLOOP\n'


@pytest.mark.django_db(transaction=True)
def test_simultaneous_messages_are_queued_not_lost_nor_interleaved(make_package) -> None:
    bot = make_bot(make_package, "busy", {"start.bas": COUNTER})
    conversation, first = say(bot, "start")
    assert first == ["ready"]
    texts = [f"m{i}" for i in range(6)]
    barrier = threading.Barrier(len(texts))
    results: dict[str, list[str]] = {}
    failures: list[BaseException] = []

    def send(text: str) -> None:
        try:
            barrier.wait()
            results[text] = replies(post(bot, text, conversation=conversation))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures and len(results) == len(texts)
    inbound = list(Message.objects.filter(conversation_id=conversation, role=Role.USER).order_by("id"))[1:]
    assert {m.content for m in inbound} == set(texts)
    assert all(m.status == MessageStatus.DONE for m in inbound)
    # One at a time: the n-th reply answers one message with count n, and it is that message's
    # only reply (messages are answered in the order they were stored; with concurrent inserts
    # that is the order their transactions committed, not necessarily the order of their ids).
    bot_replies = list(Message.objects.filter(conversation_id=conversation, role=Role.BOT).order_by("id"))[1:]
    assert len(bot_replies) == len(texts)
    for number, reply in enumerate(bot_replies, start=1):
        asked = reply.reply_to.content
        assert reply.content == f"reply {number} to {asked}"
        assert results[asked] == [reply.content]
