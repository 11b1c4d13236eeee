"""Fixtures for the parser tests: a keyword registry of their own, independent of the apps."""

from __future__ import annotations

import pytest

from basic.registry import KeywordRegistry, KeywordSpec


def _handler(run, args):
    return None


def _spec(phrase: str, *forms: str, **options) -> KeywordSpec:
    return KeywordSpec(phrase, forms, _handler, f"{phrase} summary.", f"{phrase} example", **options)


def build_parser_registry() -> KeywordRegistry:
    """The keywords the parser tests use (shapes like the ones the apps register)."""
    registry = KeywordRegistry()
    registry.register_all(
        [
            _spec("TALK", "{message}", category="Conversation"),
            _spec("TALK TO", "{recipient}, {message}", category="Conversation"),
            _spec("PRINT", "{values:exprs}", "", category="Conversation"),
            _spec("WAIT", "{seconds}", on_resume=_handler),
            _spec(
                "HEAR",
                "{target:target} AS {kind:word}",
                "{target:target} AS {options:exprs}",
                "{target:target}",
            ),
            _spec("PUSH", "{list:target}, {value}"),
            _spec("SET BOT MEMORY", "{key}, {value}", effect=True, category="Memory"),
            _spec("GET BOT MEMORY", "{key}", category="Memory"),
            _spec("ADD SUGGESTION TOOL", "{tool} AS {label}"),
            _spec("ADD SUGGESTION", "{context} AS {text}", "{text}"),
            _spec("CLEAR SUGGESTIONS", ""),
            _spec("WAIT FOR EVENT", "{name} [TIMEOUT {seconds}]"),
            _spec("PUBLISH EVENT", "{name} [WITH {data}] [TO BOT {bot}] [TO ALL]"),
            _spec("DELEGATE", "TO {bot}", "{task} TO BOT {bot} [TIMEOUT {seconds}]"),
            _spec("SET SCHEDULE", "{when:raw}"),
            _spec("BOT", "{bot} {task}"),
            _spec("LLM", "{prompt} [WITH OPTIMIZE FOR {goal}] [WITH MAX_COST {cost}]"),
            _spec("HUMAN APPROVAL", "FROM {approver} [TIMEOUT {seconds}] [ON TIMEOUT: {action:raw}]"),
            _spec("DELAY", "{seconds}"),
            _spec("STEP", "{number}:"),
            _spec("FIND", "{table}, {filter}"),
            _spec("NOW", ""),
            _spec("ON EVENT", "{name} DO", block_end="END ON"),
            _spec("BEGIN TALK", "", block_end="END TALK", block_text=True),
            _spec("BEGIN MAIL", "{to}", block_end="END MAIL", block_text=True),
            _spec("PARALLEL", "", block_end="END PARALLEL", sections=("BRANCH",)),
            _spec("BRANCH", "{name:word}:"),
        ]
    )
    return registry


REGISTRY = build_parser_registry()


@pytest.fixture
def kw_registry() -> KeywordRegistry:
    return REGISTRY
