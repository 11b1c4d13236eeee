"""Keyword statements: their pieces, which registered phrase they start with, which form fits.

The grammar reads a keyword statement generically (a head word and *pieces*); the phrase is
found here, longest first, and :func:`basic.syntax.match_forms` decides the form, so a new
keyword is a registry entry, never a grammar change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from basic import nodes as n
from basic.errors import BasicSyntaxError
from basic.syntax import Match, Piece, RawText, match_forms, target_path

from .context import Context
from .lexer import Tok
from .tables import Keyword
from .textblocks import WORD


def to_piece(item: Any, raw: RawText) -> Piece:
    """One statement item (a clause-word token or an expression) as a :class:`Piece`."""
    if isinstance(item, Tok):
        kind = item.type
        if kind == "COMMA":
            return Piece("comma", None, None, ",", item.line, item.column)
        if kind == "COLON":
            return Piece("colon", None, None, ":", item.line, item.column)
        return Piece("word", None, item.value.upper(), item.value, item.line, item.column)
    if isinstance(item, n.Name):
        text = raw.lines[item.line - 1][item.column - 1 : item.column - 1 + len(item.name)]
        if text.lower() != item.name:
            text = item.name
        return Piece("expr", item, text.upper(), text, item.line, item.column)
    return Piece("expr", item, None, "", item.line, item.column)


def args_to_pieces(args: list[Any], raw: RawText) -> list[Piece]:
    pieces: list[Piece] = []
    for position, arg in enumerate(args):
        if position:
            pieces.append(Piece("comma", None, None, ",", arg.line, arg.column))
        pieces.append(to_piece(arg, raw))
    return pieces


def piece_text(item: Piece) -> str:
    """A piece as shown in an error message."""
    if item.kind == "comma":
        return "','"
    if item.kind == "colon":
        return "':'"
    if item.word is not None:
        return item.text
    node = item.node
    if isinstance(node, n.Literal):
        return repr(node.value) if isinstance(node.value, str) else str(node.value)
    return "an expression"


def no_form(
    ctx: Context, keyword: Keyword, line: int, column: int, pieces: list[Piece] | None = None
) -> BasicSyntaxError:
    """None of the keyword's forms fits: list them (and say what a target is, when a field or
    element that cannot be one was given)."""
    message = f"{keyword.key} expects: {ctx.tables.describe_forms(keyword)}"
    first = pieces[0].node if pieces else None
    if keyword.has_target and isinstance(first, (n.Member, n.Index)) and target_path(first) is None:
        message += (
            "; the place to store into must be a variable, a field or an element with a constant "
            "index (x, order.qty, items[2])"
        )
    return ctx.error(message, line, column)


def fits_args(ctx: Context, keyword: Keyword, args: list[Any]) -> bool:
    """Whether ``PHRASE(args)`` fits one of the keyword's forms."""
    match = match_forms(keyword.forms, args_to_pieces(args, ctx.raw), ctx.raw)
    return match is not None and not match.rest


def keyword_from_args(
    ctx: Context, keyword: Keyword, args: list[Any], line: int, column: int
) -> n.KeywordCall:
    """``PHRASE(a, b)`` used as a value: the arguments are matched like ``PHRASE a, b``."""
    match = match_forms(keyword.forms, args_to_pieces(args, ctx.raw), ctx.raw)
    if match is None or match.rest:
        raise no_form(ctx, keyword, line, column)
    return n.KeywordCall(line, column, keyword.key, match.args, match.form_index)


@dataclass(slots=True)
class Resolved:
    """A keyword statement whose form matched; kept open for continuation lines."""

    keyword: Keyword
    pieces: list[Piece]  # what followed the phrase, kept so continuation lines can be added
    match: Match
    line: int
    column: int

    def call(self) -> n.KeywordCall:
        return n.KeywordCall(self.line, self.column, self.keyword.key, self.match.args, self.match.form_index)


def find_keyword(ctx: Context, pieces: list[Piece]) -> tuple[Keyword, list[Piece]] | None:
    """The longest registered phrase at the start of ``pieces`` and the pieces after it."""
    tables = ctx.tables
    words: list[str] = []
    for item in pieces[: tables.max_words]:
        if item.word is None:
            break
        words.append(item.word)
    count = len(words)
    if count < len(pieces) and count < tables.max_words:
        follower = pieces[count].node
        if isinstance(follower, n.Call) and WORD.fullmatch(follower.name):
            keyword = tables.keyword_for_words(words + [follower.name.upper()])
            if keyword is not None:
                return keyword, args_to_pieces(follower.args, ctx.raw) + pieces[count + 1 :]
    for size in range(count, 0, -1):
        keyword = tables.keyword_for_words(words[:size])
        if keyword is not None:
            return keyword, pieces[size:]
    return None


def unknown_keyword(ctx: Context, pieces: list[Piece]) -> BasicSyntaxError:
    """No phrase fits: name the closest known one."""
    first = pieces[0]
    words = [item.word for item in pieces[: ctx.tables.max_words] if item.word is not None]
    suggestion = None
    for size in range(len(words), 0, -1):
        suggestion = ctx.tables.registry.closest(" ".join(words[:size]))
        if suggestion:
            break
    name = first.word or first.text
    message = f"unknown keyword {name}"
    if suggestion:
        message += f": did you mean {suggestion}?"
    else:
        message += ": expected a keyword, an assignment (name = value) or a call (name(...))"
    return ctx.error(message, first.line, first.column)
