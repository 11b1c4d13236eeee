"""Script errors met in a conversation: kept for the author, answered politely to the user.

The author reads ``FILE:LINE:COL: message`` on the conversation in the admin; the user only
gets :data:`APOLOGY`, and the conversation stays usable.
"""

from __future__ import annotations

from basic.errors import BasicError
from bots.models import Conversation, ConversationError, DialogRun, Message, Role

APOLOGY = "Sorry, something went wrong on my side. Please try again."


def script_error_record(
    *,
    conversation: Conversation,
    err: BasicError,
    message: Message | None = None,
    run: DialogRun | None = None,
) -> ConversationError:
    """Keep the author's error on the conversation."""
    return ConversationError.objects.create(
        conversation=conversation,
        run=run,
        message=message,
        file=err.file or (run.script if run is not None else ""),
        line=err.line,
        column=err.column,
        text=err.message,
    )


def script_error_answer(*, conversation: Conversation, message: Message | None, err: BasicError) -> None:
    """Keep the author's error and answer the user's message with the apology."""
    record = script_error_record(conversation=conversation, err=err, message=message)
    Message.objects.create(
        conversation=conversation,
        role=Role.BOT,
        content=APOLOGY,
        kind="error",
        reply_to=message,
        source={"runtime": "script-error", "error": record.pk},
    )
