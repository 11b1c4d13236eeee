"""The nesting pass: line items become a :class:`~basic.nodes.Program`.

Block openers push a frame, separators (ELSE, CASE...) switch the frame's body, closers pop it;
mismatches become messages such as ``IF at line 3 has no END IF``. Labels and GOTOs are checked
per script and per SUB or FUNCTION.
"""

from __future__ import annotations

from typing import Any

from basic import nodes as n

from .context import Context
from .frames import Frame
from .linebuilder import Line
from .statements import StatementMixin
from .textblocks import TextBlock


class Assembler(StatementMixin):
    def __init__(self, ctx: Context, items: list[Line], text_blocks: dict[int, TextBlock]) -> None:
        self.ctx = ctx
        self.items = items
        self.text_blocks = text_blocks
        self.body: list[Any] = []
        self.procedures: dict[str, n.Procedure] = {}
        self.params: list[n.Param] = []
        self.description: str | None = None
        root = Frame("program", 1, 1, None, self.body)
        root.labels, root.gotos = {}, []
        self.stack: list[Frame] = [root]
        self.proc_names = {item.data[1] for item in items if item.kind == "proc"}
        self.end_phrases = ctx.tables.end_phrases

    # -- driver

    def program(self) -> n.Program:
        items = self.items
        index = 0
        while index < len(items):
            index = self.line(items, index)
        if len(self.stack) > 1:
            frame = self.stack[-1]
            raise self.error(
                f"{frame.title} at line {frame.line} has no {frame.closer}", frame.line, frame.column
            )
        self.check_gotos(self.stack[0])
        return n.Program(1, 1, self.ctx.file, self.body, self.procedures, self.params, self.description)

    def line(self, items: list[Line], index: int) -> int:
        item = items[index]
        kind = item.kind
        top = self.stack[-1]
        if top.kind == "with" and kind not in ("end",):
            self.with_field(top, item)
            return index + 1
        result = _HANDLERS[kind](self, item, items, index)
        return index + 1 if result is None else result

    # -- statements

    def scope(self) -> Frame:
        for frame in reversed(self.stack):
            if frame.labels is not None:
                return frame
        return self.stack[0]

    def on_stmt(self, item: Line, items: list[Line], index: int) -> None:
        self.add(item.data[0])

    def on_label(self, item: Line, items: list[Line], index: int) -> None:
        scope = self.scope()
        name = item.data[0]
        if name in scope.labels:  # type: ignore[operator]
            raise self.error(
                f"label {name} is already defined at line {scope.labels[name]}",  # type: ignore[index]
                item.line,
                item.column,
            )
        scope.labels[name] = item.line  # type: ignore[index]
        self.add(n.Label(item.line, item.column, name))

    def on_goto(self, item: Line, items: list[Line], index: int) -> None:
        self.scope().gotos.append((item.data[0], item.line, item.column))  # type: ignore[union-attr]
        self.add(n.Goto(item.line, item.column, item.data[0]))

    def on_onerror_goto(self, item: Line, items: list[Line], index: int) -> None:
        self.scope().gotos.append((item.data[0], item.line, item.column))  # type: ignore[union-attr]
        self.add(n.OnError(item.line, item.column, "goto", item.data[0]))

    def check_gotos(self, scope: Frame) -> None:
        for label, line, column in scope.gotos or ():
            if label not in scope.labels:  # type: ignore[operator]
                where = "this SUB or FUNCTION" if scope.kind == "proc" else "the script"
                raise self.error(f"label {label} is not defined in {where}", line, column)

    def on_exit(self, item: Line, items: list[Line], index: int) -> None:
        kind = item.data[0]
        wanted = {
            "FOR": ("for", "foreach"),
            "DO": ("do",),
            "WHILE": ("while", "do"),
            "SUB": ("proc",),
            "FUNCTION": ("proc",),
        }[kind]
        for frame in reversed(self.stack):
            if frame.kind in wanted and (frame.kind != "proc" or frame.node.kind == kind):
                self.add(n.Exit(item.line, item.column, kind))
                return
            if frame.kind == "proc":
                break
        where = {
            "FOR": "a FOR loop",
            "DO": "a DO loop",
            "WHILE": "a WHILE loop",
            "SUB": "a SUB",
            "FUNCTION": "a FUNCTION",
        }[kind]
        raise self.error(f"EXIT {kind} is only allowed inside {where}", item.line, item.column)

    def close(self, expected: tuple[str, ...], item: Line, name: str, check=None) -> Frame:
        """Pop the innermost block if it is one of ``expected``; otherwise explain what is open."""
        top = self.stack[-1]
        if top.kind in expected and (check is None or check(top)):
            self.stack.pop()
            return top
        for frame in reversed(self.stack[1:]):
            if frame.kind in expected and (check is None or check(frame)):
                raise self.error(
                    f"{top.title} at line {top.line} has no {top.closer}", item.line, item.column
                )
        raise self.error(f"{name}", item.line, item.column)

    def open(self, frame: Frame) -> None:
        self.stack.append(frame)

    def on_if(self, item: Line, items: list[Line], index: int) -> None:
        body: list[Any] = []
        node = n.If(item.line, item.column, [(item.data[0], body)], None)
        self.add(node)
        self.open(Frame("if", item.line, item.column, node, body))

    def on_if_inline(self, item: Line, items: list[Line], index: int) -> None:
        cond, then_line, else_line = item.data
        then_body = self.inline(then_line)
        else_body = self.inline(else_line) if else_line is not None else None
        self.add(n.If(item.line, item.column, [(cond, then_body)], else_body))

    def inline(self, item: Line) -> list[Any]:
        kind = item.kind
        if kind in ("simple", "assign", "keyword"):
            stmts, _ = self.simple(item)
        elif kind == "stmt":
            stmts = [item.data[0]]
        elif kind == "goto":
            self.scope().gotos.append((item.data[0], item.line, item.column))  # type: ignore[union-attr]
            stmts = [n.Goto(item.line, item.column, item.data[0])]
        elif kind == "exit":
            holder: list[Any] = []
            saved = self.stack[-1].body
            self.stack[-1].body = holder
            try:
                self.on_exit(item, [], 0)
            finally:
                self.stack[-1].body = saved
            stmts = holder
        else:
            raise self.error(
                "this statement cannot be written on one line after THEN, ELSE or CASE",
                item.line,
                item.column,
            )
        for stmt in stmts:
            if isinstance(stmt, n.Command):
                keyword = self.ctx.tables.by_key.get(stmt.call.phrase)
                if keyword is not None and keyword.block_end:
                    raise self.error(
                        f"{keyword.key} opens a block and must be on its own line", stmt.line, stmt.column
                    )
        return stmts

    def on_elseif(self, item: Line, items: list[Line], index: int) -> None:
        frame = self.if_frame(item, "ELSEIF")
        if frame.has_else:
            raise self.error(f"ELSEIF after ELSE in the IF at line {frame.line}", item.line, item.column)
        body: list[Any] = []
        frame.node.branches.append((item.data[0], body))
        frame.body = body

    def on_else(self, item: Line, items: list[Line], index: int) -> None:
        frame = self.if_frame(item, "ELSE")
        if frame.has_else:
            raise self.error(f"the IF at line {frame.line} already has an ELSE", item.line, item.column)
        frame.has_else = True
        frame.node.else_body = []
        frame.body = frame.node.else_body

    def if_frame(self, item: Line, word: str) -> Frame:
        top = self.stack[-1]
        if top.kind == "if":
            return top
        if any(frame.kind == "if" for frame in self.stack):
            raise self.error(f"{top.title} at line {top.line} has no {top.closer}", item.line, item.column)
        raise self.error(f"{word} without IF", item.line, item.column)

    def on_for(self, item: Line, items: list[Line], index: int) -> None:
        var, start, end, step = item.data
        body: list[Any] = []
        node = n.ForRange(item.line, item.column, var, start, end, step, body)
        self.add(node)
        self.open(Frame("for", item.line, item.column, node, body))

    def on_foreach(self, item: Line, items: list[Line], index: int) -> None:
        var, iterable = item.data
        body: list[Any] = []
        node = n.ForEach(item.line, item.column, var, iterable, body)
        self.add(node)
        self.open(Frame("foreach", item.line, item.column, node, body))

    def on_next(self, item: Line, items: list[Line], index: int) -> None:
        frame = self.close(("for", "foreach"), item, "NEXT without FOR")
        name = item.data[0]
        if name is not None and name != frame.node.var:
            raise self.error(
                f"NEXT {name} does not match the FOR {frame.node.var} at line {frame.line}",
                item.line,
                item.column,
            )

    def on_while(self, item: Line, items: list[Line], index: int) -> None:
        body: list[Any] = []
        node = n.While(item.line, item.column, item.data[0], body)
        self.add(node)
        self.open(Frame("while", item.line, item.column, node, body))

    def on_wend(self, item: Line, items: list[Line], index: int) -> None:
        self.close(("while",), item, "WEND without WHILE")

    def on_do(self, item: Line, items: list[Line], index: int) -> None:
        cond, until = item.data
        body: list[Any] = []
        node = n.DoLoop(item.line, item.column, cond, until, cond is not None, body)
        self.add(node)
        self.open(Frame("do", item.line, item.column, node, body))

    def on_loop(self, item: Line, items: list[Line], index: int) -> None:
        frame = self.close(("do",), item, "LOOP without DO")
        cond, until = item.data
        if cond is not None:
            if frame.node.cond is not None:
                raise self.error(
                    f"the DO at line {frame.line} already has a condition; LOOP cannot add another",
                    item.line,
                    item.column,
                )
            frame.node.cond, frame.node.until, frame.node.test_first = cond, until, False

    def on_select(self, item: Line, items: list[Line], index: int) -> None:
        subject, is_switch = item.data
        node = n.Select(item.line, item.column, subject, [], None)
        self.add(node)
        self.open(Frame("select", item.line, item.column, node, None, "switch" if is_switch else None))  # type: ignore[arg-type]

    def select_frame(self, item: Line, word: str) -> Frame:
        top = self.stack[-1]
        if top.kind == "select":
            return top
        if any(frame.kind == "select" for frame in self.stack):
            raise self.error(f"{top.title} at line {top.line} has no {top.closer}", item.line, item.column)
        raise self.error(f"{word} without SELECT CASE or SWITCH", item.line, item.column)

    def on_case(self, item: Line, items: list[Line], index: int) -> None:
        frame = self.select_frame(item, "CASE")
        if frame.has_else:
            raise self.error(
                f"CASE after the fallback (CASE ELSE / DEFAULT) of the {frame.title} at line {frame.line}",
                item.line,
                item.column,
            )
        values, inline = item.data
        body: list[Any] = []
        frame.node.cases.append(n.Case(item.line, item.column, values, body))
        frame.body = body
        if inline is not None:
            body.extend(self.inline(inline))

    def on_case_else(self, item: Line, items: list[Line], index: int) -> None:
        frame = self.select_frame(item, "CASE ELSE")
        if frame.has_else:
            raise self.error(
                f"the {frame.title} at line {frame.line} already has a fallback", item.line, item.column
            )
        frame.has_else = True
        frame.node.else_body = []
        frame.body = frame.node.else_body
        inline = item.data[0]
        if inline is not None:
            frame.body.extend(self.inline(inline))

    def on_proc(self, item: Line, items: list[Line], index: int) -> None:
        kind, name, params = item.data
        if len(self.stack) > 1:
            top = self.stack[-1]
            raise self.error(
                f"{kind} {name} must be defined at the top level, not inside {top.title} (line {top.line})",
                item.line,
                item.column,
            )
        if name in self.procedures:
            raise self.error(
                f"{name} is already defined at line {self.procedures[name].line}", item.line, item.column
            )
        node = n.Procedure(item.line, item.column, kind, name, params, [])
        frame = Frame("proc", item.line, item.column, node, node.body)
        frame.labels, frame.gotos = {}, []
        self.open(frame)

    def on_end(self, item: Line, items: list[Line], index: int) -> None:
        words = item.data[0]
        simple = {
            "END IF": (("if",), "END IF without IF"),
            "END WITH": (("with",), "END WITH without WITH"),
            "END WHILE": (("while",), "END WHILE without WHILE"),
        }
        if words in simple:
            self.close(simple[words][0], item, simple[words][1])
        elif words in ("END SELECT", "END SWITCH"):
            switch = words == "END SWITCH"
            self.close(
                ("select",),
                item,
                f"{words} without {'SWITCH' if switch else 'SELECT CASE'}",
                lambda f: (f.spec == "switch") == switch,
            )  # type: ignore[comparison-overlap]
        elif words in ("END SUB", "END FUNCTION"):
            kind = words.split()[1]
            frame = self.close(("proc",), item, f"{words} without {kind}", lambda f: f.node.kind == kind)
            self.check_gotos(frame)
            self.procedures[frame.node.name] = frame.node
        elif words in self.end_phrases:
            keyword = self.end_phrases[words]
            self.close(
                ("keyword",), item, f"{words} without {keyword.key}", lambda f: f.spec.block_end == words
            )
        elif words in self.ctx.tables.by_key:  # a keyword whose phrase starts with END (END WORKFLOW)
            stmts, _ = self.resolve(self.ctx.tables.by_key[words], [], item.line, item.column, item)
            for stmt in stmts:
                self.place(stmt)
        elif words == "END":
            raise self.error("END needs the name of the block it closes, e.g. END IF", item.line, item.column)
        else:
            raise self.error(f"{words} does not close any block", item.line, item.column)

    def on_param(self, item: Line, items: list[Line], index: int) -> None:
        self.header(item, "PARAM")
        self.params.extend(item.data[0])

    def on_description(self, item: Line, items: list[Line], index: int) -> None:
        self.header(item, "DESCRIPTION")
        text = item.data[0]
        self.description = text if self.description is None else f"{self.description}\n{text}"

    def header(self, item: Line, word: str) -> None:
        if len(self.stack) > 1:
            top = self.stack[-1]
            raise self.error(
                f"{word} belongs to the script header, not inside {top.title} (line {top.line})",
                item.line,
                item.column,
            )


# The handler of each kind of line item (``on_<kind>``), looked up once.
_HANDLERS = {
    name[3:]: function
    for cls in (StatementMixin, Assembler)
    for name, function in vars(cls).items()
    if name.startswith("on_")
}
