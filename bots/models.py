"""Bots, their config.csv rows, conversations, messages and memories."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from bots.naming import bot_name_validator


class Bot(models.Model):
    """One bot, usually registered from a ``<name>.gbai`` package folder."""

    name = models.CharField(max_length=80, unique=True, validators=[bot_name_validator])
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Cleared when the bot's package disappears.")
    source_path = models.CharField(
        max_length=1024, blank=True, help_text="The .gbai folder this bot was loaded from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BotConfig(models.Model):
    """One row of a bot's config.csv; ``param-*`` keys become script variables at run time."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="config")
    key = models.CharField(max_length=200)
    value = models.TextField(blank=True)
    line = models.PositiveIntegerField(null=True, blank=True, help_text="Line in config.csv.")

    class Meta:
        ordering = ["bot", "key"]
        constraints = [models.UniqueConstraint(fields=["bot", "key"], name="bots_config_unique_key")]
        verbose_name = "bot config row"

    def __str__(self) -> str:
        return f"{self.bot}: {self.key}"


class Channel(models.TextChoices):
    WEB = "web", "Web chat"
    API = "api", "API"
    WHATSAPP = "whatsapp", "WhatsApp"
    TEAMS = "teams", "Teams"
    EMAIL = "email", "Email"
    CLI = "cli", "Command line"
    SCHEDULE = "schedule", "Schedule"
    WEBHOOK = "webhook", "Webhook"
    WORKFLOW = "workflow", "Workflow"


class Conversation(models.Model):
    """A session between one user and one bot on one channel.

    ``user`` is set for signed-in users; ``user_key`` identifies users of channels without a login
    (a web chat visitor id, a phone number).
    """

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="conversations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bot_conversations",
    )
    user_key = models.CharField(max_length=200, blank=True, db_index=True)
    channel = models.CharField(max_length=40, choices=Channel.choices, default=Channel.WEB)
    start_done = models.BooleanField(
        default=False, help_text="Set once start.bas has been started for this conversation."
    )
    system_prompt = models.TextField(blank=True, help_text="Set by BEGIN SYSTEM PROMPT.")
    context = models.JSONField(default=dict, blank=True, help_text="SET CONTEXT name -> text.")
    suggestions = models.JSONField(default=list, blank=True, help_text="ADD SUGGESTION chips, in order.")
    switchers = models.JSONField(default=list, blank=True, help_text="ADD SWITCHER toggles, in order.")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["bot", "-updated_at"], name="bots_conv_bot_updated")]

    def __str__(self) -> str:
        who = self.user or self.user_key or "anonymous"
        return f"{self.bot} / {who} ({self.channel})"


class Role(models.TextChoices):
    USER = "user", "User"
    BOT = "bot", "Bot"
    SYSTEM = "system", "System"
    TOOL = "tool", "Tool"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # an inbound message stored, not yet answered (queued)
    DONE = "done", "Done"
    FAILED = "failed", "Failed"  # the runtime itself failed on it; see the log and the errors


class Message(models.Model):
    """One message of a conversation, inbound or outbound.

    ``source`` says what produced an outbound message: ``{"script": "x.gbdialog/start.bas",
    "line": 3, "column": 1}`` for a script, ``{"runtime": "..."}`` for the runtime's own replies
    (later ``{"tool": ...}`` or ``{"llm": ...}``). ``reply_to`` links a reply to the user message
    it answers, so a client posting a message gets exactly its replies.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=20, choices=Role.choices)
    content = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, default="text", help_text="text, hint (a typed HEAR asking again), error, talk_to..."
    )
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.DONE)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    run = models.ForeignKey(
        "DialogRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    source = models.JSONField(default=dict, blank=True, help_text="What produced this message.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["conversation", "id"],
                condition=Q(status="pending"),
                name="bots_msg_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class BotMemory(models.Model):
    """SET BOT MEMORY: a value shared by every user of a bot."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="memories")
    key = models.CharField(max_length=200)
    value = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bot", "key"]
        constraints = [models.UniqueConstraint(fields=["bot", "key"], name="bots_botmemory_unique_key")]
        verbose_name_plural = "bot memories"

    def __str__(self) -> str:
        return f"{self.bot}: {self.key}"


