"""Every model call, for the author (admin) and for the router's performance figures later."""

from __future__ import annotations

from django.db import models


class LLMCall(models.Model):
    """One chat completion: who asked, which model, routing options asked for, outcome, cost."""

    class Status(models.TextChoices):
        OK = "ok", "ok"
        FAILED = "failed", "failed"

    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, related_name="llm_calls")
    conversation = models.ForeignKey(
        "bots.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="llm_calls"
    )
    purpose = models.CharField(max_length=20, help_text="keyword (LLM) or chat (the conversation loop).")
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=200)
    route = models.JSONField(
        default=dict, blank=True, help_text="WITH OPTIMIZE FOR / MAX_COST / MAX_LATENCY."
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    tool_calls = models.JSONField(default=list, blank=True, help_text="Names of the tools the model called.")
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "LLM call"

    def __str__(self) -> str:
        return f"{self.model} ({self.purpose}, {self.status})"
