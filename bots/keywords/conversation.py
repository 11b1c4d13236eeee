"""Conversation keywords: SET CONTEXT, BEGIN SYSTEM PROMPT, suggestions and switchers.

They change the conversation's state through :mod:`bots.runtime.services`; suggestions and
switchers reach the user with the replies once start.bas (or the running dialog) has finished.
"""

from __future__ import annotations

from typing import Any

from basic import values
from basic.registry import KeywordSpec
from bots.keywords.common import conversation_of, text_arg
from bots.runtime import services


def _set_context(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "SET CONTEXT")
    if "name" in args:
        name = text_arg(args, "name", "SET CONTEXT", "a context name before AS")
    else:
        name = "default"
    services.conversation_context_set(conversation=conversation, name=name, text=values.to_text(args["text"]))


def _system_prompt(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "BEGIN SYSTEM PROMPT")
    services.conversation_system_prompt_set(
        conversation=conversation, text=values.to_text(args.get("body")).strip()
    )


def _add_suggestion(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "ADD SUGGESTION")
    if "tool" in args:
        tool = text_arg(args, "tool", "ADD SUGGESTION TOOL", "a tool name")
        label = values.to_text(args["label"]) or tool
        suggestion = {"kind": "tool", "tool": tool, "label": label, "text": label}
    elif "value" in args:
        value = values.to_text(args["value"])
        suggestion = {"kind": "text", "text": value, "label": values.to_text(args["label"]) or value}
    elif "context" in args:
        text = text_arg(args, "text", "ADD SUGGESTION", "a text after AS")
        suggestion = {
            "kind": "context",
            "context": values.to_text(args["context"]),
            "text": text,
            "label": text,
        }
    else:
        text = text_arg(args, "text", "ADD SUGGESTION", "a text")
        suggestion = {"kind": "text", "text": text, "label": text}
    services.conversation_suggestion_add(conversation=conversation, suggestion=suggestion)


def _clear_suggestions(run: Any, args: dict) -> None:
    services.conversation_suggestions_clear(conversation=conversation_of(run, "CLEAR SUGGESTIONS"))


def _add_switcher(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "ADD SWITCHER")
    switcher_id = text_arg(args, "id", "ADD SWITCHER", "an id")
    label = values.to_text(args.get("label")) or switcher_id
    services.conversation_switcher_add(conversation=conversation, switcher_id=switcher_id, label=label)


def _clear_switchers(run: Any, args: dict) -> None:
    services.conversation_switchers_clear(conversation=conversation_of(run, "CLEAR SWITCHERS"))


CONVERSATION_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "SET CONTEXT",
        ("{name} AS {text}", "{text}"),
        _set_context,
        effect=True,
        summary="Give the LLM a named piece of context for the rest of the conversation; setting "
        "the same name again replaces it.",
        example='SET CONTEXT "store" AS "We open 9am-6pm, Monday to Saturday."',
        category="Conversation",
    ),
    KeywordSpec(
        "BEGIN SYSTEM PROMPT",
        ("",),
        _system_prompt,
        block_end="END SYSTEM PROMPT",
        block_text=True,
        effect=True,
        summary="Set the conversation's system prompt to the lines up to END SYSTEM PROMPT, with "
        "`${expr}` holes filled in.",
        example="BEGIN SYSTEM PROMPT\nYou are the assistant of ${store}. Answer briefly.\nEND SYSTEM PROMPT",
        category="Conversation",
    ),
    KeywordSpec(
        "ADD SUGGESTION",
        ("TOOL {tool} AS {label}", "TEXT {value} AS {label}", "{context} AS {text}", "{text}"),
        _add_suggestion,
        effect=True,
        summary="Offer a quick-reply chip, shown after the dialog finishes: a text to send, a text "
        'with a context (`"ctx" AS "text"`), `TEXT "value" AS "label"`, or `TOOL "tool" AS '
        '"label"` to run a tool directly.',
        example='ADD SUGGESTION "Opening hours"\nADD SUGGESTION TOOL "book" AS "Book a table"',
        category="Conversation",
    ),
    KeywordSpec(
        "CLEAR SUGGESTIONS",
        ("",),
        _clear_suggestions,
        effect=True,
        summary="Remove every suggestion chip of the conversation.",
        example="CLEAR SUGGESTIONS",
        category="Conversation",
    ),
    KeywordSpec(
        "ADD SWITCHER",
        ("{id} AS {label}", "{id}"),
        _add_switcher,
        effect=True,
        summary="Offer a toggle or tab in the chat UI, identified by its id; the same id again "
        "changes its label.",
        example='ADD SWITCHER "formal" AS "Formal answers"',
        category="Conversation",
    ),
    KeywordSpec(
        "CLEAR SWITCHERS",
        ("",),
        _clear_switchers,
        effect=True,
        summary="Remove every switcher of the conversation.",
        example="CLEAR SWITCHERS",
        category="Conversation",
    ),
)
