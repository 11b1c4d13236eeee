"""The abstract syntax tree of a BASIC script.

The parser builds these nodes and the compiler consumes them; nothing else depends on their
shape. Every node carries the line and column (1-based) where it starts, so every error can
name its position. Identifiers are stored lower-cased: BASIC names are case-insensitive.
Keyword statements are not separate node types: they are :class:`KeywordCall` nodes naming a
spec of the keyword registry, so adding a keyword never touches this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Node:
    line: int
    column: int


# --- expressions -------------------------------------------------------------------------


@dataclass(slots=True)
class Literal(Node):
    """A string, integer, float, boolean or empty (None) constant."""

    value: str | int | float | bool | None


@dataclass(slots=True)
class ArrayLiteral(Node):
    items: list[Expr]


@dataclass(slots=True)
class MapLiteral(Node):
    """``#{ key: v }``, ``{ "key": v }``, ``{}`` and ``NEW OBJECT`` (no entries)."""

    entries: list[tuple[str, Expr]]


@dataclass(slots=True)
class Name(Node):
    name: str


@dataclass(slots=True)
class Member(Node):
    """``obj.field``; ``obj`` is None for ``.field`` inside a WITH block."""

    obj: Expr | None
    name: str


@dataclass(slots=True)
class Index(Node):
    obj: Expr
    index: Expr


@dataclass(slots=True)
class Call(Node):
    """``NAME(args)``: a built-in function or a user FUNCTION/SUB (name lower-cased)."""

    name: str
    args: list[Expr]


@dataclass(slots=True)
class MethodCall(Node):
    """``obj.NAME(args)``, e.g. ``list.PUSH(x)``, which may change ``obj`` in place."""

    obj: Expr
    name: str
    args: list[Expr]


@dataclass(slots=True)
class Unary(Node):
    op: str  # "-", "+", "NOT"
    operand: Expr


@dataclass(slots=True)
class Binary(Node):
    """Operators, spelt canonically.

    Arithmetic ``+ - * / \\ MOD ^``; concatenation ``&``; comparison ``= <> < > <= >=``
    (``==`` is stored as ``=`` and ``!=`` as ``<>``); logic ``AND OR``; ``LIKE``, ``IN``,
    ``NOT IN``.
    """

    op: str
    left: Expr
    right: Expr


@dataclass(slots=True)
class Interpolated(Node):
    """Text with ``${expr}`` holes (BEGIN TALK / BEGIN MAIL / BEGIN SYSTEM PROMPT bodies)."""

    parts: list[str | Expr]


@dataclass(slots=True)
class KeywordCall(Node):
    """A use of a registry keyword, as a statement or as a value (``x = BOT "a" "task"``).

    ``phrase`` is the spec's canonical phrase (``"SET BOT MEMORY"``). ``args`` maps the spec's
    slot names to what the source gave: an expression for an expression slot, a list of
    expressions for a list slot, a plain string for a word/raw/target slot, ``True`` for a
    flag clause that was present; slots that were not given are absent.
    """

    phrase: str
    args: dict[str, Any]
    form: int = 0  # which of the spec's syntax forms matched


Expr = (
    Literal | ArrayLiteral | MapLiteral | Name | Member | Index | Call | MethodCall | Unary |
    Binary | Interpolated | KeywordCall
)


# --- statements --------------------------------------------------------------------------


@dataclass(slots=True)
class Assign(Node):
    target: Name | Member | Index
    value: Expr


@dataclass(slots=True)
class Command(Node):
    """A keyword used as a statement."""

    call: KeywordCall


@dataclass(slots=True)
class ExprStatement(Node):
    """A bare call used as a statement: ``CALL name(args)``, ``name(args)``, ``list.PUSH(x)``."""

    expr: Call | MethodCall


@dataclass(slots=True)
class If(Node):
    """IF/ELSEIF/ELSE IF/ELSE, block or one-line form."""

    branches: list[tuple[Expr, list[Stmt]]]
    else_body: list[Stmt] | None


@dataclass(slots=True)
class CaseRange(Node):
    """``CASE low TO high``."""

    low: Expr
    high: Expr


