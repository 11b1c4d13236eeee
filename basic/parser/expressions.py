"""Expression nodes, built while the LALR parser reduces (no parse tree is kept).

An expression is read flat by the grammar (prefixes, operands and binary operators in a row) and
:func:`climb` applies the precedence documented in ``grammar.lark``: a chain of one rule per
precedence level would cost a dozen reductions for every operand.
"""

from __future__ import annotations

from typing import Any

from basic import nodes as n

from .context import Context
from .keywords import keyword_from_args
from .lexer import Tok

CANONICAL_OP = {"==": "=", "!=": "<>"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unescape(body: str) -> str:
    """The text of a string literal's body: ``\\n``, ``\\t``, ``\\r``, ``\\"`` and ``\\\\``."""
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            mapped = _ESCAPES.get(body[index + 1])
            if mapped is not None:
                out.append(mapped)
                index += 2
                continue
        out.append(char)
        index += 1
    return "".join(out)


def first_list(children: list[Any]) -> list[Any]:
    for child in children:
        if isinstance(child, list):
            return child
    return []


def token_literal(token: Tok) -> n.Literal:
    kind = token.type
    if kind == "STRING":
        value: Any = unescape(token.value[1:-1])
    elif kind == "INT":
        value = int(token.value)
    elif kind == "FLOAT":
        value = float(token.value)
    else:
        value = token.value.upper() == "TRUE"
    return n.Literal(token.line, token.column, value)


# Binding power of each binary operator (higher binds tighter), see grammar.lark.
_BINARY_POWER = {
    "OR": 1,
    "AND": 2,
    "EQ": 4,
    "CMP_OP": 4,
    "LIKE": 4,
    "IN": 4,
    "NOT": 4,
    "AMP": 5,
    "PLUS": 6,
    "MINUS": 6,
    "MOD": 7,
    "BACKSLASH": 7,
    "STAR": 8,
    "SLASH": 8,
    "CARET": 10,
}
_PREFIX_POWER = {"NOT": 3, "MINUS": 9, "PLUS": 9}


def climb(items: list[Any]) -> Any:
    """Apply operator precedence to a flat run of prefixes, operands and binary operators."""
    if len(items) == 1 and items[0].__class__ is not Tok:
        return items[0]
    return _operand(items, 0, 0)[0]


def _operand(items: list[Any], position: int, min_power: int) -> tuple[Any, int]:
    """The operand at ``position`` with the operators binding tighter than ``min_power``, and
    the position after it. (A module-level function, not a closure: a recursive inner function
    is a reference cycle, which would leave every expression's items for the cyclic collector.)"""
    item = items[position]
    position += 1
    if item.__class__ is Tok:
        inner, position = _operand(items, position, _PREFIX_POWER[item.type])
        text = item.value.upper()
        if text == "-" and isinstance(inner, n.Literal) and type(inner.value) in (int, float):
            left: Any = n.Literal(item.line, item.column, -inner.value)
        else:
            left = n.Unary(item.line, item.column, text, inner)
    else:
        left = item
    count = len(items)
    while position < count:
        op = items[position]
        kind = op.type
        power = _BINARY_POWER[kind]
        if power <= min_power:
            break
        position += 1
        if kind == "NOT":  # NOT IN
            position += 1
            text = "NOT IN"
        elif kind == "CMP_OP" or kind == "EQ" or not op.value.isalpha():
            text = CANONICAL_OP.get(op.value, op.value)
        else:
            text = op.value.upper()
        right, position = _operand(items, position, power)
        left = n.Binary(left.line, left.column, text, left, right)
    return left, position


class ExpressionBuilder:
    """Callbacks of the expression rules (named as the grammar's rules and aliases)."""

    ctx: Context | None = None

    def int_lit(self, c):
        token = c[0]
        return n.Literal(token.line, token.column, int(token.value))

    def string_lit(self, c):
        token = c[0]
        return n.Literal(token.line, token.column, unescape(token.value[1:-1]))

    def float_lit(self, c):
        token = c[0]
        return n.Literal(token.line, token.column, float(token.value))

    def true_lit(self, c):
        return n.Literal(c[0].line, c[0].column, True)

    def false_lit(self, c):
        return n.Literal(c[0].line, c[0].column, False)

    def new_object(self, c):
        return n.MapLiteral(c[0].line, c[0].column, [])

    def name(self, c):
        token = c[0]
        return n.Name(token.line, token.column, token.value.lower())

    def call(self, c):
        token = c[0]
        name = token.value  # one word (a NAME): its keyword is looked up as is
        ctx = self.ctx
        assert ctx is not None
        keyword = ctx.tables.lookup.get(name.upper())
        if keyword is None or keyword.value_builtin:
            return n.Call(token.line, token.column, name.lower(), first_list(c))
        return keyword_from_args(ctx, keyword, first_list(c), token.line, token.column)

    def phrase_call(self, c):
        token = c[0]
        return self._call(token.value, token.line, token.column, first_list(c))

    def _call(self, name: str, line: int, column: int, args: list[Any]) -> Any:
        ctx = self.ctx
        assert ctx is not None
        words = name.upper().split()
        keyword = ctx.tables.keyword_for_words(words)
        if keyword is None or keyword.value_builtin:
            return n.Call(line, column, name.lower(), args)
        return keyword_from_args(ctx, keyword, args, line, column)

    def group(self, c):
        return c[1]

    def array(self, c):
        return n.ArrayLiteral(c[0].line, c[0].column, first_list(c))

    def items(self, c):
        if len(c) == 1:
            return [c[0]]
        c[0].append(c[2])
        return c[0]

    entries = items

    def args(self, c):
        return [child for child in c if not isinstance(child, Tok)]

    def entry(self, c):
        key = c[0]
        text = unescape(key.value[1:-1]) if key.type == "STRING" else key.value.lower()
        return (text, c[2])

    def map(self, c):
        return n.MapLiteral(c[0].line, c[0].column, first_list(c))

    def member(self, c):
        obj = c[0]
        return n.Member(obj.line, obj.column, obj, c[2].value.lower())

    def method_call(self, c):
        obj = c[0]
        return n.MethodCall(obj.line, obj.column, obj, c[2].value.lower(), first_list(c))

    def index(self, c):
        obj = c[0]
        return n.Index(obj.line, obj.column, obj, c[2])

    def expr(self, c):
        return climb(c)

    def hole(self, c):
        return c[0]
