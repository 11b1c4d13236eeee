"""Parse General Bots BASIC source into a :class:`~basic.nodes.Program`.

Three stages:

1. Text blocks (keywords whose spec has ``block_text``, e.g. BEGIN TALK ... END TALK) are cut
   out of the source line by line, so their bodies are never tokenised as code.
2. The lark LALR parser (contextual lexer, grammar in ``grammar.lark``) reads every logical line
   into a flat line item; the transformer runs inline, so no parse tree is built. A trailing
   comma, or an open bracket, continues a line on the next one.
3. :class:`_Assembler` nests the line items into blocks, matches keyword statements against the
   registry (:mod:`basic.syntax`), and reports misplaced or unclosed blocks.

The lark parser depends only on the registry's multi-word phrases (they become the
``PHRASE_CALL`` terminal that lets ``GET BOT MEMORY("k")`` be a value), so it is built once per
set of phrases and cached; everything else the registry decides is looked up per parse.
Every failure is raised as :class:`~basic.errors.BasicSyntaxError` with file, line and column.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import nodes as n
from .errors import BasicSyntaxError
from .registry import KeywordRegistry, KeywordSpec
from .registry import registry as default_registry
from .syntax import Form, Match, Piece, RawText, compile_form, match_forms, render_form

GRAMMAR = Path(__file__).with_name("grammar.lark").read_text(encoding="utf-8")

_OPEN = frozenset({"LPAR", "SLPAR", "CALL_LPAR", "LSQB", "SLSQB", "IDX_LSQB", "LBRACE", "HASH_LBRACE"})
_CLOSE = frozenset({"RPAR", "RSQB", "RBRACE"})
_CANONICAL_OP = {"==": "=", "!=": "<>"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse(source: str, *, file: str = "<script>", registry: KeywordRegistry | None = None) -> n.Program:
    """Parse a whole script; raise :class:`BasicSyntaxError` on the first problem."""
    registry = default_registry if registry is None else registry
    tables = _tables_for(registry)
    engine = _engine_for(tables.multiword)
    lines = source.split("\n")
    text, text_blocks = _cut_text_blocks(lines, tables, file)
    ctx = _Context(file, tables, RawText(lines), engine)
    items = engine.run(ctx, text, "start")
    return _Assembler(ctx, items, text_blocks).program()


# --- registry-derived tables -------------------------------------------------------------


class _Tables:
    """What the parser needs from one version of a registry, precomputed."""

    def __init__(self, registry: KeywordRegistry) -> None:
        self.registry = registry
        self.lookup: dict[str, KeywordSpec] = {}
        self.forms: dict[str, tuple[Form, ...]] = {}
        self.clause_words: dict[str, frozenset[str]] = {}
        self.zero_arg: set[str] = set()
        self.section_owner: dict[str, list[str]] = {}
        self.text_blocks: list[tuple[tuple[str, ...], KeywordSpec]] = []
        multiword: set[str] = set()
        empty_raw = RawText([])
        for spec in registry:
            key = spec.key
            words = key.split()
            self.lookup["_".join(words)] = spec
            forms = tuple(compile_form(template) for template in (spec.forms or ("",)))
            self.forms[key] = forms
            clause: set[str] = set()
            for form in forms:
                clause |= form.clause_words
            self.clause_words[key] = frozenset(clause)
            if match_forms(forms, [], empty_raw) is not None:
                self.zero_arg.add(key)
            if len(words) > 1 and all(_WORD.fullmatch(word) for word in words):
                multiword.add(key)
            if spec.block_end and spec.block_text:
                self.text_blocks.append((tuple(words), spec))
            for section in spec.sections:
                self.section_owner.setdefault(" ".join(section.upper().split()), []).append(key)
        self.max_words = max((len(key.split("_")) for key in self.lookup), default=1)
        self.multiword = tuple(sorted(multiword))
        self.text_blocks.sort(key=lambda item: -len(item[0]))

    def spec_for_words(self, words: list[str]) -> KeywordSpec | None:
        return self.lookup.get("_".join(words))

    def describe_forms(self, spec: KeywordSpec) -> str:
        return " | ".join(render_form(spec.key, form) for form in self.forms[spec.key])


_tables_lock = threading.Lock()
_tables_cache: weakref.WeakKeyDictionary[KeywordRegistry, tuple[int, _Tables]] = weakref.WeakKeyDictionary()


def _tables_for(registry: KeywordRegistry) -> _Tables:
    with _tables_lock:
        cached = _tables_cache.get(registry)
        if cached is not None and cached[0] == registry.version:
            return cached[1]
        tables = _Tables(registry)
        _tables_cache[registry] = (registry.version, tables)
        return tables


# --- text blocks --------------------------------------------------------------------------


@dataclass(slots=True)
class _TextBlock:
    text: str
    first_line: int  # source line of the body's first line


def _leading_words(line: str) -> list[str]:
    return [word.upper() for word in _WORD.findall(line.split("'", 1)[0].split('"', 1)[0])]


def _cut_text_blocks(lines: list[str], tables: _Tables, file: str) -> tuple[str, dict[int, _TextBlock]]:
    """Blank the bodies of text blocks (keeping line numbers) and return them by opener line."""
    if not tables.text_blocks:
        return "\n".join(lines), {}
    blocks: dict[int, _TextBlock] = {}
    starts = {phrase[0] for phrase, _ in tables.text_blocks}
    out = list(lines)
    index = 0
    while index < len(lines):
        stripped = lines[index].lstrip()
        first = _WORD.match(stripped)
        if first is not None and first.group().upper() in starts:
            words = _leading_words(stripped)
            for phrase, spec in tables.text_blocks:
                if tuple(words[: len(phrase)]) != phrase:
                    continue
                end_words = spec.block_end.upper().split()  # type: ignore[union-attr]
                end = index + 1
                while end < len(lines) and _leading_words(lines[end]) != end_words:
                    end += 1
                if end == len(lines):
                    column = len(lines[index]) - len(stripped) + 1
                    raise BasicSyntaxError(
                        f"{spec.key} at line {index + 1} has no {spec.block_end.upper()}",  # type: ignore[union-attr]
                        file=file,
                        line=index + 1,
                        column=column,
                    )
                blocks[index + 1] = _TextBlock("\n".join(lines[index + 1 : end]), index + 2)
                for body in range(index + 1, end):
                    out[body] = ""
                index = end
                break
        index += 1
    return "\n".join(out), blocks


# --- the lark engine ----------------------------------------------------------------------


class _PostLexer:
    """Drops the newlines that do not end a statement: repeated ones, those after a trailing
    comma and those inside brackets; ends the input with a newline."""

    always_accept = ("_NL",)

    def __init__(self) -> None:
        self.open_brackets: list[Token] = []

    def process(self, stream):
        opens: list[Token] = []
        self.open_brackets = opens
        previous = "_NL"
        last: Token | None = None
        for token in stream:
            kind = token.type
            if kind == "_NL":
                if previous == "_NL" or previous == "COMMA" or opens:
                    continue
            elif kind in _OPEN:
                opens.append(token)
            elif kind in _CLOSE and opens:
                opens.pop()
            previous = kind
            last = token
            yield token
        if last is not None and previous != "_NL":
            yield Token.new_borrow_pos("_NL", "", last)


class _Engine:
    def __init__(self, multiword: tuple[str, ...]) -> None:
        if multiword:
            alternatives = "|".join(
                r"[ \t]+".join(re.escape(w) for w in phrase.split()) for phrase in multiword
            )
            pattern = f"(?:{alternatives})(?=[ \\t]*\\()"
        else:
            pattern = "(?!x)x"
        grammar = GRAMMAR + f"\nPHRASE_CALL.2: /{pattern}/i\n"
        self.postlexer = _PostLexer()
        self.transformer = _LineBuilder()
        self.lark = Lark(
            grammar,
            parser="lalr",
            lexer="contextual",
            postlex=self.postlexer,
            transformer=self.transformer,
            start=["start", "hole"],
            maybe_placeholders=True,
        )
        self.lock = threading.Lock()

    def run(self, ctx: _Context, text: str, start: str) -> Any:
        with self.lock:
            self.transformer.ctx = ctx
            try:
                return self.lark.parse(text, start=start)
            except UnexpectedInput as error:
                raise _translate(error, ctx, self.postlexer.open_brackets) from None
            except RecursionError:
                raise BasicSyntaxError(
                    "the expression is nested too deeply", file=ctx.file, line=1, column=1
                ) from None
            finally:
                self.transformer.ctx = None


_engine_lock = threading.Lock()
_engines: dict[tuple[str, ...], _Engine] = {}


def _engine_for(multiword: tuple[str, ...]) -> _Engine:
    with _engine_lock:
        engine = _engines.get(multiword)
        if engine is None:
            engine = _engines[multiword] = _Engine(multiword)
        return engine


@dataclass(slots=True)
class _Context:
    file: str
    tables: _Tables
    raw: RawText
    engine: _Engine

    def error(self, message: str, line: int, column: int) -> BasicSyntaxError:
        return BasicSyntaxError(message, file=self.file, line=line, column=column)


# --- error translation --------------------------------------------------------------------

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
    {
        "PLUS",
        "MINUS",
        "STAR",
        "SLASH",
        "BACKSLASH",
        "CARET",
        "AMP",
        "EQ",
        "CMP_OP",
        "MOD",
        "AND",
        "OR",
        "LIKE",
        "IN",
        "NOT",
    }
)


def _describe_token(token: Token) -> str:
    kind = token.type
    if kind in ("_NL", "$END"):
        return _READABLE[kind]
    value = str(token.value)
    if kind == "STRING":
        return f"the string {value if len(value) <= 30 else value[:27] + '...'}"
    if kind in ("NAME", "INT", "FLOAT"):
        return f"'{value}'"
    if value.strip() and _WORD.fullmatch(value.split()[0]):
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


def _translate(error: UnexpectedInput, ctx: _Context, open_brackets: list[Token]) -> BasicSyntaxError:
    line = max(getattr(error, "line", 1) or 1, 1)
    column = max(getattr(error, "column", 1) or 1, 1)
    if open_brackets and open_brackets[-1].line < line:
        opener = open_brackets[-1]
        return ctx.error(
            f"the '{opener.value.strip()}' opened here is never closed", opener.line, opener.column
        )
    source_line = ctx.raw.lines[line - 1] if 0 < line <= len(ctx.raw.lines) else ""
    first = _leading_words(source_line)[:2]
    if isinstance(error, UnexpectedCharacters):
        char = source_line[column - 1 : column] if source_line else ""
        if char == '"':
            return ctx.error('this string has no closing " on the same line', line, column)
        return ctx.error(f"unexpected character {char!r}", line, column)
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = set(error.expected)
        if token.type == "$END":
            line, column = len(ctx.raw.lines), 1
        got = _describe_token(token)
        if (
            "THEN" in expected
            and first[:1] in (["IF"], ["ELSEIF"])
            or first == ["ELSE", "IF"]
            and "THEN" in expected
        ):
            return ctx.error(f"expected THEN after the IF condition, found {got}", line, column)
        if first[:1] == ["FOR"] and "TO" in expected:
            return ctx.error(f"expected TO after the FOR start value, found {got}", line, column)
        if first[:1] == ["FOR"] and "EQ" in expected:
            return ctx.error(
                f"expected = after the FOR variable (FOR i = 1 TO 10), found {got}", line, column
            )
        if first[:2] == ["FOR", "EACH"] and "IN" in expected:
            return ctx.error(f"expected IN after the FOR EACH variable, found {got}", line, column)
        if first[:1] == ["EXIT"]:
            return ctx.error("EXIT must be followed by FOR, DO, WHILE, SUB or FUNCTION", line, column)
        if first[:2] == ["SELECT"] and "CASE" in expected:
            return ctx.error("expected SELECT CASE value", line, column)
        if token.type == "_NL":
            return ctx.error(
                f"the line ends too early: expected {_describe_expected(expected)}", line, column
            )
        return ctx.error(f"unexpected {got}: expected {_describe_expected(expected)}", line, column)
    if isinstance(error, UnexpectedEOF):
        return ctx.error("unexpected end of file", len(ctx.raw.lines), 1)
    return ctx.error("syntax error", line, column)


# --- line items ---------------------------------------------------------------------------


class _Line:
    """One logical line as the grammar read it; ``kind`` says which rule."""

    __slots__ = ("kind", "line", "column", "data")

    def __init__(self, kind: str, line: int, column: int, *data: Any) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.data = data


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            nxt = body[index + 1]
            mapped = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt)
            if mapped is not None:
                out.append(mapped)
                index += 2
                continue
        out.append(char)
        index += 1
    return "".join(out)


def _nodes(children: list[Any]) -> list[Any]:
    return [child for child in children if isinstance(child, n.Node)]


def _first_list(children: list[Any]) -> list[Any]:
    for child in children:
        if isinstance(child, list):
            return child
    return []


def _token_literal(token: Token) -> n.Literal:
    kind = token.type
    if kind == "STRING":
        value: Any = _unescape(token.value[1:-1])
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


def _climb(items: list[Any]) -> Any:
    """Apply operator precedence to a flat run of prefixes, operands and binary operators."""
    position = 0

    def operand(min_power: int) -> Any:
        nonlocal position
        item = items[position]
        position += 1
        if isinstance(item, Token):
            inner = operand(_PREFIX_POWER[item.type])
            text = item.value.upper()
            if text == "-" and isinstance(inner, n.Literal) and type(inner.value) in (int, float):
                left: Any = n.Literal(item.line, item.column, -inner.value)
            else:
                left = n.Unary(item.line, item.column, text, inner)
        else:
            left = item
        while position < len(items):
            op = items[position]
            power = _BINARY_POWER[op.type]
            if power <= min_power:
                break
            position += 1
            if op.type == "NOT":  # NOT IN
                position += 1
                text = "NOT IN"
            elif op.type in ("CMP_OP", "EQ") or not op.value.isalpha():
                text = _CANONICAL_OP.get(op.value, op.value)
            else:
                text = op.value.upper()
            right = operand(power)
            left = n.Binary(left.line, left.column, text, left, right)
        return left

    return operand(0)


class _LineBuilder(Transformer):
    """Builds expression nodes and line items while lark parses (inline LALR callbacks)."""

    ctx: _Context | None = None

    # expressions
    def int_lit(self, c):
        return _token_literal(c[0])

    float_lit = string_lit = true_lit = false_lit = int_lit

    def new_object(self, c):
        return n.MapLiteral(c[0].line, c[0].column, [])

    def name(self, c):
        token = c[0]
        return n.Name(token.line, token.column, token.value.lower())

    def call(self, c):
        token = c[0]
        return self._call(token.value, token.line, token.column, _first_list(c))

    def phrase_call(self, c):
        token = c[0]
        return self._call(token.value, token.line, token.column, _first_list(c))

    def _call(self, name: str, line: int, column: int, args: list[Any]) -> Any:
        ctx = self.ctx
        assert ctx is not None
        words = name.upper().split()
        spec = ctx.tables.spec_for_words(words)
        if spec is None:
            return n.Call(line, column, name.lower(), args)
        return _keyword_from_args(ctx, spec, args, line, column)

    def group(self, c):
        return c[1]

    def array(self, c):
        return n.ArrayLiteral(c[0].line, c[0].column, _first_list(c))

    def items(self, c):
        if len(c) == 1:
            return [c[0]]
        c[0].append(c[2])
        return c[0]

    entries = items

    def args(self, c):
        return [child for child in c if not isinstance(child, Token)]

    def entry(self, c):
        key = c[0]
        text = _unescape(key.value[1:-1]) if key.type == "STRING" else key.value.lower()
        return (text, c[2])

    def map(self, c):
        return n.MapLiteral(c[0].line, c[0].column, _first_list(c))

    def member(self, c):
        obj = c[0]
        return n.Member(obj.line, obj.column, obj, c[2].value.lower())

    def method_call(self, c):
        obj = c[0]
        return n.MethodCall(obj.line, obj.column, obj, c[2].value.lower(), _first_list(c))

    def index(self, c):
        obj = c[0]
        return n.Index(obj.line, obj.column, obj, c[2])

    def expr(self, c):
        return _climb(c)

    def hole(self, c):
        return c[0]

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
        if isinstance(obj, (n.Call, n.MethodCall)):
            return n.Member(obj.line, obj.column, obj, c[2].value.lower())
        return n.Member(obj.line, obj.column, obj, c[2].value.lower())

    def head_index(self, c):
        obj = c[0]
        return n.Index(obj.line, obj.column, obj, c[2])

    def head_call(self, c):
        obj = c[0]
        args = _first_list(c)
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
        return _Line("simple", head.line, head.column, head, None)

    def head_pieces(self, c):
        head = c[0]
        return _Line("simple", head.line, head.column, head, c[1])

    def assign(self, c):
        head = c[0]
        return _Line("assign", head.line, head.column, head, c[2])

    def soft_assign(self, c):
        token = c[0]
        return _Line(
            "assign", token.line, token.column, n.Name(token.line, token.column, token.value.lower()), c[2]
        )

    def label_line(self, c):
        return _Line("label", c[0].line, c[0].column, c[0].value.lower())

    def goto_line(self, c):
        return _Line("goto", c[0].line, c[0].column, c[1].value.lower())

    def call_line(self, c):
        token = c[1]
        call = n.Call(token.line, token.column, token.value.lower(), _first_list(c))
        return _Line("stmt", c[0].line, c[0].column, n.ExprStatement(c[0].line, c[0].column, call))

    def return_line(self, c):
        value = c[1] if len(c) > 1 else None
        return _Line("stmt", c[0].line, c[0].column, n.Return(c[0].line, c[0].column, value))

    def exit_line(self, c):
        return _Line("exit", c[0].line, c[0].column, c[1].value.upper())

    def on_error_resume(self, c):
        return _Line("stmt", c[0].line, c[0].column, n.OnError(c[0].line, c[0].column, "resume"))

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
            return _Line("stmt", c[0].line, c[0].column, n.OnError(c[0].line, c[0].column, "off"))
        return _Line("onerror_goto", c[0].line, c[0].column, target.value.lower())

    def on_kw_line(self, c):
        return _Line("keyword", c[0].line, c[0].column, c[0], c[1])

    def with_line(self, c):
        return _Line("with", c[0].line, c[0].column, c[0], c[1])

    def if_open(self, c):
        return _Line("if", c[0].line, c[0].column, c[1])

    def if_inline(self, c):
        lines = [child for child in c if isinstance(child, _Line)]
        return _Line(
            "if_inline", c[0].line, c[0].column, c[1], lines[0], lines[1] if len(lines) > 1 else None
        )

    def elseif_line(self, c):
        return _Line("elseif", c[0].line, c[0].column, _nodes(c)[0])

    def else_line(self, c):
        return _Line("else", c[0].line, c[0].column)

    def end_word(self, c):
        return c[0]

    def end_line(self, c):
        words = " ".join(token.value.upper() for token in c)
        return _Line("end", c[0].line, c[0].column, words)

    def for_line(self, c):
        values = _nodes(c)
        step = values[2] if len(values) > 2 else None
        return _Line("for", c[0].line, c[0].column, c[1].value.lower(), values[0], values[1], step)

    def for_each_line(self, c):
        return _Line("foreach", c[0].line, c[0].column, c[2].value.lower(), c[4])

    def next_line(self, c):
        name = c[1].value.lower() if len(c) > 1 and c[1] is not None else None
        return _Line("next", c[0].line, c[0].column, name)

    def while_line(self, c):
        return _Line("while", c[0].line, c[0].column, c[1])

    def wend_line(self, c):
        return _Line("wend", c[0].line, c[0].column)

    def _condition(self, c):
        word = c[1].value.upper() if len(c) > 1 and c[1] is not None else None
        cond = c[2] if len(c) > 2 else None
        return cond, word == "UNTIL"

    def do_line(self, c):
        cond, until = self._condition(c)
        return _Line("do", c[0].line, c[0].column, cond, until)

    def loop_line(self, c):
        cond, until = self._condition(c)
        return _Line("loop", c[0].line, c[0].column, cond, until)

    def select_line(self, c):
        return _Line("select", c[0].line, c[0].column, c[2], False)

    def switch_line(self, c):
        return _Line("select", c[0].line, c[0].column, c[1], True)

    def case_value(self, c):
        return c[0]

    def case_range(self, c):
        return n.CaseRange(c[0].line, c[0].column, c[0], c[2])

    def case_is(self, c):
        op = c[1].value
        return n.CaseIs(c[0].line, c[0].column, _CANONICAL_OP.get(op, op), c[2])

    def cmp_op(self, c):
        return c[0]

    def _inline(self, c):
        lines = [child for child in c if isinstance(child, _Line)]
        return lines[0] if lines else None

    def case_line(self, c):
        return _Line("case", c[0].line, c[0].column, _nodes(c), self._inline(c))

    def case_else_line(self, c):
        return _Line("case_else", c[0].line, c[0].column, self._inline(c))

    def default_line(self, c):
        return _Line("case_else", c[0].line, c[0].column, self._inline(c))

    def proc_param(self, c):
        return c[0].value.lower()

    def proc_params(self, c):
        return [child for child in c if isinstance(child, str) and not isinstance(child, Token)]

    def sub_line(self, c):
        return _Line("proc", c[0].line, c[0].column, "SUB", c[1].value.lower(), _first_list(c))

    def function_line(self, c):
        return _Line("proc", c[0].line, c[0].column, "FUNCTION", c[1].value.lower(), _first_list(c))

    def p_like(self, c):
        literal = c[1] if isinstance(c[1], n.Literal) else _token_literal(c[1])
        value = literal.value
        return ("like", str(value).lower() if isinstance(value, bool) else str(value))

    def neg_int(self, c):
        return n.Literal(c[0].line, c[0].column, -int(c[1].value))

    def p_enum(self, c):
        return ("enum", c[1])

    def array_items_lit(self, c):
        values: list[str] = []
        for item in _first_list(c):
            if not isinstance(item, n.Literal) or item.value is None:
                assert self.ctx is not None
                raise self.ctx.error(
                    'ENUM values must be constants, e.g. ENUM ["a", "b"]', item.line, item.column
                )
            values.append(str(item.value))
        return values

    def p_desc(self, c):
        return ("desc", _unescape(c[1].value[1:-1]))

    def param_def(self, c):
        token = c[0]
        type_name = "string"
        if len(c) > 2 and isinstance(c[2], Token):
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
        return _Line("param", c[0].line, c[0].column, [child for child in c if isinstance(child, n.Param)])

    def description_line(self, c):
        return _Line("description", c[0].line, c[0].column, _unescape(c[1].value[1:-1]))


# --- keyword matching ---------------------------------------------------------------------


def _piece(item: Any, raw: RawText) -> Piece:
    if isinstance(item, Token):
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


def _args_to_pieces(args: list[Any], raw: RawText) -> list[Piece]:
    pieces: list[Piece] = []
    for position, arg in enumerate(args):
        if position:
            pieces.append(Piece("comma", None, None, ",", arg.line, arg.column))
        pieces.append(_piece(arg, raw))
    return pieces


def _no_form(ctx: _Context, spec: KeywordSpec, line: int, column: int) -> BasicSyntaxError:
    return ctx.error(f"{spec.key} expects: {ctx.tables.describe_forms(spec)}", line, column)


def _keyword_from_args(
    ctx: _Context, spec: KeywordSpec, args: list[Any], line: int, column: int
) -> n.KeywordCall:
    """``PHRASE(a, b)`` used as a value: the arguments are matched like ``PHRASE a, b``."""
    match = match_forms(ctx.tables.forms[spec.key], _args_to_pieces(args, ctx.raw), ctx.raw)
    if match is None or match.rest:
        raise _no_form(ctx, spec, line, column)
    return n.KeywordCall(line, column, spec.key, match.args, match.form_index)


@dataclass(slots=True)
class _Resolved:
    spec: KeywordSpec
    pieces: list[Piece]  # what followed the phrase, kept so continuation lines can be added
    match: Match
    line: int
    column: int

    def call(self) -> n.KeywordCall:
        return n.KeywordCall(self.line, self.column, self.spec.key, self.match.args, self.match.form_index)


def _find_keyword(ctx: _Context, pieces: list[Piece]) -> tuple[KeywordSpec, list[Piece]] | None:
    """The longest registered phrase at the start of ``pieces`` and the pieces after it."""
    tables = ctx.tables
    words: list[str] = []
    for piece in pieces[: tables.max_words]:
        if piece.word is None:
            break
        words.append(piece.word)
    count = len(words)
    if count < len(pieces) and count < tables.max_words:
        follower = pieces[count].node
        if isinstance(follower, n.Call) and _WORD.fullmatch(follower.name):
            spec = tables.spec_for_words(words + [follower.name.upper()])
            if spec is not None:
                return spec, _args_to_pieces(follower.args, ctx.raw) + pieces[count + 1 :]
    for size in range(count, 0, -1):
        spec = tables.spec_for_words(words[:size])
        if spec is not None:
            return spec, pieces[size:]
    return None


def _unknown_keyword(ctx: _Context, pieces: list[Piece]) -> BasicSyntaxError:
    first = pieces[0]
    words = [piece.word for piece in pieces[: ctx.tables.max_words] if piece.word is not None]
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


# --- nesting lines into blocks ------------------------------------------------------------

_TITLES = {"if": "IF", "for": "FOR", "foreach": "FOR EACH", "while": "WHILE", "do": "DO", "with": "WITH"}
_CLOSERS = {
    "if": "END IF",
    "for": "NEXT",
    "foreach": "NEXT",
    "while": "WEND",
    "do": "LOOP",
    "with": "END WITH",
}


class _Frame:
    __slots__ = ("kind", "line", "column", "node", "body", "spec", "labels", "gotos", "has_else")

    def __init__(
        self,
        kind: str,
        line: int,
        column: int,
        node: Any,
        body: list[Any] | None,
        spec: KeywordSpec | None = None,
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
            return " ".join(self.spec.block_end.upper().split())  # type: ignore[union-attr]
        return _CLOSERS[self.kind]


class _Assembler:
    def __init__(self, ctx: _Context, items: list[_Line], text_blocks: dict[int, _TextBlock]) -> None:
        self.ctx = ctx
        self.items = items
        self.text_blocks = text_blocks
        self.body: list[Any] = []
        self.procedures: dict[str, n.Procedure] = {}
        self.params: list[n.Param] = []
        self.description: str | None = None
        root = _Frame("program", 1, 1, None, self.body)
        root.labels, root.gotos = {}, []
        self.stack: list[_Frame] = [root]
        self.proc_names = {item.data[1] for item in items if item.kind == "proc"}
        self.end_phrases = {
            " ".join(spec.block_end.upper().split()): spec for spec in ctx.tables.registry if spec.block_end
        }

    def error(self, message: str, line: int, column: int) -> BasicSyntaxError:
        return self.ctx.error(message, line, column)

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

    def line(self, items: list[_Line], index: int) -> int:
        item = items[index]
        kind = item.kind
        top = self.stack[-1]
        if top.kind == "with" and kind not in ("end",):
            self.with_field(top, item)
            return index + 1
        handler = getattr(self, "on_" + kind)
        result = handler(item, items, index)
        return index + 1 if result is None else result

    # -- statements

    def add(self, stmt: Any) -> None:
        top = self.stack[-1]
        if top.body is None:
            raise self.error(f"expected CASE after {top.title} at line {top.line}", stmt.line, stmt.column)
        top.body.append(stmt)

    def scope(self) -> _Frame:
        for frame in reversed(self.stack):
            if frame.labels is not None:
                return frame
        return self.stack[0]

    def on_stmt(self, item: _Line, items: list[_Line], index: int) -> None:
        self.add(item.data[0])

    def on_label(self, item: _Line, items: list[_Line], index: int) -> None:
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

    def on_goto(self, item: _Line, items: list[_Line], index: int) -> None:
        self.scope().gotos.append((item.data[0], item.line, item.column))  # type: ignore[union-attr]
        self.add(n.Goto(item.line, item.column, item.data[0]))

    def on_onerror_goto(self, item: _Line, items: list[_Line], index: int) -> None:
        self.scope().gotos.append((item.data[0], item.line, item.column))  # type: ignore[union-attr]
        self.add(n.OnError(item.line, item.column, "goto", item.data[0]))

    def check_gotos(self, scope: _Frame) -> None:
        for label, line, column in scope.gotos or ():
            if label not in scope.labels:  # type: ignore[operator]
                where = "this SUB or FUNCTION" if scope.kind == "proc" else "the script"
                raise self.error(f"label {label} is not defined in {where}", line, column)

    def on_exit(self, item: _Line, items: list[_Line], index: int) -> None:
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

    def on_simple(self, item: _Line, items: list[_Line], index: int) -> int:
        stmts, resolved = self.simple(item)
        next_index = index + 1
        if resolved is not None:
            next_index = self.continuation(resolved, items, next_index)
            stmts[0] = self.rebuild(stmts[0], resolved)
        for stmt in stmts:
            self.place(stmt)
        return next_index

    on_keyword = on_simple

    def on_assign(self, item: _Line, items: list[_Line], index: int) -> int:
        return self.on_simple(item, items, index)

    def on_with(self, item: _Line, items: list[_Line], index: int) -> None:
        pieces = item.data[1]
        target = pieces[0] if len(pieces) == 1 else None
        if not isinstance(target, (n.Name, n.Member, n.Index)) or (
            isinstance(target, n.Member) and target.obj is None
        ):
            raise self.error("WITH needs the object to fill: WITH name ... END WITH", item.line, item.column)
        node = n.With(item.line, item.column, target, [])
        self.add(node)
        self.stack.append(_Frame("with", item.line, item.column, node, None))

    def with_field(self, frame: _Frame, item: _Line) -> None:
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

    def rebuild(self, stmt: Any, resolved: _Resolved) -> Any:
        call = resolved.call()
        if isinstance(stmt, n.Assign):
            stmt.value = call
        elif isinstance(stmt, n.Command):
            stmt.call = call
        return stmt

    def continuation(self, resolved: _Resolved, items: list[_Line], index: int) -> int:
        """Fold following lines that start with one of the keyword's clause words into it."""
        clause = self.ctx.tables.clause_words.get(resolved.spec.key)
        if not clause:
            return index
        while index < len(items):
            item = items[index]
            if item.kind == "simple" and isinstance(item.data[0], n.Name) and item.data[1] is not None:
                extra = [_piece(item.data[0], self.ctx.raw)] + [_piece(p, self.ctx.raw) for p in item.data[1]]
            elif item.kind in ("with", "keyword"):
                extra = [_piece(item.data[0], self.ctx.raw)] + [_piece(p, self.ctx.raw) for p in item.data[1]]
            else:
                return index
            if extra[0].word not in clause:
                return index
            pieces = resolved.pieces + extra
            match = match_forms(self.ctx.tables.forms[resolved.spec.key], pieces, self.ctx.raw)
            if match is None or match.rest:
                return index
            resolved.pieces, resolved.match = pieces, match
            index += 1
        return index

    def simple(self, item: _Line) -> tuple[list[Any], _Resolved | None]:
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
            pieces = [_piece(p, raw) for p in rest]
            resolved = self.value_keyword(pieces, item)
            value = resolved.call() if resolved is not None else self.value(rest, item)
            return [n.Assign(item.line, item.column, head, value)], resolved
        if item.kind == "keyword":
            pieces = [_piece(head, raw)] + [_piece(p, raw) for p in rest]
            return self.keyword_statement(pieces, item)
        if rest is None:
            if isinstance(head, n.MethodCall):
                return [n.ExprStatement(item.line, item.column, head)], None
            if isinstance(head, n.Call):
                spec = self.ctx.tables.spec_for_words(head.name.upper().split())
                if spec is None:
                    return [n.ExprStatement(item.line, item.column, head)], None
                call = _keyword_from_args(self.ctx, spec, head.args, head.line, head.column)
                return [n.Command(item.line, item.column, call)], None
            if isinstance(head, n.Name):
                return self.keyword_statement([_piece(head, raw)], item)
            raise self.error(
                "this line does nothing: expected = and a value, or a call", item.line, item.column
            )
        if not isinstance(head, n.Name):
            first = rest[0]
            raise self.error(
                f"unexpected {_piece_text(_piece(first, raw))}: expected = and a value, or end of line",
                first.line,
                first.column,
            )
        return self.keyword_statement([_piece(head, raw)] + [_piece(p, raw) for p in rest], item)

    def keyword_statement(self, pieces: list[Piece], item: _Line) -> tuple[list[Any], _Resolved | None]:
        found = _find_keyword(self.ctx, pieces)
        if found is None:
            head = pieces[0]
            if head.kind == "expr" and isinstance(head.node, n.Name) and head.node.name in self.proc_names:
                return [self.procedure_call(head.node, pieces[1:], item)], None
            raise _unknown_keyword(self.ctx, pieces)
        spec, rest = found
        match = match_forms(self.ctx.tables.forms[spec.key], rest, self.ctx.raw)
        if match is None:
            raise _no_form(self.ctx, spec, item.line, item.column)
        resolved = _Resolved(
            spec, rest[: len(rest) - len(match.rest)], match, pieces[0].line, pieces[0].column
        )
        stmts: list[Any] = [n.Command(item.line, item.column, resolved.call())]
        if match.rest:
            stmts.extend(self.trailing(match.rest))
        return stmts, resolved

    def trailing(self, pieces: list[Piece]) -> list[Any]:
        """The statement written after a keyword form's ``:`` on the same line."""
        first = pieces[0]
        if first.kind == "expr" and len(pieces) == 1:
            node = first.node
            if isinstance(node, n.MethodCall) or (
                isinstance(node, n.Call) and not isinstance(node, n.KeywordCall)
            ):
                return [n.ExprStatement(first.line, first.column, node)]
            if (
                isinstance(node, n.Binary)
                and node.op == "="
                and isinstance(node.left, (n.Name, n.Member, n.Index))
            ):
                return [n.Assign(first.line, first.column, node.left, node.right)]
        if first.word is None:
            raise self.error("expected a statement after ':'", first.line, first.column)
        fake = _Line("keyword", first.line, first.column)
        stmts, _ = self.keyword_statement(pieces, fake)
        return stmts

    def procedure_call(self, name: n.Name, pieces: list[Piece], item: _Line) -> n.ExprStatement:
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

    def value_keyword(self, pieces: list[Piece], item: _Line) -> _Resolved | None:
        """``x = KEYWORD args``: the keyword when the right side starts with one."""
        first = pieces[0]
        if first.word is None:
            return None
        if len(pieces) == 1:
            spec = self.ctx.tables.spec_for_words([first.word])
            if spec is None or spec.key not in self.ctx.tables.zero_arg:
                return None
        found = _find_keyword(self.ctx, pieces)
        if found is None:
            if len(pieces) == 1:
                return None
            raise _unknown_keyword(self.ctx, pieces)
        spec, rest = found
        match = match_forms(self.ctx.tables.forms[spec.key], rest, self.ctx.raw)
        if match is None or match.rest:
            raise _no_form(self.ctx, spec, first.line, first.column)
        return _Resolved(spec, rest, match, first.line, first.column)

    def value(self, rest: list[Any], item: _Line) -> Any:
        pieces = [_piece(p, self.ctx.raw) for p in rest]
        resolved = self.value_keyword(pieces, item)
        if resolved is not None:
            return resolved.call()
        if len(pieces) > 1:
            extra = pieces[1]
            raise self.error(
                f"unexpected {_piece_text(extra)} after the value: expected an operator or end of line",
                extra.line,
                extra.column,
            )
        expr = pieces[0].as_expr()
        if expr is None:
            raise self.error(
                f"expected a value after =, found {_piece_text(pieces[0])}", pieces[0].line, pieces[0].column
            )
        return expr

    def place(self, stmt: Any) -> None:
        """Add a statement; keyword blocks open here, and section keywords split their block."""
        if isinstance(stmt, n.Command):
            tables = self.ctx.tables
            spec = tables.registry.get(stmt.call.phrase)
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
            if spec is not None and spec.block_end:
                block = n.KeywordBlock(stmt.line, stmt.column, stmt.call, [])
                if spec.block_text:
                    text = self.text_blocks.get(stmt.line)
                    if text is None:
                        raise self.error(f"{spec.key} must start its line", stmt.line, stmt.column)
                    stmt.call.args["body"] = self.interpolate(text)
                self.add(block)
                self.stack.append(_Frame("keyword", stmt.line, stmt.column, block, block.body, spec))
                return
        self.add(stmt)

    def interpolate(self, block: _TextBlock) -> n.Interpolated:
        parts: list[Any] = []
        text = block.text
        line, column = block.first_line, 1
        position = 0
        buffer: list[str] = []
        while position < len(text):
            char = text[position]
            if char == "$" and text.startswith("${", position):
                end = _hole_end(text, position + 2)
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

    def close(self, expected: tuple[str, ...], item: _Line, name: str, check=None) -> _Frame:
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

    def open(self, frame: _Frame) -> None:
        self.stack.append(frame)

    def on_if(self, item: _Line, items: list[_Line], index: int) -> None:
        body: list[Any] = []
        node = n.If(item.line, item.column, [(item.data[0], body)], None)
        self.add(node)
        self.open(_Frame("if", item.line, item.column, node, body))

    def on_if_inline(self, item: _Line, items: list[_Line], index: int) -> None:
        cond, then_line, else_line = item.data
        then_body = self.inline(then_line)
        else_body = self.inline(else_line) if else_line is not None else None
        self.add(n.If(item.line, item.column, [(cond, then_body)], else_body))

    def inline(self, item: _Line) -> list[Any]:
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
                spec = self.ctx.tables.registry.get(stmt.call.phrase)
                if spec is not None and spec.block_end:
                    raise self.error(
                        f"{spec.key} opens a block and must be on its own line", stmt.line, stmt.column
                    )
        return stmts

    def on_elseif(self, item: _Line, items: list[_Line], index: int) -> None:
        frame = self.if_frame(item, "ELSEIF")
        if frame.has_else:
            raise self.error(f"ELSEIF after ELSE in the IF at line {frame.line}", item.line, item.column)
        body: list[Any] = []
        frame.node.branches.append((item.data[0], body))
        frame.body = body

    def on_else(self, item: _Line, items: list[_Line], index: int) -> None:
        frame = self.if_frame(item, "ELSE")
        if frame.has_else:
            raise self.error(f"the IF at line {frame.line} already has an ELSE", item.line, item.column)
        frame.has_else = True
        frame.node.else_body = []
        frame.body = frame.node.else_body

    def if_frame(self, item: _Line, word: str) -> _Frame:
        top = self.stack[-1]
        if top.kind == "if":
            return top
        if any(frame.kind == "if" for frame in self.stack):
            raise self.error(f"{top.title} at line {top.line} has no {top.closer}", item.line, item.column)
        raise self.error(f"{word} without IF", item.line, item.column)

    def on_for(self, item: _Line, items: list[_Line], index: int) -> None:
        var, start, end, step = item.data
        body: list[Any] = []
        node = n.ForRange(item.line, item.column, var, start, end, step, body)
        self.add(node)
        self.open(_Frame("for", item.line, item.column, node, body))

    def on_foreach(self, item: _Line, items: list[_Line], index: int) -> None:
        var, iterable = item.data
        body: list[Any] = []
        node = n.ForEach(item.line, item.column, var, iterable, body)
        self.add(node)
        self.open(_Frame("foreach", item.line, item.column, node, body))

    def on_next(self, item: _Line, items: list[_Line], index: int) -> None:
        frame = self.close(("for", "foreach"), item, "NEXT without FOR")
        name = item.data[0]
        if name is not None and name != frame.node.var:
            raise self.error(
                f"NEXT {name} does not match the FOR {frame.node.var} at line {frame.line}",
                item.line,
                item.column,
            )

    def on_while(self, item: _Line, items: list[_Line], index: int) -> None:
        body: list[Any] = []
        node = n.While(item.line, item.column, item.data[0], body)
        self.add(node)
        self.open(_Frame("while", item.line, item.column, node, body))

    def on_wend(self, item: _Line, items: list[_Line], index: int) -> None:
        self.close(("while",), item, "WEND without WHILE")

    def on_do(self, item: _Line, items: list[_Line], index: int) -> None:
        cond, until = item.data
        body: list[Any] = []
        node = n.DoLoop(item.line, item.column, cond, until, cond is not None, body)
        self.add(node)
        self.open(_Frame("do", item.line, item.column, node, body))

    def on_loop(self, item: _Line, items: list[_Line], index: int) -> None:
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

    def on_select(self, item: _Line, items: list[_Line], index: int) -> None:
        subject, is_switch = item.data
        node = n.Select(item.line, item.column, subject, [], None)
        self.add(node)
        self.open(_Frame("select", item.line, item.column, node, None, "switch" if is_switch else None))  # type: ignore[arg-type]

    def select_frame(self, item: _Line, word: str) -> _Frame:
        top = self.stack[-1]
        if top.kind == "select":
            return top
        if any(frame.kind == "select" for frame in self.stack):
            raise self.error(f"{top.title} at line {top.line} has no {top.closer}", item.line, item.column)
        raise self.error(f"{word} without SELECT CASE or SWITCH", item.line, item.column)

    def on_case(self, item: _Line, items: list[_Line], index: int) -> None:
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

    def on_case_else(self, item: _Line, items: list[_Line], index: int) -> None:
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

    def on_proc(self, item: _Line, items: list[_Line], index: int) -> None:
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
        frame = _Frame("proc", item.line, item.column, node, node.body)
        frame.labels, frame.gotos = {}, []
        self.open(frame)

    def on_end(self, item: _Line, items: list[_Line], index: int) -> None:
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
            spec = self.end_phrases[words]
            self.close(
                ("keyword",),
                item,
                f"{words} without {spec.key}",
                lambda f: f.spec.block_end and " ".join(f.spec.block_end.upper().split()) == words,
            )
        elif words == "END":
            raise self.error("END needs the name of the block it closes, e.g. END IF", item.line, item.column)
        else:
            raise self.error(f"{words} does not close any block", item.line, item.column)

    def on_param(self, item: _Line, items: list[_Line], index: int) -> None:
        self.header(item, "PARAM")
        self.params.extend(item.data[0])

    def on_description(self, item: _Line, items: list[_Line], index: int) -> None:
        self.header(item, "DESCRIPTION")
        text = item.data[0]
        self.description = text if self.description is None else f"{self.description}\n{text}"

    def header(self, item: _Line, word: str) -> None:
        if len(self.stack) > 1:
            top = self.stack[-1]
            raise self.error(
                f"{word} belongs to the script header, not inside {top.title} (line {top.line})",
                item.line,
                item.column,
            )


def _piece_text(piece: Piece) -> str:
    if piece.kind == "comma":
        return "','"
    if piece.kind == "colon":
        return "':'"
    if piece.word is not None:
        return piece.text
    node = piece.node
    if isinstance(node, n.Literal):
        return repr(node.value) if isinstance(node.value, str) else str(node.value)
    return "an expression"


def _hole_end(text: str, start: int) -> int:
    """Index of the ``}`` closing a ``${`` hole, skipping strings and nested braces; -1 if none."""
    depth = 0
    position = start
    in_string = False
    while position < len(text):
        char = text[position]
        if in_string:
            if char == "\\":
                position += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return position
            depth -= 1
        elif char == "\n":
            return -1
        position += 1
    return -1