@dataclass(slots=True)
class CaseIs(Node):
    """``CASE IS > x``."""

    op: str
    value: Expr


@dataclass(slots=True)
class Case(Node):
    values: list[Expr | CaseRange | CaseIs]
    body: list[Stmt]


@dataclass(slots=True)
class Select(Node):
    """SELECT CASE ... END SELECT and SWITCH ... END SWITCH (values compared as values)."""

    subject: Expr
    cases: list[Case]
    else_body: list[Stmt] | None


@dataclass(slots=True)
class ForEach(Node):
    var: str
    iterable: Expr
    body: list[Stmt]


@dataclass(slots=True)
class ForRange(Node):
    var: str
    start: Expr
    end: Expr
    step: Expr | None
    body: list[Stmt]


@dataclass(slots=True)
class While(Node):
    """WHILE ... WEND."""

    cond: Expr
    body: list[Stmt]


@dataclass(slots=True)
class DoLoop(Node):
    """DO [WHILE|UNTIL c] ... LOOP [WHILE|UNTIL c]; ``cond`` None means loop until EXIT DO."""

    cond: Expr | None
    until: bool
    test_first: bool
    body: list[Stmt]


@dataclass(slots=True)
class Exit(Node):
    kind: str  # "FOR", "DO", "WHILE", "SUB", "FUNCTION"


@dataclass(slots=True)
class Return(Node):
    value: Expr | None


@dataclass(slots=True)
class Label(Node):
    name: str


@dataclass(slots=True)
class Goto(Node):
    label: str


@dataclass(slots=True)
class OnError(Node):
    """ON ERROR RESUME NEXT (``mode="resume"``), ON ERROR GOTO label (``"goto"``),
    ON ERROR GOTO 0 (``"off"``)."""

    mode: str
    label: str | None = None


@dataclass(slots=True)
class With(Node):
    """WITH obj ... END WITH: each ``field = expr`` (or ``.field = expr``) sets ``obj.field``;
    ``obj`` becomes a map if it was empty."""

    target: Name | Member | Index
    fields: list[tuple[str, Expr]]


@dataclass(slots=True)
class KeywordBlock(Node):
    """A keyword that owns a body of statements (``ON EVENT "x" DO ... END ON``,
    ``ORCHESTRATE WORKFLOW "n" ... END WORKFLOW``). ``sections`` holds labelled sub-bodies
    the spec declares (``BRANCH A:`` inside PARALLEL), in source order."""

    call: KeywordCall
    body: list[Stmt]
    sections: list[tuple[KeywordCall, list[Stmt]]] = field(default_factory=list)


@dataclass(slots=True)
class Procedure(Node):
    """SUB or FUNCTION definition."""

    kind: str  # "SUB" or "FUNCTION"
    name: str
    params: list[str]
    body: list[Stmt]


Stmt = (
    Assign | Command | ExprStatement | If | Select | ForEach | ForRange | While | DoLoop | Exit |
    Return | Label | Goto | OnError | With | KeywordBlock
)


# --- the script --------------------------------------------------------------------------


@dataclass(slots=True)
class Param(Node):
    """``PARAM name AS type [LIKE "example"] [ENUM [..]] DESCRIPTION "text"``."""

    name: str
    type: str
    description: str = ""
    example: str | None = None
    enum: list[str] | None = None


@dataclass(slots=True)
class Program(Node):
    """A parsed script: its top-level statements, procedures and tool header."""

    file: str
    body: list[Stmt]
    procedures: dict[str, Procedure]
    params: list[Param]
    description: str | None


def keyword_calls(node: Any) -> Iterator[KeywordCall]:
    """Every keyword use under ``node`` (a node or a list of them: statements, values, block
    bodies and sections), in tree order."""
    if isinstance(node, KeywordCall):
        yield node
        for value in node.args.values():
            yield from keyword_calls(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from keyword_calls(item)
    elif isinstance(node, Node) and not isinstance(node, Literal | Name):  # those hold none
        for spec in dataclasses.fields(node):
            yield from keyword_calls(getattr(node, spec.name))
