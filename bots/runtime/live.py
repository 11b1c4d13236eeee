"""Telling open chat pages that a conversation changed (new messages, new chips, a new wait).

The database is the truth: the group message is only a nudge, sent after the transaction that
stored the replies has committed. Each web chat consumer then reads the messages it has not sent
yet, so a nudge that arrives twice or late never duplicates or reorders a message. Nudges go
through :mod:`gbproject.nudges` (one background sender per process, merging queued nudges), so
a turn does not pay for a channel-layer connection.
"""

from __future__ import annotations

from gbproject import nudges

CHAT_UPDATE = "chat.update"


def chat_group(conversation_id: int) -> str:
    """The channel-layer group of the pages showing one conversation."""
    return f"chat.{conversation_id}"


def conversation_changed(*, conversation_id: int) -> None:
    """Nudge the conversation's open pages once the current transaction commits."""
    nudges.nudge(chat_group(conversation_id), {"type": CHAT_UPDATE})
