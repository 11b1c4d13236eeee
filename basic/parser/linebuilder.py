"""Line items: one per logical line, as the grammar read it, before the block pass nests them.

The callbacks below are named as the grammar's statement rules; together with the expression
callbacks they turn every reduction straight into nodes and line items.
"""

from __future__ import annotations

from typing import Any

from basic import nodes as n

from .expressions import CANONICAL_OP, ExpressionBuilder, first_list, token_literal, unescape
from .lexer import Tok


class Line:
    """One logical line as the grammar read it; ``kind`` says which rule."""

    __slots__ = ("kind", "line", "column", "data")

    def __init__(self, kind: str, line: int, column: int, *data: Any) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.data = data


def _nodes(children: list[Any]) -> list[Any]:
    return [child for child in children if isinstance(child, n.Node)]


class LineBuilder(ExpressionBuilder):
    """Builds expression nodes and line items while the parser reduces."""

    # statements
    def start(self, c):
        return c

    def head_name(self, c):
        token = c[0]
        return n.Name(token.line, token.column, token.value.lower())

    def head_dot(self, c):
        return n.Member(c[0].line, c[0].column, None, c[1].value.lower())

    def head_member(self, c):
        obj = c[0]
        return n.Member(obj.line, obj.column, obj, c[2].value.lower())

    def head_index(self, c):
        obj = c[0]
        return n.Index(obj.line, obj.column, obj, c[2])

    def head_call(self, c):
        obj = c[0]
        args = first_list(c)
        if isinstance(obj, n.Name):
            return n.Call(obj.line, obj.column, obj.name, args)
        if isinstance(obj, n.Member) and obj.obj is not None:
            return n.MethodCall(obj.line, obj.column, obj.obj, obj.name, args)
        assert self.ctx is not None
        raise self.ctx.error("only a name or a method can be called with (...)", c[1].line, c[1].column)

    def pieces(self, c):
        return c

    def head_only(self, c):
        head = c[0]
        return Line("simple", head.line, head.column, head, None)

    def head_pieces(self, c):
        head = c[0]
        return Line("simple", head.line, head.column, head, c[1])

    def assign(self, c):
        head = c[0]
        return Line("assign", head.line, head.column, head, c[2])

    def soft_assign(self, c):
        token = c[0]
        return Line(
            "assign", token.line, token.column, n.Name(token.line, token.column, token.value.lower()), c[2]
        )

    def label_line(self, c):
        return Line("label", c[0].line, c[0].column, c[0].value.lower())

    def goto_line(self, c):
        return Line("goto", c[0].line, c[0].column, c[1].value.lower())

    def call_line(self, c):
        token = c[1]
        call = n.Call(token.line, token.column, token.value.lower(), first_list(c))
        return Line("stmt", c[0].line, c[0].column, n.ExprStatement(c[0].line, c[0].column, call))

    def return_line(self, c):
        value = c[1] if len(c) > 1 else None
        return Line("stmt", c[0].line, c[0].column, n.Return(c[0].line, c[0].column, value))

    def exit_line(self, c):
        return Line("exit", c[0].line, c[0].column, c[1].value.upper())

    def on_error_resume(self, c):
        return Line("stmt", c[0].line, c[0].column, n.OnError(c[0].line, c[0].column, "resume"))

    def on_error_goto(self, c):
        target = c[3]
        if target.type == "INT":
            if int(target.value) != 0:
                assert self.ctx is not None
                raise self.ctx.error(
                    "ON ERROR GOTO needs a label name, or 0 to turn error handling off",
                    target.line,
                    target.column,
                )
            return Line("stmt", c[0].line, c[0].column, n.OnError(c[0].line, c[0].column, "off"))
        return Line("onerror_goto", c[0].line, c[0].column, target.value.lower())

    def on_kw_line(self, c):
        return Line("keyword", c[0].line, c[0].column, c[0], c[1])

    def with_line(self, c):
        return Line("with", c[0].line, c[0].column, c[0], c[1])

    def if_open(self, c):
        return Line("if", c[0].line, c[0].column, c[1])

    def if_inline(self, c):
        lines = [child for child in c if isinstance(child, Line)]
        return Line("if_inline", c[0].line, c[0].column, c[1], lines[0], lines[1] if len(lines) > 1 else None)

    def elseif_line(self, c):
        return Line("elseif", c[0].line, c[0].column, _nodes(c)[0])

    def else_line(self, c):
        return Line("else", c[0].line, c[0].column)

    def end_word(self, c):
        return c[0]

    def end_line(self, c):
        words = " ".join(token.value.upper() for token in c)
        return Line("end", c[0].line, c[0].column, words)

    def for_line(self, c):
        values = _nodes(c)
        step = values[2] if len(values) > 2 else None
        return Line("for", c[0].line, c[0].column, c[1].value.lower(), values[0], values[1], step)

    def for_each_line(self, c):
        return Line("foreach", c[0].line, c[0].column, c[2].value.lower(), c[4])

    def next_line(self, c):
        name = c[1].value.lower() if len(c) > 1 and c[1] is not None else None
        return Line("next", c[0].line, c[0].column, name)

    def while_line(self, c):
        return Line("while", c[0].line, c[0].column, c[1])

    def wend_line(self, c):
        return Line("wend", c[0].line, c[0].column)

    def _condition(self, c):
        word = c[1].value.upper() if len(c) > 1 and c[1] is not None else None
        cond = c[2] if len(c) > 2 else None
        return cond, word == "UNTIL"

    def do_line(self, c):
        cond, until = self._condition(c)
        return Line("do", c[0].line, c[0].column, cond, until)

    def loop_line(self, c):
        cond, until = self._condition(c)
        return Line("loop", c[0].line, c[0].column, cond, until)

    def select_line(self, c):
        return Line("select", c[0].line, c[0].column, c[2], False)

    def switch_line(self, c):
        return Line("select", c[0].line, c[0].column, c[1], True)

    def case_value(self, c):
        return c[0]

    def case_range(self, c):
        return n.CaseRange(c[0].line, c[0].column, c[0], c[2])

    def case_is(self, c):
        op = c[1].value
        return n.CaseIs(c[0].line, c[0].column, CANONICAL_OP.get(op, op), c[2])

    def cmp_op(self, c):
        return c[0]

    def _inline(self, c):
        lines = [child for child in c if isinstance(child, Line)]
        return lines[0] if lines else None

    def case_line(self, c):
        return Line("case", c[0].line, c[0].column, _nodes(c), self._inline(c))

    def case_else_line(self, c):
        return Line("case_else", c[0].line, c[0].column, self._inline(c))

    def default_line(self, c):
        return Line("case_else", c[0].line, c[0].column, self._inline(c))

    def proc_param(self, c):
        return c[0].value.lower()

    def proc_params(self, c):
        return [child for child in c if isinstance(child, str)]

    def sub_line(self, c):
        return Line("proc", c[0].line, c[0].column, "SUB", c[1].value.lower(), first_list(c))

    def function_line(self, c):
        return Line("proc", c[0].line, c[0].column, "FUNCTION", c[1].value.lower(), first_list(c))

    def p_like(self, c):
        literal = c[1] if isinstance(c[1], n.Literal) else token_literal(c[1])
        value = literal.value
        return ("like", str(value).lower() if isinstance(value, bool) else str(value))

    def neg_int(self, c):
        return n.Literal(c[0].line, c[0].column, -int(c[1].value))

    def p_enum(self, c):
        return ("enum", c[1])

    def array_items_lit(self, c):
        values: list[str] = []
        for item in first_list(c):
            if not isinstance(item, n.Literal) or item.value is None:
                assert self.ctx is not None
                raise self.ctx.error(
                    'ENUM values must be constants, e.g. ENUM ["a", "b"]', item.line, item.column
                )
            values.append(str(item.value))
        return values

    def p_desc(self, c):
        return ("desc", unescape(c[1].value[1:-1]))

    def param_def(self, c):
        token = c[0]
        type_name = "string"
        if len(c) > 2 and isinstance(c[2], Tok):
            type_name = c[2].value.lower()
        param = n.Param(token.line, token.column, token.value.lower(), type_name)
        for option in c[3:]:
            if not isinstance(option, tuple):
                continue
            if option[0] == "like":
                param.example = option[1]
            elif option[0] == "enum":
                param.enum = option[1]
            else:
                param.description = option[1]
        return param

    def param_line(self, c):
        return Line("param", c[0].line, c[0].column, [child for child in c if isinstance(child, n.Param)])

    def description_line(self, c):
        return Line("description", c[0].line, c[0].column, unescape(c[1].value[1:-1]))
