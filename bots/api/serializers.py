"""Output shapes of the bots API."""

from rest_framework import serializers

from bots.models import Bot, BotConfig


class BotConfigSerializer(serializers.ModelSerializer):
    class Meta:
        model = BotConfig
        fields = ["key", "value"]


class BotListSerializer(serializers.ModelSerializer):
    config_count = serializers.IntegerField(read_only=True)
    conversation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Bot
        fields = [
            "name",
            "description",
            "active",
            "source_path",
            "config_count",
            "conversation_count",
            "created_at",
            "updated_at",
        ]


class BotDetailSerializer(BotListSerializer):
    config = BotConfigSerializer(many=True, read_only=True)

    class Meta(BotListSerializer.Meta):
        fields = [*BotListSerializer.Meta.fields, "config"]
