"""Bots, their config.csv rows, conversations, messages and memories."""

from __future__ import annotations

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


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=20, choices=Role.choices)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

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
