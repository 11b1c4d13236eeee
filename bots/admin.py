"""Admin for bots, their config, conversations with messages, runs and errors, and memories."""

from django.contrib import admin

from bots import models
from bots.models import (
    Bot,
    BotConfig,
    BotMemory,
    BotSharedMemory,
    Conversation,
    ConversationError,
    DialogRun,
    JournalEntry,
    Message,
    ScriptVersion,
    UserMemory,
)


class BotConfigInline(admin.TabularInline):
    model = BotConfig
    extra = 0
    fields = ["key", "value", "line"]


@admin.register(Bot)
class BotAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "description", "source_path", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "description", "source_path"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [BotConfigInline]


@admin.register(BotConfig)
class BotConfigAdmin(admin.ModelAdmin):
    list_display = ["bot", "key", "value", "line"]
    list_filter = ["bot"]
    search_fields = ["key", "value", "bot__name"]
    list_select_related = ["bot"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["role", "content", "kind", "status", "produced_by", "created_at"]
    readonly_fields = ["produced_by", "created_at"]

    @admin.display(description="produced by")
    def produced_by(self, obj: Message) -> str:
        return produced_by(obj)


def produced_by(message: Message) -> str:
    """``start.bas:3:1`` for a script, else the runtime, tool or LLM named in the source."""
    source = message.source or {}
    if "script" in source:
        where = source["script"]
        return f"{where}:{source['line']}:{source['column']}" if "line" in source else where
    return ", ".join(f"{key}={value}" for key, value in source.items())


class ConversationErrorInline(admin.TabularInline):
    model = ConversationError
    extra = 0
    fields = ["created_at", "position", "text", "message"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description="FILE:LINE:COL")
    def position(self, obj: ConversationError) -> str:
        return f"{obj.file}:{obj.line}:{obj.column}"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DialogRunInline(admin.TabularInline):
    model = DialogRun
    extra = 0
    fields = ["script", "status", "waiting_for", "due_at", "error", "created_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "bot", "user", "user_key", "channel", "error_count", "started_at", "updated_at"]
    list_filter = ["channel", "bot"]
    search_fields = ["bot__name", "user__username", "user_key", "messages__content"]
    list_select_related = ["bot", "user"]
    raw_id_fields = ["user"]
    readonly_fields = ["started_at", "updated_at"]
    date_hierarchy = "started_at"
    inlines = [ConversationErrorInline, DialogRunInline, MessageInline]

    @admin.display(description="errors")
    def error_count(self, obj: Conversation) -> int:
        return obj.errors.count()


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "id", "conversation", "role", "kind", "status", "short_content", "produced_by", "created_at",
    ]
    list_filter = ["role", "kind", "status", "conversation__channel", "conversation__bot"]
    search_fields = ["content", "conversation__bot__name", "conversation__user_key"]
    list_select_related = ["conversation__bot", "conversation__user"]
    raw_id_fields = ["conversation", "reply_to", "run"]

    @admin.display(description="content")
    def short_content(self, obj: Message) -> str:
        return obj.content[:80]

    @admin.display(description="produced by")
    def produced_by(self, obj: Message) -> str:
        return produced_by(obj)


@admin.register(ConversationError)
class ConversationErrorAdmin(admin.ModelAdmin):
    list_display = ["created_at", "conversation", "file", "line", "column", "text"]
    list_filter = ["conversation__bot"]
    search_fields = ["file", "text", "conversation__bot__name"]
    list_select_related = ["conversation__bot"]
    raw_id_fields = ["conversation", "run", "message"]


class JournalEntryInline(admin.TabularInline):
    model = JournalEntry
    extra = 0
    fields = ["seq", "phrase", "result", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DialogRun)
class DialogRunAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "script", "status", "waiting_for", "due_at", "updated_at"]
    list_filter = ["status", "waiting_for", "conversation__bot"]
    search_fields = ["script", "conversation__bot__name", "error"]
    list_select_related = ["conversation__bot"]
    raw_id_fields = ["conversation", "script_version"]
    readonly_fields = ["version", "created_at", "updated_at", "finished_at"]
    inlines = [JournalEntryInline]


@admin.register(ScriptVersion)
class ScriptVersionAdmin(admin.ModelAdmin):
    list_display = ["hash", "created_at"]
    search_fields = ["hash", "source"]
    readonly_fields = ["hash", "source", "created_at"]


