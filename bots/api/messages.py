"""``POST /api/bots/<name>/messages``: a user message in, the bot's replies out."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bots.models import Channel, Message
from bots.runtime import selectors
from bots.runtime.services import ConversationNotFound, Turn, message_post
from bots.selectors import bot_active


class MessageInSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=20_000, trim_whitespace=False)
    user = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The external user key (a phone number, a visitor id); omitted: the signed-in account.",
    )
    conversation = serializers.IntegerField(
        required=False, allow_null=True, help_text="Continue this conversation; omitted: start a new one."
    )


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.CharField(help_text="text, hint (asking again), error (an apology), notice.")
    source = serializers.DictField(help_text="What produced the reply: script, line and column, or runtime.")


class SuggestionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="text, context, tool or menu.")
    text = serializers.CharField(help_text="What to send when the chip is chosen.")
    label = serializers.CharField()
    context = serializers.CharField(required=False)
    tool = serializers.CharField(required=False)


class SwitcherSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()


class TurnSerializer(serializers.Serializer):
    conversation = serializers.IntegerField()
    message = serializers.IntegerField(help_text="The id of the stored user message.")
    queued = serializers.BooleanField(
        help_text="True when the message waits behind a dialog's timer; its replies come later."
    )
    replies = ReplySerializer(many=True)
    suggestions = SuggestionSerializer(many=True)
    switchers = SwitcherSerializer(many=True)
    waiting_for = serializers.DictField(
        allow_null=True,
        help_text='What the dialog waits for: {"kind": "input", "variable", "type"/"options"}.',
    )


def turn_data(turn: Turn) -> dict:
    if turn.outcome is not None:  # read by the transaction that answered the message
        run, replies = turn.outcome.waiting_run, turn.outcome.replies
    else:
        run = selectors.conversation_waiting_run(conversation=turn.conversation)
        replies = selectors.message_replies(message=turn.message)
    return {
        "conversation": turn.conversation.pk,
        "message": turn.message.pk,
        "queued": turn.message.status == "pending",
        "replies": [_reply(message) for message in replies],
        "suggestions": selectors.conversation_suggestions(conversation=turn.conversation, run=run),
        "switchers": list(turn.conversation.switchers),
        "waiting_for": selectors.run_waiting_for(run=run),
    }


def _reply(message: Message) -> dict:
    return {"id": message.pk, "text": message.content, "kind": message.kind, "source": message.source}


class BotMessagesApi(APIView):
    @extend_schema(
        operation_id="bots_messages_create",
        summary="Send a user message to a bot and get its replies",
        request=MessageInSerializer,
        responses={200: TurnSerializer},
        examples=[
            OpenApiExample(
                "first message", value={"text": "hi", "user": "whatsapp:+5511999990000"}, request_only=True
            ),
        ],
        tags=["conversations"],
    )
    def post(self, request: Request, name: str) -> Response:
        incoming = MessageInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        bot = bot_active(name=name)
        if bot is None:
            raise Http404(f"No active bot named {name!r}.")
        user_key = data.get("user") or ""
        try:
            turn = message_post(
                bot=bot,
                text=data["text"],
                channel=Channel.API,
                user_key=user_key,
                user=None if user_key else request.user,
                conversation_id=data.get("conversation"),
            )
        except ConversationNotFound as exc:
            raise Http404(str(exc)) from None
        return Response(turn_data(turn), status=status.HTTP_200_OK)
