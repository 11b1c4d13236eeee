"""The LALR engine: lark builds the parse table from ``grammar.lark``; this module runs it.

lark computes the LALR(1) automaton. The loop that feeds tokens through the table is ours, and
so are the reduction callbacks (with lark's tree-building conventions, see :func:`_reducer`):
lark's own loop costs several attribute lookups, a rule hash, wrapper objects and a ``Token``
per step, which was most of the parse time. The table is flattened to one dict per state: a
shift is the next state (>= 0), a reduce is ``~rule``.

An engine depends only on the registry's multi-word phrases (they make the ``PHRASE_CALL``
terminal, which lets ``GET BOT MEMORY("k")`` be a value), so it is built once per set of
phrases and cached.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lark import Lark
from lark.parsers.lalr_analysis import Shift

from basic.errors import BasicSyntaxError

from .context import Context
from .errors import character_error, token_error
from .lexer import BAD, BRACKETS, CLOSING, HAND_READ, Lexer, LexState, Tok, phrase_pattern
from .linebuilder import LineBuilder
from .textblocks import WORD

_CHUNK = 8192  # characters read ahead at a time (then up to the end of that line)
_LINE_BREAK = re.compile("\n")
GRAMMAR = (Path(__file__).resolve().parent.parent / "grammar.lark").read_text(encoding="utf-8")
START_RULES = ("start", "hole")


class Engine:
    """The parse table, reduction callbacks and lexer for one set of multi-word phrases. One
    parse at a time (the callbacks read the parse's context from the builder)."""

    def __init__(self, multiword: tuple[str, ...]) -> None:
        grammar = GRAMMAR + f"\nPHRASE_CALL.2: /{phrase_pattern(multiword)}/i\n"
        self.builder = LineBuilder()
        lark = Lark(grammar, parser="lalr", lexer="basic", start=list(START_RULES), maybe_placeholders=True)
        table = lark.parser.parser.parser.parse_table
        self.start_states: dict[str, int] = dict(table.start_states)
        self.end_states: dict[str, int] = dict(table.end_states)
        self.rules: list[tuple[int, str, Callable[[list[Any]], Any] | None]] = []
        rule_index: dict[Any, int] = {}
        self.table: list[dict[str, int]] = [{} for _ in range(len(table.states))]
        for state, actions in table.states.items():
            row = self.table[state]
            for symbol, (action, arg) in actions.items():
                # Plain str keys: lark's names are Token objects, whose == is slow. Interned, as
                # are the lexer's kinds and the names written in this package's code, so that a
                # lookup finds its key by identity.
                key = sys.intern(str.__str__(symbol))
                if action is Shift:
                    row[key] = arg
                    continue
                index = rule_index.get(arg)
                if index is None:
                    index = rule_index[arg] = len(self.rules)
                    origin = sys.intern(str.__str__(arg.origin.name))
                    self.rules.append((len(arg.expansion), origin, _reducer(arg, self.builder)))
                row[key] = ~index
        self.lexer = _lexer_for(lark, multiword)
        self.terminals = frozenset(terminal.name for terminal in lark.terminals)
        self.lock = threading.Lock()

    def run(self, ctx: Context, text: str, start: str) -> Any:
        """Parse ``text`` from the ``start`` rule; the callbacks build the result."""
        with self.lock:
            self.builder.ctx = ctx
            try:
                return self._run(ctx, text, start)
            except RecursionError:
                raise BasicSyntaxError(
                    "the expression is nested too deeply", file=ctx.file, line=1, column=1
                ) from None
            finally:
                self.builder.ctx = None

    def _run(self, ctx: Context, text: str, start: str) -> Any:
        states = [self.start_states[start]]
        values: list[Any] = []
        lexer = self.lexer
        state = LexState()
        line_starts: list[int] = []
        last: Tok | None = None
        position = 0
        while position < len(text):
            end = text.find("\n", position + _CHUNK)
            end = len(text) if end < 0 else end + 1
            before = state.copy()
            tokens = lexer.lex(text, position, end, state)
            while True:
                if tokens:
                    last = tokens[-1]
                stop = self._feed(tokens, states, values)
                if stop is None:
                    break
                token, alternative, reduced = stop
                at = before.after(tokens[: tokens.index(token)])
                if alternative is None or reduced:
                    raise self._unexpected(ctx, token, states[-1], at, reduced)
                # lark would have read a shorter token here: take it, read the rest again
                replacement, covered = alternative
                refused = self._feed([replacement], states, values)
                if refused is not None:
                    raise self._unexpected(ctx, replacement, states[-1], at, refused[2])
                if not line_starts:
                    line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
                at.line, at.line_start = token.line, line_starts[token.line - 1]
                at.previous = replacement.type
                before, state = at.copy(), at
                tokens = lexer.lex(text, at.line_start + token.column - 1 + covered, end, state)
                last = replacement
            position = end
        if last is not None and state.previous != "_NL":
            last = Tok("_NL", "", last.line, last.column)
            stop = self._feed([last], states, values)
            if stop is not None:
                raise self._unexpected(ctx, last, states[-1], state, True)
        return self._finish(ctx, states, values, start, last, state)

    def _feed(self, tokens: list[Tok], states: list[int], values: list[Any]) -> tuple[Tok, Any, bool] | None:
        """Shift the tokens, reducing as the table says. Stops at the first token the parser
        does not take: returns it, the lexer's alternative for it (None if there is none or if
        the parser had already reduced for it, which makes it an error), and whether it had."""
        table = self.table
        rules = self.rules
        alternative = self.lexer.alternative
        push_state = states.append
        push_value = values.append
        row = table[states[-1]]  # the actions of the state on top of the stack
        for token in tokens:
            kind = token.type
            try:
                action = row[kind]
            except KeyError:
                other = alternative(token, row)
                if other is None or len(other[0].value) != len(token.value):
                    return token, other, False
                kind = token.type = other[0].type  # same text, another terminal: LPAR, NAME...
                action = row[kind]
            while action < 0:
                size, origin, callback = rules[~action]
                if size == 1:  # the common case: replace the top in place
                    if callback is not None:
                        values[-1] = callback([values[-1]])
                    goto = states[-1] = table[states[-2]][origin]
                else:
                    if size:
                        children = values[-size:]
                        del values[-size:]
                        del states[-size:]
                    else:
                        children = []
                    push_value(callback(children) if callback is not None else children[0])
                    goto = table[states[-1]][origin]
                    push_state(goto)
                row = table[goto]
                try:
                    action = row[kind]
                except KeyError:
                    return token, None, True
            push_state(action)
            push_value(token)
            row = table[action]
        return None

    def _finish(
        self, ctx: Context, states: list[int], values: list[Any], start: str, last: Tok | None, at: LexState
    ) -> Any:
        """Reduce at the end of the input until the start rule is complete."""
        table = self.table
        rules = self.rules
        end = Tok("$END", "", last.line, last.column) if last is not None else Tok("$END", "", 1, 1)
        end_state = self.end_states[start]
        while True:
            action = table[states[-1]].get("$END")
            if action is None or action >= 0:
                raise self._unexpected(ctx, end, states[-1], at, True)
            size, origin, callback = rules[~action]
            children = values[-size:] if size else []
            del values[len(values) - size :]
            del states[len(states) - size :]
            values.append(callback(children) if callback is not None else children[0])
            states.append(table[states[-1]][origin])
            if states[-1] == end_state:
                return values[-1]

    def _unexpected(
        self, ctx: Context, token: Tok, state: int, at: LexState | None, reduced: bool
    ) -> BasicSyntaxError:
        """``state`` has no action for ``token``: say what it would have accepted.

        A token that the state it was read in does not take at all is described by what could
        have been read there instead (without the keywords a name stands for, as lark's
        contextual lexer does); a token refused only after reductions, a line end or the end of
        the file, by what the parser expects. ``at`` is the lexer's state before the token.
        """
        opens = list(at.opens) if at is not None else []
        if BRACKETS.get(token.type) is True:
            opens.append(token)
        elif token.type in CLOSING and reduced and opens:
            opens.pop()  # the parser took this bracket before it failed
        if token.type == BAD:
            return character_error(ctx, token.value, token.line, token.column, opens)
        row = self.table[state]
        if not reduced and token.type != "_NL":
            expected = {symbol for symbol in row if symbol in self.terminals} | {"_NL"}
            if "NAME" in expected:
                expected -= self.lexer.keyword_kinds
        else:
            expected = {symbol for symbol in row if symbol.isupper()}
        return token_error(ctx, token, expected, opens)


def _reducer(rule: Any, builder: LineBuilder) -> Callable[[list[Any]], Any] | None:
    """The callback of one grammar rule, with lark's tree-building conventions: tokens whose
    name starts with ``_`` are dropped, ``_rule`` children are spliced in (they reduce to plain
    lists), ``[x]`` leaves None when x is absent, ``?rule`` with one child is that child, and
    the builder method named as the alias or the rule gets the children. None means the value
    is the single child itself (no call at all).

    The children list is built by a few lines of Python written for the rule's shape (there are
    a few hundred rules and the parser calls these thousands of times per script)."""
    options = rule.options
    expansion = rule.expansion
    name = str(rule.alias or options.template_source or rule.origin.name)
    # None for a _rule: its children stay a plain list, spliced into the parent's
    user: Callable[[list[Any]], Any] | None = None if name.startswith("_") else getattr(builder, name, None)
    expand1 = bool(options.expand1 and not rule.alias)
    # How many Nones go before each child (and after the last) for absent [x] parts.
    empty = options.empty_indices
    nones = [len(ones) for ones in "".join(str(int(b)) for b in empty).split("0")] if empty else []
    parts: list[tuple[str, int]] = []  # ("child" | "splice" | "none", index or count)
    for index, symbol in enumerate(expansion):
        if nones and nones[index]:
            parts.append(("none", nones[index]))
        if options.keep_all_tokens or not (symbol.is_term and symbol.filter_out):
            splice = not symbol.is_term and symbol.name.startswith("_")
            parts.append(("splice" if splice else "child", index))
    if nones and nones[len(expansion)]:
        parts.append(("none", nones[len(expansion)]))
    if expand1 and parts == [("child", 0)] and len(expansion) == 1:
        return None  # ?rule: a single child is the value itself
    if user is None and not name.startswith("_"):
        raise ValueError(f"grammar rule {name} has no method in basic/parser/linebuilder.py to build it")
    if not expand1 and parts == [("child", index) for index in range(len(expansion))]:
        return user or _as_list  # the children as they are
    lines = ["def reduce(c):"]
    if not parts:
        lines.append("    out = []")
    elif parts[0][0] == "splice":
        # left recursion (``_items: _items item``): grow the inner list in place, never copy it
        lines.append(f"    out = c[{parts[0][1]}]")
        for kind, value in parts[1:]:
            if kind == "child":
                lines.append(f"    out.append(c[{value}])")
            elif kind == "splice":
                lines.append(f"    out += c[{value}]")
            else:
                lines.append(f"    out += (None,) * {value}")
    else:
        shown = {"child": "c[{}]", "splice": "*c[{}]", "none": "*(None,) * {}"}
        lines.append("    out = [" + ", ".join(shown[kind].format(value) for kind, value in parts) + "]")
    if user is None:
        lines.append("    return out")
    elif expand1:
        lines.append("    return out[0] if len(out) == 1 else user(out)")
    else:
        lines.append("    return user(out)")
    namespace: dict[str, Any] = {"user": user}
    exec("\n".join(lines), namespace)  # noqa: S102 - code written above from the grammar's shape
    return namespace["reduce"]


def _as_list(children: list[Any]) -> list[Any]:
    return children


def _lexer_for(lark: Lark, multiword: tuple[str, ...]) -> Lexer:
    """The hand-written lexer for the grammar's terminals; fails on a terminal it cannot read."""
    keywords: dict[str, str] = {}
    punctuation: dict[str, str] = {}
    for terminal in lark.terminals:
        name, pattern = terminal.name, terminal.pattern
        if name in HAND_READ:
            continue
        if pattern.type == "str" and WORD.fullmatch(pattern.value) and "i" in pattern.flags:
            keywords[pattern.value.lower()] = sys.intern(str.__str__(name))
        elif pattern.type == "str" and not WORD.match(pattern.value):
            punctuation[pattern.value] = sys.intern(str.__str__(name))
        else:
            raise ValueError(
                f"grammar terminal {name} ({pattern.value!r}) is neither a case-insensitive keyword nor "
                "punctuation: teach basic/parser/lexer.py to read it"
            )
    return Lexer(keywords, punctuation, multiword)


_engine_lock = threading.Lock()
_engines: dict[tuple[str, ...], Engine] = {}


def engine_for(multiword: tuple[str, ...]) -> Engine:
    """The engine for a set of multi-word phrases, built on first use."""
    with _engine_lock:
        engine = _engines.get(multiword)
        if engine is None:
            engine = _engines[multiword] = Engine(multiword)
        return engine
