"""Statements of the nesting pass: assignments, calls and keyword statements (with their
continuation lines and a statement after a form's ``:``), WITH fields, and text block holes.
"""

from __future__ import annotations

from typing import Any

from basic import nodes as n
from basic.errors import BasicSyntaxError
from basic.syntax import Piece, match_forms

from .context import Context
from .frames import Frame
from .keywords import (
    Resolved,
    find_keyword,
    fits_args,
    keyword_from_args,
    no_form,
    piece_text,
    to_piece,
    unknown_keyword,
)
from .lexer import Tok
from .linebuilder import Line
from .tables import Keyword
from .textblocks import TextBlock, hole_end


class StatementMixin:
    """Part of :class:`basic.parser.blocks.Assembler`: resolving one line into statements."""

    ctx: Context
    stack: list[Frame]
    text_blocks: dict[int, TextBlock]
    proc_names: set[str]

    def error(self, message: str, line: int, column: int) -> BasicSyntaxError:
        return self.ctx.error(message, line, column)

    def add(self, stmt: Any) -> None:
        top = self.stack[-1]
        if top.body is None:
            raise self.error(f"expected CASE after {top.title} at line {top.line}", stmt.line, stmt.column)
        top.body.append(stmt)

    def on_simple(self, item: Line, items: list[Line], index: int) -> int:
        stmts, resolved = self.simple(item)
        next_index = index + 1
        if resolved is not None and resolved.keyword.clause_words:
            next_index = self.continuation(resolved, items, next_index)
            if next_index > index + 1:  # clause lines were folded in: the call changed
                stmts[-1] = self.rebuild(stmts[-1], resolved)
        for stmt in stmts:
            self.place(stmt)
        return next_index

    on_keyword = on_simple

    def on_assign(self, item: Line, items: list[Line], index: int) -> int:
        head, rest = item.data
        if head.__class__ is n.Name and len(rest) == 1 and not isinstance(rest[0], (n.Name, Tok)):
            # the common case, ``x = <expression>``, as simple() and place() would do it
            self.add(n.Assign(item.line, item.column, head, rest[0]))
            return index + 1
        return self.on_simple(item, items, index)

    def on_with(self, item: Line, items: list[Line], index: int) -> None:
        pieces = item.data[1]
        target = pieces[0] if len(pieces) == 1 else None
        if not isinstance(target, (n.Name, n.Member, n.Index)) or (
            isinstance(target, n.Member) and target.obj is None
        ):
            raise self.error("WITH needs the object to fill: WITH name ... END WITH", item.line, item.column)
        node = n.With(item.line, item.column, target, [])
        self.add(node)
        self.stack.append(Frame("with", item.line, item.column, node, None))

    def with_field(self, frame: Frame, item: Line) -> None:
        if item.kind == "assign":
            head = item.data[0]
            if isinstance(head, n.Name) or (isinstance(head, n.Member) and head.obj is None):
                value = self.value(item.data[1], item)
                frame.node.fields.append((head.name, value))
                return
        raise self.error(
            "inside WITH only 'field = value' lines are allowed (END WITH closes the block)",
            item.line,
            item.column,
        )

    def rebuild(self, stmt: Any, resolved: Resolved) -> Any:
        call = resolved.call()
        if isinstance(stmt, n.Assign):
            stmt.value = call
        elif isinstance(stmt, n.Command):
            stmt.call = call
        return stmt

    def continuation(self, resolved: Resolved, items: list[Line], index: int) -> int:
        """Fold following lines that start with one of the keyword's clause words into it."""
        clause = resolved.keyword.clause_words
        if not clause:
            return index
        raw = self.ctx.raw
        while index < len(items):
            item = items[index]
            if (item.kind == "simple" and isinstance(item.data[0], n.Name) and item.data[1] is not None) or (
                item.kind in ("with", "keyword")
            ):
                extra = [to_piece(item.data[0], raw)] + [to_piece(p, raw) for p in item.data[1]]
            else:
                return index
            if extra[0].word not in clause:
                return index
            pieces = resolved.pieces + extra
            match = match_forms(resolved.keyword.forms, pieces, raw)
            if match is None or match.rest:
                return index
            resolved.pieces, resolved.match = pieces, match
            index += 1
        return index

    def simple(self, item: Line) -> tuple[list[Any], Resolved | None]:
        """Statements for a simple line (the second one, if any, came after a ``:``)."""
        raw = self.ctx.raw
        head, rest = item.data
        if item.kind == "assign":
            if not isinstance(head, (n.Name, n.Member, n.Index)) or (
                isinstance(head, n.Member) and head.obj is None and self.stack[-1].kind != "with"
            ):
                raise self.error(
                    "the left side of = must be a variable, a field or an element", item.line, item.column
                )
            if len(rest) == 1 and not isinstance(rest[0], (n.Name, Tok)):
                return [n.Assign(item.line, item.column, head, rest[0])], None  # the common case
            pieces = [to_piece(p, raw) for p in rest]
            resolved = self.value_keyword(pieces, item, allow_rest=True)
            if resolved is not None and resolved.match.rest:  # x = STEP 2: BOT "b" "task"
                return self.assign_after_colon(head, resolved, item)
            value = resolved.call() if resolved is not None else self.plain_value(pieces)
            return [n.Assign(item.line, item.column, head, value)], resolved
        if item.kind == "keyword":
            pieces = [to_piece(head, raw)] + [to_piece(p, raw) for p in rest]
            return self.keyword_statement(pieces, item)
        if rest is None:
            if isinstance(head, n.MethodCall):
                return [n.ExprStatement(item.line, item.column, head)], None
            if isinstance(head, n.Call):
                keyword = self.ctx.tables.keyword_for_words(head.name.upper().split())
                if keyword is None or (keyword.value_builtin and not fits_args(self.ctx, keyword, head.args)):
                    # a keyword written as a call on its own line is the keyword when its form
                    # fits (PUSH(list, x) changes the list), else the built-in of that name
                    return [n.ExprStatement(item.line, item.column, head)], None
                call = keyword_from_args(self.ctx, keyword, head.args, head.line, head.column)
                return [n.Command(item.line, item.column, call)], None
            if isinstance(head, n.Name):
                return self.keyword_statement([to_piece(head, raw)], item)
            raise self.error(
                "this line does nothing: expected = and a value, or a call", item.line, item.column
            )
        if not isinstance(head, n.Name):
            first = rest[0]
            raise self.error(
                f"unexpected {piece_text(to_piece(first, raw))}: expected = and a value, or end of line",
                first.line,
                first.column,
            )
        if len(rest) == 1 and not isinstance(rest[0], (n.Name, n.Call, Tok)):
            # the common KEYWORD value: a one-word phrase, as no word or call follows it
            keyword = self.ctx.tables.lookup.get(head.name.upper())
            if keyword is not None:
                return self.resolve(keyword, [to_piece(rest[0], raw)], head.line, head.column, item)
        return self.keyword_statement([to_piece(head, raw)] + [to_piece(p, raw) for p in rest], item)

    def keyword_statement(self, pieces: list[Piece], item: Line) -> tuple[list[Any], Resolved | None]:
        found = find_keyword(self.ctx, pieces)
        if found is None:
            head = pieces[0]
            if head.kind == "expr" and isinstance(head.node, n.Name) and head.node.name in self.proc_names:
                return [self.procedure_call(head.node, pieces[1:], item)], None
            raise unknown_keyword(self.ctx, pieces)
        keyword, rest = found
        return self.resolve(keyword, rest, pieces[0].line, pieces[0].column, item)

    def resolve(
        self, keyword: Keyword, rest: list[Piece], line: int, column: int, item: Line
    ) -> tuple[list[Any], Resolved | None]:
        """The statement(s) of a keyword whose phrase is at ``line:column`` and the pieces
        after its phrase."""
        match = match_forms(keyword.forms, rest, self.ctx.raw)
        if match is None:
            raise no_form(self.ctx, keyword, item.line, item.column, rest)
        resolved = Resolved(keyword, rest[: len(rest) - len(match.rest)], match, line, column)
        stmts: list[Any] = [n.Command(item.line, item.column, resolved.call())]
        if match.rest:  # continuation lines then belong to the statement after the colon
            more, resolved = self.trailing(match.rest)
            stmts.extend(more)
        return stmts, resolved

    def trailing(self, pieces: list[Piece]) -> tuple[list[Any], Resolved | None]:
        """The statement written after a keyword form's ``:`` on the same line, and its keyword
        when continuation lines may extend it."""
        first = pieces[0]
        if first.kind == "expr" and len(pieces) == 1:
            node = first.node
            if isinstance(node, n.MethodCall) or (
                isinstance(node, n.Call) and not isinstance(node, n.KeywordCall)
            ):
                return [n.ExprStatement(first.line, first.column, node)], None
            if (
                isinstance(node, n.Binary)
                and node.op == "="
                and isinstance(node.left, (n.Name, n.Member, n.Index))
            ):
                return [n.Assign(first.line, first.column, node.left, node.right)], None
        node = first.node
        if (  # STEP 1: x = BOT "b" "task": the value is a keyword with arguments
            isinstance(node, n.Binary)
            and node.op == "="
            and isinstance(node.left, (n.Name, n.Member, n.Index))
            and isinstance(node.right, n.Name)
        ):
            fake = Line("assign", first.line, first.column)
            resolved = self.value_keyword([to_piece(node.right, self.ctx.raw), *pieces[1:]], fake)
            if resolved is not None:
                return [n.Assign(first.line, first.column, node.left, resolved.call())], resolved
        if first.word is None:
            raise self.error("expected a statement after ':'", first.line, first.column)
        return self.keyword_statement(pieces, Line("keyword", first.line, first.column))

    def procedure_call(self, name: n.Name, pieces: list[Piece], item: Line) -> n.ExprStatement:
        args: list[Any] = []
        for position, piece in enumerate(pieces):
            if position % 2:
                if piece.kind != "comma":
                    raise self.error(
                        f"expected , between the arguments of {name.name}", piece.line, piece.column
                    )
            else:
                expr = piece.as_expr()
                if expr is None:
                    raise self.error(f"expected a value for {name.name}", piece.line, piece.column)
                args.append(expr)
        if pieces and pieces[-1].kind == "comma":
            last = pieces[-1]
            raise self.error(f"expected a value after , in the call of {name.name}", last.line, last.column)
        call = n.Call(name.line, name.column, name.name, args)
        return n.ExprStatement(item.line, item.column, call)

    def assign_after_colon(
        self, head: Any, resolved: Resolved, item: Line
    ) -> tuple[list[Any], Resolved | None]:
        """``x = STEP 2: BOT "b" "task"``: the keyword with the colon, then ``x = `` the value of
        the statement after the colon."""
        rest = resolved.match.rest
        after, tail = self.trailing(rest)
        first = after[0]
        if not isinstance(first, n.Command):
            raise self.error(
                f"{resolved.keyword.key} ... : gives no value here; write the keyword whose value "
                f"goes to the variable after the colon", rest[0].line, rest[0].column
            )
        command = n.Command(item.line, item.column, resolved.call())
        return [command, n.Assign(first.line, first.column, head, first.call), *after[1:]], tail

    def value_keyword(self, pieces: list[Piece], item: Line, *, allow_rest: bool = False) -> Resolved | None:
        """``x = KEYWORD args``: the keyword when the right side starts with one (``allow_rest``:
        a form ending in ``:`` may leave a statement after it)."""
        first = pieces[0]
        if first.word is None:
            return None
        if len(pieces) == 1:
            keyword = self.ctx.tables.keyword_for_words([first.word])
            if keyword is None or not keyword.zero_arg:
                return None
        found = find_keyword(self.ctx, pieces)
        if found is None:
            if len(pieces) == 1:
                return None
            raise unknown_keyword(self.ctx, pieces)
        keyword, rest = found
        match = match_forms(keyword.forms, rest, self.ctx.raw)
        if match is None or (match.rest and not allow_rest):
            raise no_form(self.ctx, keyword, first.line, first.column, rest)
        return Resolved(keyword, rest, match, first.line, first.column)

    def value(self, rest: list[Any], item: Line) -> Any:
        """The right side of ``=``: a keyword call or one expression."""
        pieces = [to_piece(p, self.ctx.raw) for p in rest]
        resolved = self.value_keyword(pieces, item)
        if resolved is not None:
            return resolved.call()
        return self.plain_value(pieces)

    def plain_value(self, pieces: list[Piece]) -> Any:
        """One expression, with a clear message for anything more or else."""
        if len(pieces) > 1:
            extra = pieces[1]
            raise self.error(
                f"unexpected {piece_text(extra)} after the value: expected an operator or end of line",
                extra.line,
                extra.column,
            )
        expr = pieces[0].as_expr()
        if expr is None:
            raise self.error(
                f"expected a value after =, found {piece_text(pieces[0])}", pieces[0].line, pieces[0].column
            )
        return expr

    def place(self, stmt: Any) -> None:
        """Add a statement; keyword blocks open here, and section keywords split their block."""
        if isinstance(stmt, n.Command):
            tables = self.ctx.tables
            keyword = tables.by_key.get(stmt.call.phrase)
            owners = tables.section_owner.get(stmt.call.phrase)
            if owners:
                top = self.stack[-1]
                if top.kind != "keyword" or top.spec.key not in owners:  # type: ignore[union-attr]
                    raise self.error(
                        f"{stmt.call.phrase} is only allowed inside {' or '.join(owners)}",
                        stmt.line,
                        stmt.column,
                    )
                section: list[Any] = []
                top.node.sections.append((stmt.call, section))
                top.body = section
                return
            if keyword is not None and keyword.block_end:
                block = n.KeywordBlock(stmt.line, stmt.column, stmt.call, [])
                if keyword.spec.block_text:
                    text = self.text_blocks.get(stmt.line)
                    if text is None:
                        raise self.error(f"{keyword.key} must start its line", stmt.line, stmt.column)
                    stmt.call.args["body"] = self.interpolate(text)
                self.add(block)
                self.stack.append(Frame("keyword", stmt.line, stmt.column, block, block.body, keyword))
                return
        self.add(stmt)

    def interpolate(self, block: TextBlock) -> n.Interpolated:
        parts: list[Any] = []
        text = block.text
        line, column = block.first_line, 1
        position = 0
        buffer: list[str] = []
        while position < len(text):
            char = text[position]
            if char == "$" and text.startswith("${", position):
                end = hole_end(text, position + 2)
                if end < 0:
                    raise self.error("this ${ has no closing }", line, column)
                source = text[position + 2 : end]
                if not source.strip():
                    raise self.error("empty ${} in text: put an expression inside", line, column)
                if buffer:
                    parts.append("".join(buffer))
                    buffer = []
                padded = "\n" * (line - 1) + " " * (column + 1) + source
                parts.append(self.ctx.engine.run(self.ctx, padded, "hole"))
                for consumed in text[position : end + 1]:
                    if consumed == "\n":
                        line, column = line + 1, 1
                    else:
                        column += 1
                position = end + 1
                continue
            buffer.append(char)
            if char == "\n":
                line, column = line + 1, 1
            else:
                column += 1
            position += 1
        if buffer or not parts:
            parts.append("".join(buffer))
        return n.Interpolated(block.first_line - 1, 1, parts)

    # -- blocks
