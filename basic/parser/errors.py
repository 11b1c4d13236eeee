"""Syntax errors in the author's terms: what was found, what was expected, where.

The LALR parser reports a token it has no action for, with the terminals it would have
accepted; this module turns that into a message about the statement being written (``expected
THEN after the IF condition``, ``the '(' opened here is never closed``...).
"""

from __future__ import annotations

from basic.errors import BasicSyntaxError

from .context import Context
from .lexer import Tok
from .textblocks import WORD, leading_words

_READABLE = {
    "_NL": "end of line",
    "$END": "end of file",
    "NAME": "a name",
    "INT": "a number",
    "FLOAT": "a number",
    "STRING": "a string",
    "EQ": "=",
    "CMP_OP": "a comparison",
    "COMMA": ",",
    "COLON": ":",
    "DOT": ".",
    "LPAR": "(",
    "SLPAR": "(",
    "CALL_LPAR": "(",
    "IDX_LSQB": "[",
    "RPAR": ")",
    "LSQB": "[",
    "SLSQB": "[",
    "RSQB": "]",
    "LBRACE": "{",
    "HASH_LBRACE": "#{",
    "RBRACE": "}",
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "BACKSLASH": "\\",
    "CARET": "^",
    "AMP": "&",
    "NEW_OBJECT": "NEW OBJECT",
    "PHRASE_CALL": "a keyword call",
}
_VALUE_STARTS = frozenset(
    {
        "INT",
        "FLOAT",
        "STRING",
        "NAME",
        "LPAR",
        "SLPAR",
        "LSQB",
        "SLSQB",
        "LBRACE",
        "HASH_LBRACE",
        "TRUE",
        "FALSE",
        "NEW_OBJECT",
        "PHRASE_CALL",
    }
)
_OPERATORS = frozenset(
    {"PLUS", "MINUS", "STAR", "SLASH", "BACKSLASH", "CARET", "AMP", "EQ", "CMP_OP", "MOD", "AND", "OR"}
    | {"LIKE", "IN", "NOT"}
)


def _describe_token(token: Tok) -> str:
    kind = token.type
    if kind in ("_NL", "$END"):
        return _READABLE[kind]
    value = str(token.value)
    if kind == "STRING":
        return f"the string {value if len(value) <= 30 else value[:27] + '...'}"
    if kind in ("NAME", "INT", "FLOAT"):
        return f"'{value}'"
    if value.strip() and WORD.fullmatch(value.split()[0]):
        return " ".join(value.upper().split())
    return f"'{value}'"


def _describe_expected(expected: set[str]) -> str:
    names: list[str] = []
    if expected & _VALUE_STARTS:
        names.append("a value")
    if len(expected & _OPERATORS) > 2:
        names.append("an operator")
    for kind in sorted(expected - _VALUE_STARTS - (_OPERATORS if "an operator" in names else frozenset())):
        if kind in ("WS", "COMMENT", "REM_COMMENT", "MINUS", "PLUS", "NOT") and "a value" in names:
            continue
        readable = _READABLE.get(kind, kind)
        if readable not in names:
            names.append(readable)
    if not names:
        return "something else"
    if len(names) > 6:
        names = names[:6] + ["..."]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _unclosed(ctx: Context, line: int, open_brackets: list[Tok]) -> BasicSyntaxError | None:
    """A bracket left open on an earlier line explains any error after it."""
    if open_brackets and open_brackets[-1].line < line:
        opener = open_brackets[-1]
        return ctx.error(
            f"the '{opener.value.strip()}' opened here is never closed", opener.line, opener.column
        )
    return None


def character_error(
    ctx: Context, char: str, line: int, column: int, open_brackets: list[Tok]
) -> BasicSyntaxError:
    """No token starts with ``char``."""
    unclosed = _unclosed(ctx, line, open_brackets)
    if unclosed is not None:
        return unclosed
    if char == '"':
        return ctx.error('this string has no closing " on the same line', line, column)
    return ctx.error(f"unexpected character {char!r}", line, column)


def token_error(ctx: Context, token: Tok, expected: set[str], open_brackets: list[Tok]) -> BasicSyntaxError:
    """The parser has no action for ``token``; ``expected`` are the terminals it would take."""
    line, column = max(token.line, 1), max(token.column, 1)
    unclosed = _unclosed(ctx, line, open_brackets)
    if unclosed is not None:
        return unclosed
    source_line = ctx.raw.lines[line - 1] if 0 < line <= len(ctx.raw.lines) else ""
    first = leading_words(source_line)[:2]
    if token.type == "$END":
        line, column = len(ctx.raw.lines), 1
    got = _describe_token(token)
    if "THEN" in expected and (first[:1] in (["IF"], ["ELSEIF"]) or first == ["ELSE", "IF"]):
        return ctx.error(f"expected THEN after the IF condition, found {got}", line, column)
    if first[:1] == ["FOR"] and "TO" in expected:
        return ctx.error(f"expected TO after the FOR start value, found {got}", line, column)
    if first[:1] == ["FOR"] and "EQ" in expected:
        return ctx.error(f"expected = after the FOR variable (FOR i = 1 TO 10), found {got}", line, column)
    if first[:2] == ["FOR", "EACH"] and "IN" in expected:
        return ctx.error(f"expected IN after the FOR EACH variable, found {got}", line, column)
    if first[:1] == ["EXIT"]:
        return ctx.error("EXIT must be followed by FOR, DO, WHILE, SUB or FUNCTION", line, column)
    if first == ["SELECT"] and "CASE" in expected:
        return ctx.error("expected SELECT CASE value", line, column)
    if token.type == "_NL":
        return ctx.error(f"the line ends too early: expected {_describe_expected(expected)}", line, column)
    return ctx.error(f"unexpected {got}: expected {_describe_expected(expected)}", line, column)