class UserMemory(models.Model):
    """SET USER MEMORY: a value per user and bot; the user is an account or a channel user key."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="user_memories")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bot_memories",
    )
    user_key = models.CharField(max_length=200, blank=True, db_index=True)
    key = models.CharField(max_length=200)
    value = models.JSONField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by REMEMBER with a duration; expired values read as empty."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bot", "key"]
        verbose_name_plural = "user memories"
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(user_key=""),
                name="bots_usermemory_has_user",
                violation_error_message="A user memory needs a user or a user key.",
            ),
            models.UniqueConstraint(
                fields=["bot", "user", "key"],
                condition=Q(user__isnull=False),
                name="bots_usermemory_unique_user_key",
            ),
            models.UniqueConstraint(
                fields=["bot", "user_key", "key"],
                condition=Q(user__isnull=True),
                name="bots_usermemory_unique_userkey_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bot} / {self.user or self.user_key}: {self.key}"


class BotSharedMemory(models.Model):
    """BOT SHARE MEMORY "k" WITH "bot": a value one bot offers another; BOT SYNC MEMORY FROM
    copies the rows shared with a bot into its own memory."""

    source_bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="shared_memories_out")
    target_bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="shared_memories_in")
    key = models.CharField(max_length=200)
    value = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_bot", "key"]
        verbose_name_plural = "shared bot memories"
        constraints = [
            models.UniqueConstraint(
                fields=["source_bot", "target_bot", "key"], name="bots_sharedmemory_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_bot} -> {self.target_bot}: {self.key}"


class ScriptVersion(models.Model):
    """A script's source, stored once per content hash, so a run resumes the exact code it began."""

    hash = models.CharField(max_length=64, unique=True)
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.hash[:12]


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    WAITING = "waiting", "Waiting"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class DialogRun(models.Model):
    """One run of a script inside a conversation, with its whole VM state.

    A waiting run is only this row: nothing holds a worker, so it survives restarts. Every save
    checks and bumps ``version`` (optimistic locking). ``due_at`` is when a wait ends by itself
    (a HEAR timeout, a WAIT); the periodic sweep fires due runs.
    """

    # The value of a top-level RETURN once the run finished in this process (webhooks answer
    # with it); kept in memory only.
    return_value: Any = None

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="runs")
    script = models.CharField(max_length=500, help_text="Path of the script inside the .gbai package.")
    script_version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    waiting_for = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True, help_text="What the run waits for.")
    state = models.TextField(blank=True, help_text="The VM state (JSON text) of a waiting run.")
    scripts = models.JSONField(
        default=dict, blank=True, help_text="Other scripts this run called: name -> [file, content hash]."
    )
    version = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="waiting"), name="bots_run_due"),
            models.Index(fields=["conversation", "status"], name="bots_run_conv_status"),
        ]

    def __str__(self) -> str:
        return f"{self.script} ({self.status})"


class JournalEntry(models.Model):
    """A completed effect of a run (basic/journal.py): a resumed run reuses ``result``."""

    run = models.ForeignKey(DialogRun, on_delete=models.CASCADE, related_name="journal")
    seq = models.PositiveIntegerField()
    phrase = models.CharField(max_length=100)
    result = models.TextField(help_text="The effect's result as JSON text (key order kept).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        verbose_name_plural = "journal entries"
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="bots_journal_unique_seq")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.seq} {self.phrase}"


class ConversationError(models.Model):
    """A script error met during a conversation, for the bot's author (the user saw an apology)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="errors")
    run = models.ForeignKey(
        DialogRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="errors"
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="errors",
        help_text="The user message being answered.",
    )
    file = models.CharField(max_length=500, blank=True)
    line = models.PositiveIntegerField(default=0)
    column = models.PositiveIntegerField(default=0)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file or '<script>'}:{self.line}:{self.column}: {self.text}"


class BotTable(models.Model):
    """A table a bot declares in tables.bas (``TABLE name .. END TABLE``), created as a real
    database table named ``db_table``; its columns are the :class:`BotTableField` rows."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=60, help_text="Lower-case, as scripts name it.")
    db_table = models.CharField(max_length=63, unique=True)
    read_roles = models.CharField(max_length=500, blank=True)
    write_roles = models.CharField(max_length=500, blank=True)
    source_file = models.CharField(max_length=500, blank=True)
    line = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bot", "name"]
        constraints = [models.UniqueConstraint(fields=["bot", "name"], name="bots_table_unique_name")]

    def __str__(self) -> str:
        return f"{self.bot_id}:{self.name}"


class BotTableField(models.Model):
    """One column of a bot table, in declaration order (SAVE's positional values follow it)."""

    table = models.ForeignKey(BotTable, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(max_length=60)
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=20, help_text="Canonical type: string, text, integer, ...")
    length = models.PositiveIntegerField(null=True, blank=True)
    scale = models.PositiveIntegerField(null=True, blank=True)
    primary_key = models.BooleanField(default=False)
    not_null = models.BooleanField(default=False)
    unique = models.BooleanField(default=False)
    default = models.CharField(max_length=200, blank=True)
    references = models.CharField(max_length=60, blank=True)
    active = models.BooleanField(default=True, help_text="Cleared when tables.bas drops it (data is kept).")

    class Meta:
        ordering = ["table", "position"]
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="bots_tablefield_unique_name")]

    def __str__(self) -> str:
        return f"{self.table.name}.{self.name} {self.type}"


