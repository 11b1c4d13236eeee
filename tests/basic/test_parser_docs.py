"""The language reference renders the registry and the built-ins, deterministically."""

from __future__ import annotations

from dataclasses import dataclass

from basic.docs import render_language_reference


@dataclass
class Fn:
    name: str
    aliases: tuple[str, ...]
    signature: str
    summary: str
    example: str
    category: str


BUILTINS = {
    "LEN": Fn("LEN", (), "LEN(text)", "Number of characters.", 'LEN("abc")', "String"),
    "UCASE": Fn("UCASE", ("UPPER",), "UCASE(text)", "Upper case.", 'UCASE("a")', "String"),
    "UPPER": Fn("UCASE", ("UPPER",), "UCASE(text)", "Upper case.", 'UCASE("a")', "String"),
    "ABS": Fn("ABS", (), "ABS(x)", "Absolute | value.", "ABS(-1)", "Math"),
}


def test_reference_contents(kw_registry):
    text = render_language_reference(kw_registry, BUILTINS)
    assert text.startswith("# General Bots BASIC language reference")
    assert "| `OR` | either is true |" in text
    assert "#### HEAR" in text and "- `HEAR target AS kind`" in text
    assert "- `PUBLISH EVENT name [WITH data] [TO BOT bot] [TO ALL]`" in text
    assert "- opens a text block closed by `END TALK`" in text
    assert "- inside it, `BRANCH` starts a section" in text
    assert "journaled" in text.split("#### SET BOT MEMORY")[1].split("####")[0]
    assert "may pause" in text.split("#### WAIT\n")[1].split("####")[0]
    assert text.index("### Conversation") < text.index("### Memory")
    assert text.count("`UCASE(text)`") == 1 and "| UPPER |" in text
    assert "Absolute \\| value." in text
    assert text.index("### Math") < text.index("### String")


def test_reference_is_deterministic(kw_registry):
    assert render_language_reference(kw_registry, BUILTINS) == render_language_reference(
        kw_registry, dict(reversed(list(BUILTINS.items())))
    )


def test_real_builtins_render():
    from basic.builtins import BUILTINS as REAL
    from basic.keywords import CORE_SPECS
    from basic.registry import KeywordRegistry

    registry = KeywordRegistry()
    registry.register_all(CORE_SPECS)
    text = render_language_reference(registry, REAL)
    assert "#### TALK" in text and "## Built-in functions" in text