@admin.register(BotSharedMemory)
class BotSharedMemoryAdmin(admin.ModelAdmin):
    list_display = ["source_bot", "target_bot", "key", "value", "updated_at"]
    list_filter = ["source_bot", "target_bot"]
    search_fields = ["key"]
    list_select_related = ["source_bot", "target_bot"]


@admin.register(BotMemory)
class BotMemoryAdmin(admin.ModelAdmin):
    list_display = ["bot", "key", "value", "updated_at"]
    list_filter = ["bot"]
    search_fields = ["key", "bot__name"]
    list_select_related = ["bot"]


@admin.register(UserMemory)
class UserMemoryAdmin(admin.ModelAdmin):
    list_display = ["bot", "user", "user_key", "key", "value", "expires_at", "updated_at"]
    list_filter = ["bot"]
    search_fields = ["key", "user_key", "user__username", "bot__name"]
    list_select_related = ["bot", "user"]
    raw_id_fields = ["user"]


@admin.register(models.ConversationTool)
class ConversationToolAdmin(admin.ModelAdmin):
    """USE TOOL associations: which tools each conversation offers to the LLM."""

    list_display = ["conversation", "name", "script", "created_at"]
    search_fields = ["name", "conversation__bot__name"]
    raw_id_fields = ["conversation"]


@admin.register(models.ConversationKb)
class ConversationKbAdmin(admin.ModelAdmin):
    """USE KB associations of each conversation."""

    list_display = ["conversation", "name", "folder", "created_at"]
    search_fields = ["name", "conversation__bot__name"]
    raw_id_fields = ["conversation"]


class BotTableFieldInline(admin.TabularInline):
    model = models.BotTableField
    extra = 0
    can_delete = False
    fields = ["position", "name", "type", "length", "scale", "primary_key", "not_null", "unique", "default",
              "references", "active"]
    readonly_fields = fields


@admin.register(models.BotTable)
class BotTableAdmin(admin.ModelAdmin):
    """Tables declared in tables.bas (read-only: they follow the package)."""

    list_display = ["name", "bot", "db_table", "read_roles", "write_roles", "updated_at"]
    list_filter = ["bot"]
    search_fields = ["name", "bot__name"]
    readonly_fields = ["bot", "name", "db_table", "read_roles", "write_roles", "source_file", "line"]
    inlines = [BotTableFieldInline]


@admin.register(models.BotTrigger)
class BotTriggerAdmin(admin.ModelAdmin):
    """SET SCHEDULE and WEBHOOK scripts (read-only: package sync keeps them); shows webhook tokens."""

    list_display = ["bot", "kind", "script", "schedule", "cron", "endpoint", "active", "last_triggered"]
    list_filter = ["kind", "active", "bot"]
    search_fields = ["bot__name", "script", "endpoint"]
    readonly_fields = ["bot", "kind", "script", "line", "schedule", "cron", "endpoint", "token",
                       "periodic_task", "last_triggered", "created_at", "updated_at"]
    fields = readonly_fields[:8] + ["active"] + readonly_fields[8:]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.periodic_task_id:  # a paused schedule stops firing in beat too
            obj.periodic_task.enabled = obj.active
            obj.periodic_task.save()  # save(), not update(): beat watches PeriodicTasks.changed


@admin.register(models.ConversationBot)
class ConversationBotAdmin(admin.ModelAdmin):
    """Bots attached to conversations by ADD BOT (scripts manage them; editable for support)."""

    list_display = ["conversation", "bot", "priority", "active", "trigger", "joined_at"]
    list_filter = ["active", "bot"]
    search_fields = ["bot__name", "conversation__user_key"]
    raw_id_fields = ["conversation"]


@admin.register(models.ConversationHandoff)
class ConversationHandoffAdmin(admin.ModelAdmin):
    """Who handed which conversation to whom (DELEGATE TO, TRANSFER CONVERSATION TO)."""

    list_display = ["conversation", "from_bot", "to_bot", "kind", "run", "created_at"]
    list_filter = ["kind", "to_bot"]
    readonly_fields = ["conversation", "from_bot", "to_bot", "kind", "run", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(models.AgentRun)
class AgentRunAdmin(admin.ModelAdmin):
    """Dialog runs in which another bot acted (an attached bot, or a DELEGATE .. TO BOT task)."""

    list_display = ["run", "bot", "parent"]
    list_filter = ["bot"]
    readonly_fields = ["run", "bot", "parent"]

    def has_add_permission(self, request) -> bool:
        return False