class ConversationTool(models.Model):
    """A tool script offered to the LLM in this conversation (USE TOOL / ADD TOOL)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="tools")
    name = models.CharField(max_length=200, help_text="The tool script's stem, lower case.")
    script = models.CharField(max_length=500, help_text="Path of the tool script inside the package.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "name"], name="bots_conversation_tool_unique")
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.name}"


class ConversationKb(models.Model):
    """A .gbkb collection attached to this conversation (USE KB); retrieval comes later."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="kbs")
    name = models.CharField(max_length=200)
    folder = models.CharField(max_length=500, help_text="The collection folder inside the package.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "id"]
        verbose_name = "conversation KB"
        constraints = [
            models.UniqueConstraint(fields=["conversation", "name"], name="bots_conversation_kb_unique")
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.name}"


class TriggerKind(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    WEBHOOK = "webhook", "Webhook"


class BotTrigger(models.Model):
    """A script that runs without a user message: SET SCHEDULE or WEBHOOK, found at package sync.

    One row per script and kind; package sync adds, updates and removes them. A schedule owns the
    celery-beat PeriodicTask that fires it; a webhook has the secret token callers must send.
    """

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="triggers")
    kind = models.CharField(max_length=20, choices=TriggerKind.choices)
    script = models.CharField(max_length=500, help_text="Path of the script inside the package.")
    schedule = models.CharField(max_length=200, blank=True, help_text="As written after SET SCHEDULE.")
    cron = models.CharField(max_length=200, blank=True, help_text="The schedule as 5-field cron.")
    endpoint = models.CharField(
        max_length=200, blank=True, help_text="WEBHOOK name: /webhook/<bot>/<endpoint>."
    )
    token = models.CharField(max_length=100, blank=True, help_text="Secret callers send in X-Webhook-Token.")
    line = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_triggered = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bot", "kind", "script"]
        constraints = [
            models.UniqueConstraint(fields=["bot", "kind", "script"], name="bots_trigger_unique"),
            models.UniqueConstraint(
                fields=["bot", "endpoint"],
                condition=models.Q(kind="webhook"),
                name="bots_trigger_webhook_endpoint_unique",
            ),
        ]

    def __str__(self) -> str:
        what = self.endpoint if self.kind == TriggerKind.WEBHOOK else self.schedule
        return f"{self.bot} {self.kind} {what} ({self.script})"


class ConversationBot(models.Model):
    """Another bot attached to a conversation by ADD BOT: it answers the user messages its trigger
    matches. ``trigger`` holds ``{"keywords": [...], "tools": [...], "schedule": "cron"}``."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="attached_bots")
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="attachments")
    trigger = models.JSONField(default=dict, blank=True)
    priority = models.IntegerField(default=0, help_text="Higher answers first when several match.")
    active = models.BooleanField(default=True, help_text="Cleared by REMOVE BOT (the row is kept).")
    joined_at = models.DateTimeField(auto_now_add=True)
    last_fired_at = models.DateTimeField(
        null=True, blank=True, help_text="When its schedule last ran its dialog here."
    )

    class Meta:
        ordering = ["conversation", "-priority", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "bot"], name="bots_conversation_bot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.bot} (priority {self.priority})"


class HandoffKind(models.TextChoices):
    DELEGATE = "delegate", "DELEGATE TO"
    TRANSFER = "transfer", "TRANSFER CONVERSATION TO"


class ConversationHandoff(models.Model):
    """A conversation handed from one bot to another (DELEGATE TO, TRANSFER CONVERSATION TO)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="handoffs")
    from_bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="handoffs_given")
    to_bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="handoffs_taken")
    kind = models.CharField(max_length=10, choices=HandoffKind.choices)
    run = models.ForeignKey(DialogRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "id"]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.from_bot} -> {self.to_bot} ({self.kind})"


class AgentRun(models.Model):
    """A dialog run in which another bot than the conversation's acts: an attached bot answering
    (``parent`` empty) or the child run of ``DELEGATE "task" TO BOT``."""

    run = models.OneToOneField(DialogRun, on_delete=models.CASCADE, related_name="agent")
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="agent_runs")
    parent = models.ForeignKey(
        DialogRun, on_delete=models.CASCADE, null=True, blank=True, related_name="delegated_runs"
    )

    def __str__(self) -> str:
        return f"run {self.run_id} as {self.bot}"
