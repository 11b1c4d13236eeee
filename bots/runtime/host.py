"""The host a dialog run talks through inside a conversation (the Host protocol of basic/host.py).

Every TALK becomes an outbound :class:`~bots.models.Message`, stored in the transaction that
saves the run, with the script file, line and column that produced it. Keyword handlers reach the
conversation, the bot and the run through ``run.host``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone

from basic.host import Origin
from bots.models import Bot, Conversation, DialogRun, Message, Role
from bots.runtime.scripts import script_load_pinned

logger = logging.getLogger("bots.script")


class ConversationHost:
    registry = None  # the process-wide keyword registry

    def __init__(self, *, conversation: Conversation, run: DialogRun, inbound: Message | None) -> None:
        self.conversation = conversation
        self.bot: Bot = conversation.bot
        self.run = run
        self.inbound = inbound
        self.sent: list[Message] = []

    def _store(self, text: str, origin: Origin, kind: str | None = None, **extra: Any) -> Message:
        """Store a reply with the script position that said it."""
        message = Message.objects.create(
            conversation=self.conversation,
            role=Role.BOT,
            content=text,
            kind=kind or origin.kind,
            reply_to=self.inbound,
            run=self.run,
            source={"script": origin.file, "line": origin.line, "column": origin.column, **extra},
        )
        self.sent.append(message)
        return message

    def notice(self, text: str, *, kind: str, source: dict[str, Any]) -> Message:
        """A message from the runtime itself (an apology after a script error)."""
        message = Message.objects.create(
            conversation=self.conversation,
            role=Role.BOT,
            content=text,
            kind=kind,
            reply_to=self.inbound,
            run=self.run,
            source=source,
        )
        self.sent.append(message)
        return message

    # --- the Host protocol ------------------------------------------------------------------

    def talk(self, text: str, *, origin: Origin) -> None:
        self._store(text, origin)

    def talk_to(self, recipient: str, text: str, *, origin: Origin) -> None:
        # Kept on the conversation for the admin; channel adapters deliver these.
        self._store(text, origin, "talk_to", recipient=recipient)

    def print(self, text: str) -> None:
        logger.info("%s (conversation %s): %s", self.run.script, self.conversation.pk, text)

    def log(self, level: str, message: str) -> None:
        number = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        logger.log(number, "%s (conversation %s): %s", self.run.script, self.conversation.pk, message)

    def now(self) -> datetime:
        return timezone.now()

    def load_script(self, name: str) -> tuple[str, str]:
        """Another dialog of the package, pinned for this run at its first use."""
        source, path, self.run.scripts = script_load_pinned(self.bot, self.run.scripts, name)
        return source, path
