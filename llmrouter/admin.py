from django.contrib import admin

from llmrouter.models import LLMCall


@admin.register(LLMCall)
class LLMCallAdmin(admin.ModelAdmin):
    """Every model call: what the author checks when a bot answers badly or slowly."""

    list_display = [
        "created_at",
        "bot",
        "conversation",
        "purpose",
        "model",
        "status",
        "latency_ms",
        "tool_calls",
    ]
    list_filter = ["status", "purpose", "bot"]
    search_fields = ["model", "error", "bot__name"]
    list_select_related = ["bot"]
    raw_id_fields = ["conversation"]
    readonly_fields = [field.name for field in LLMCall._meta.fields]
