"""``gb chat <bot>``: a conversation with a bot in the terminal, through the same services as the
web chat and the API (messages are stored; the conversation can be continued with --conversation).

Each line read is a user message; the replies print one per line, then the suggestions. When the
dialog waits on a WAIT timer, the command sleeps until it is due and fires it, as the periodic
sweep would.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bots.models import Bot, Channel, Conversation, Message, Role
from bots.runtime import selectors
from bots.runtime.services import ConversationNotFound, Turn, message_post, runs_fire_due

NAME = "chat"
HELP = "Chat with a bot in the terminal: each line is a message; replies and suggestions are printed."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bot", help="The bot's name.")
    parser.add_argument("--user", default=None, help="The user key (default: cli:<your login>).")
    parser.add_argument("--conversation", type=int, default=None, help="Continue this conversation.")
    parser.add_argument("--stdin", dest="stdin", default=None, help=argparse.SUPPRESS)


def _print_turn(out: TextIO, turn: Turn, shown: set[int]) -> None:
    for reply in selectors.message_replies(message=turn.message):
        if reply.pk not in shown:
            shown.add(reply.pk)
            out.write(f"{reply.content}\n")
    run = selectors.conversation_waiting_run(conversation=turn.conversation)
    suggestions = selectors.conversation_suggestions(conversation=turn.conversation, run=run)
    if suggestions:
        out.write("[" + "] [".join(item["label"] for item in suggestions) + "]\n")
    out.flush()


def _print_unsolicited(out: TextIO, conversation: Conversation, shown: set[int]) -> None:
    """Messages the bot sent on its own (after a timer), not yet shown."""
    new = (
        Message.objects.filter(conversation=conversation, role=Role.BOT)
        .exclude(pk__in=shown)
        .exclude(kind="talk_to")
        .order_by("id")
    )
    for message in new:
        shown.add(message.pk)
        out.write(f"{message.content}\n")


def _wait_for_timers(out: TextIO, conversation: Conversation, shown: set[int]) -> None:
    while True:
        run = selectors.conversation_waiting_run(conversation=conversation)
        if run is None or run.waiting_for != "timer" or run.due_at is None:
            return
        time.sleep(max(0.0, (run.due_at - timezone.now()).total_seconds()))
        runs_fire_due(now=max(timezone.now(), run.due_at))
        _print_unsolicited(out, conversation, shown)


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    bot = Bot.objects.filter(name=options["bot"], active=True).first()
    if bot is None:
        raise CommandError(f"No active bot named {options['bot']!r}; `gb packages` lists them.")
    stdin: TextIO = options["stdin"] or sys.stdin
    user_key = options["user"] or f"cli:{getpass.getuser()}"
    conversation_id = options["conversation"]
    shown: set[int] = set()
    if conversation_id is not None:
        shown.update(Message.objects.filter(conversation_id=conversation_id).values_list("pk", flat=True))
    for line in stdin:
        text = line.rstrip("\r\n")
        try:
            turn = message_post(
                bot=bot, text=text, channel=Channel.CLI, user_key=user_key, conversation_id=conversation_id
            )
        except ConversationNotFound as exc:
            raise CommandError(str(exc)) from None
        conversation_id = turn.conversation.pk
        shown.add(turn.message.pk)
        _print_turn(command.stdout, turn, shown)
        _wait_for_timers(command.stdout, turn.conversation, shown)
    if conversation_id is not None:
        command.stderr.write(f"conversation {conversation_id}")
