"""The compiler's intermediate form: statements whose expressions can no longer suspend.

Lowering (:mod:`basic.compiler.lower`) hoists every call that may stop the run (a keyword used
as a value, a user FUNCTION, another script) out of expressions into its own statement that
stores the result in a hidden temporary (``#t1``). What is left in expressions is pure, so the
code generator may emit it as plain Python anywhere. Hidden names start with ``#``, which no
BASIC identifier can, so they never clash with an author's variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from basic import nodes as n


@dataclass(slots=True)
class SAssign:
    """``target = value``. ``copy`` is set when the value may alias another variable's list/map."""

    line: int
    column: int
    target: n.Name | n.Member | n.Index
    value: n.Expr
    copy: bool = False


@dataclass(slots=True)
class SEval:
    """A pure expression run for its effect (a built-in call, ``list.PUSH(x)``)."""

    line: int
    column: int
    expr: n.Expr


@dataclass(slots=True)
class SKeyword:
    """A keyword spec call; ``site`` indexes the script's site table. ``target`` receives the
    keyword's value when the source used it as one (``x = LLM "..."``)."""

    line: int
    column: int
    site: int
    args: dict[str, Any]
    target: str | None = None


@dataclass(slots=True)
class SCall:
    """A call of a user SUB/FUNCTION (``external=False``) or of another script's ``.bas``."""

    line: int
    column: int
    name: str
    args: list[n.Expr]
    target: str | None
    external: bool


@dataclass(slots=True)
class SIf:
    line: int
    column: int
    branches: list[tuple[n.Expr, list]]
    else_body: list | None


@dataclass(slots=True)
class SLoop:
    """Every loop form, after its set-up was lowered into assignments before it.

    ``kind``: ``"while"`` (WHILE and DO; ``pre`` is re-run before each test of ``cond``;
    ``cond`` None loops until EXIT), ``"for"`` (``var`` with the hidden end and step names) or
    ``"each"`` (``var`` with the hidden list and position names). ``exit_kind`` is what EXIT
    names this loop: FOR, WHILE or DO.
    """

    line: int
    column: int
    kind: str
    exit_kind: str
    body: list
    pre: list = field(default_factory=list)
    cond: n.Expr | None = None
    until: bool = False
    test_first: bool = True
    var: str = ""
    hidden: tuple[str, str] = ("", "")


@dataclass(slots=True)
class SExit:
    line: int
    column: int
    kind: str


@dataclass(slots=True)
class SReturn:
    line: int
    column: int
    value: n.Expr | None


@dataclass(slots=True)
class SLabel:
    line: int
    column: int
    name: str


@dataclass(slots=True)
class SGoto:
    line: int
    column: int
    label: str


@dataclass(slots=True)
class SOnError:
    line: int
    column: int
    mode: str
    label: str | None


@dataclass(slots=True)
class SEnsureMap:
    """Start of a WITH block: the target becomes an empty map if it was empty."""

    line: int
    column: int
    target: n.Name | n.Member | n.Index


Stmt = (SAssign | SEval | SKeyword | SCall | SIf | SLoop | SExit | SReturn | SLabel | SGoto | SOnError
        | SEnsureMap)
