"""The host a workflow execution runs through (the Host protocol of basic/host.py).

A workflow has a conversation of its own (or the chat it was started from), so every keyword
that needs one (memory, tables, LLM) works in workflow steps as in dialogs. TALKs are stored as
messages of that conversation, marked with the execution, step and branch that said them, and
reported to ``on_talk`` as they happen (``gb run`` prints them) and to the live run view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any

from django.utils import timezone

from basic.host import Origin
from bots.models import Bot, Conversation, Message, Role
from bots.runtime.agents import active_bot
from bots.runtime.live import conversation_changed
from bots.runtime.scripts import script_load_pinned
from workflows.keywords import WorkflowKeywordError
from workflows.models import WorkflowExecution

logger = logging.getLogger("workflows.script")

TalkListener = Callable[[WorkflowExecution, Message], None]


class WorkflowHost:
    workflow_engine = True  # what workflow keywords look for
    registry = None  # the process-wide keyword registry

    def __init__(self, execution: WorkflowExecution, *, on_talk: TalkListener | None = None) -> None:
        self.execution = execution
        self.bot: Bot = execution.bot
        self.run = None  # no dialog run: keywords that need one (DELEGATE) say so
        self.inbound = None
        self.on_talk = on_talk
        self.sent: list[Message] = []
        self.policy: dict[str, Any] = dict(execution.detail.get("policy") or {})

    @cached_property
    def conversation(self) -> Conversation:
        """The execution's conversation, with the execution's bot acting in it (in memory only);
        read when a keyword first needs it, so steps that never talk cost no read."""
        conversation = Conversation.objects.get(pk=self.execution.conversation_id)
        conversation.bot = self.execution.bot
        return conversation

    # --- what workflow keywords use ------------------------------------------------------------

    @property
    def workflow_name(self) -> str:
        return self.execution.workflow_name

    @property
    def current_step_label(self) -> str:
        return self.execution.current_step

    def step_policy_set(self, *, phrase: str, retry: int | None = None, timeout: float | None = None) -> None:
        if not self.execution.current_step:
            raise WorkflowKeywordError(f"{phrase} must be inside a STEP: put it on the lines after STEP n:")
        if retry is not None:
            self.policy["retry"] = retry
        if timeout is not None:
            self.policy["timeout"] = timeout

    def bot_check(self, name: str) -> Bot:
        return active_bot(name, phrase="BOT")

    # --- the Host protocol ---------------------------------------------------------------------

    def _store(self, text: str, origin: Origin, kind: str, **extra: Any) -> Message:
        execution = self.execution
        message = Message.objects.create(
            conversation=self.conversation,
            role=Role.BOT,
            content=text,
            kind=kind,
            source={
                "script": origin.file,
                "line": origin.line,
                "column": origin.column,
                "execution": execution.pk,
                "step": execution.current_step,
                "branch": execution.branch,
                "bot": self.bot.name,
                **extra,
            },
        )
        self.sent.append(message)
        conversation_changed(conversation_id=self.conversation.pk)  # a chat page showing it updates
        if self.on_talk is not None:
            self.on_talk(execution, message)
        return message

    def talk(self, text: str, *, origin: Origin) -> None:
        self._store(text, origin, origin.kind)

    def talk_to(self, recipient: str, text: str, *, origin: Origin) -> None:
        self._store(text, origin, "talk_to", recipient=recipient)

    def print(self, text: str) -> None:
        logger.info("%s (workflow execution %s): %s", self.execution.script, self.execution.pk, text)

    def log(self, level: str, message: str) -> None:
        number = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        logger.log(
            number, "%s (workflow execution %s): %s", self.execution.script, self.execution.pk, message
        )

    def now(self) -> datetime:
        return timezone.now()

    def load_script(self, name: str) -> tuple[str, str]:
        """Another dialog of the bot's package, pinned for this execution at its first use."""
        source, path, self.execution.scripts = script_load_pinned(self.bot, self.execution.scripts, name)
        return source, path
