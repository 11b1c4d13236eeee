"""The open blocks of the nesting pass (IF, FOR, SUB, keyword blocks...) and their names."""

from __future__ import annotations

from typing import Any

from .tables import Keyword

_TITLES = {"if": "IF", "for": "FOR", "foreach": "FOR EACH", "while": "WHILE", "do": "DO", "with": "WITH"}
_CLOSERS = {
    "if": "END IF",
    "for": "NEXT",
    "foreach": "NEXT",
    "while": "WEND",
    "do": "LOOP",
    "with": "END WITH",
}


class Frame:
    __slots__ = ("kind", "line", "column", "node", "body", "spec", "labels", "gotos", "has_else")

    def __init__(
        self,
        kind: str,
        line: int,
        column: int,
        node: Any,
        body: list[Any] | None,
        spec: Keyword | str | None = None,
    ) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.node = node
        self.body = body
        self.spec = spec
        self.labels: dict[str, int] | None = None
        self.gotos: list[tuple[str, int, int]] | None = None
        self.has_else = False

    @property
    def title(self) -> str:
        if self.kind == "select":
            return "SWITCH" if self.spec == "switch" else "SELECT CASE"  # type: ignore[comparison-overlap]
        if self.kind == "proc":
            return self.node.kind
        if self.kind == "keyword":
            return self.spec.key  # type: ignore[union-attr]
        return _TITLES[self.kind]

    @property
    def closer(self) -> str:
        if self.kind == "select":
            return "END SWITCH" if self.spec == "switch" else "END SELECT"  # type: ignore[comparison-overlap]
        if self.kind == "proc":
            return f"END {self.node.kind}"
        if self.kind == "keyword":
            return self.spec.block_end  # type: ignore[union-attr]
        return _CLOSERS[self.kind]
