"""Admin for bots, their config, conversations with messages, and memories."""

from django.contrib import admin

from bots.models import Bot, BotConfig, BotMemory, Conversation, Message, UserMemory


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
    fields = ["role", "content", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "bot", "user", "user_key", "channel", "started_at", "updated_at"]
    list_filter = ["channel", "bot"]
    search_fields = ["bot__name", "user__username", "user_key", "messages__content"]
    list_select_related = ["bot", "user"]
    raw_id_fields = ["user"]
    readonly_fields = ["started_at", "updated_at"]
    date_hierarchy = "started_at"
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "role", "short_content", "created_at"]
    list_filter = ["role", "conversation__channel", "conversation__bot"]
    search_fields = ["content", "conversation__bot__name", "conversation__user_key"]
    list_select_related = ["conversation__bot", "conversation__user"]
    raw_id_fields = ["conversation"]

    @admin.display(description="content")
    def short_content(self, obj: Message) -> str:
        return obj.content[:80]


@admin.register(BotMemory)
class BotMemoryAdmin(admin.ModelAdmin):
    list_display = ["bot", "key", "value", "updated_at"]
    list_filter = ["bot"]
    search_fields = ["key", "bot__name"]
    list_select_related = ["bot"]


@admin.register(UserMemory)
class UserMemoryAdmin(admin.ModelAdmin):
    list_display = ["bot", "user", "user_key", "key", "value", "updated_at"]
    list_filter = ["bot"]
    search_fields = ["key", "user_key", "user__username", "bot__name"]
    list_select_related = ["bot", "user"]
    raw_id_fields = ["user"]
