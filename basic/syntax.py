"""The keyword form template language, and matching a statement's pieces against it.

A :class:`~basic.registry.KeywordSpec` lists one or more *forms*: templates of what may follow
the keyword's phrase. The parser reads every keyword statement generically as a sequence of
*pieces* (expressions, commas, colons and bare words) and this module decides which form they
fit, so a new keyword never needs a grammar change. Forms are tried in order; the first that
matches wins and its index is recorded in ``KeywordCall.form``.

Template elements:

``{name}``
    one expression (``args[name]`` is the expression).
``{name:exprs}``
    one or more comma-separated expressions (``args[name]`` is a list).
``{name:target}``
    an assignable place: a variable, a field or an element with a constant index (``HEAR x``,
    ``HEAR order.qty``, ``PUSH o.items, v``, ``HEAR rows[2]``). The handler gets its path as
    text, names lower-cased (``"order.qty"``, ``'m["Key"]'``), which ``run.assign`` and
    ``run.reference`` of the VM read.
``{name:word}``
    a bare identifier, taken as its text as written (``HEAR x AS EMAIL`` gives ``"EMAIL"``).
``{name:raw}``
    the rest of the source line as text, e.g. ``SET SCHEDULE every 1 hour``; when the rest is
    a single quoted string, its content.
``{name:source}``
    one expression, given to the handler as its source text: checked when the script
    compiles, evaluated later and elsewhere (``WAIT FOR EVENT "x" WHERE {condition:source}`` is
    checked against each event as it arrives, with the event in scope).
``WORD``
    an upper-case word is a literal clause word, matched case-insensitively (``AS``, ``TO``).
``,`` and ``:``
    literal punctuation.
``[ ... ]``
    an optional group. A group made only of literal words is a flag: ``[TO ALL]`` sets
    ``args["to_all"] = True`` when present.

Two slots separated only by a space are two expressions written side by side
(``BOT {bot} {task}`` accepts ``BOT "x" "do it"``). A form whose last matched element is ``:``
may be followed by a statement on the same line (``BRANCH A: BOT "x" "y"``); the parser reads
that rest as the next statement. Literal words of a form that are not at its start are the
keyword's *clause words*: a line starting with one of them continues the statement above
(``WITH OPTIMIZE FOR "quality"`` under ``result = LLM "..."``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .nodes import Index, Literal, Member, Name, Node

SLOT_KINDS = ("expr", "exprs", "target", "word", "raw", "source")
_ONE_PIECE = frozenset({"expr", "target", "word"})  # slot kinds that always take one piece


@dataclass(frozen=True, slots=True)
class Slot:
    name: str
    kind: str = "expr"


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal word (upper case) or ``,`` / ``:``."""

    text: str


@dataclass(frozen=True, slots=True)
class Group:
    elements: tuple[Element, ...]
    flag: str | None = None  # set when the group holds only literal words


Element = Slot | Lit | Group


@dataclass(frozen=True, slots=True)
class Form:
    template: str
    elements: tuple[Element, ...]
    # No groups and no slot that can take a varying number of pieces: there is at most one way
    # to match, found without backtracking.
    flat: bool = field(default=False, compare=False)

    @property
    def clause_words(self) -> frozenset[str]:
        """Literal words after the first element: they may start a continuation line."""
        words: set[str] = set()
        _collect_words(self.elements, words, skip_first=True)
        return frozenset(words)


def _collect_words(elements: tuple[Element, ...], words: set[str], *, skip_first: bool) -> None:
    for position, element in enumerate(elements):
        if isinstance(element, Lit) and element.text not in (",", ":"):
            if not (skip_first and position == 0):
                words.add(element.text)
        elif isinstance(element, Group):
            _collect_words(element.elements, words, skip_first=False)


_TOKEN = re.compile(r"\s*(?:(\{)\s*(\w+)\s*(?::\s*(\w+)\s*)?\}|(\[)|(\])|(,)|(:)|([A-Za-z_][A-Za-z0-9_]*))")


def compile_form(template: str) -> Form:
    """Compile one template; a malformed template is a programming error (``ValueError``)."""
    stack: list[list[Element]] = [[]]
    position = 0
    text = template.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ValueError(f"bad keyword form {template!r} at {text[position:]!r}")
        position = match.end()
        brace, slot_name, slot_kind, open_, close, comma, colon, word = match.groups()
        if brace:
            kind = slot_kind or "expr"
            if kind not in SLOT_KINDS:
                raise ValueError(f"bad slot kind {kind!r} in form {template!r}; use one of {SLOT_KINDS}")
            stack[-1].append(Slot(slot_name, kind))
        elif open_:
            stack.append([])
        elif close:
            if len(stack) == 1:
                raise ValueError(f"unbalanced ] in keyword form {template!r}")
            group = tuple(stack.pop())
            only_words = group and all(isinstance(e, Lit) and e.text not in (",", ":") for e in group)
            flag = "_".join(e.text.lower() for e in group) if only_words else None  # type: ignore[union-attr]
            stack[-1].append(Group(group, flag))
        elif comma:
            stack[-1].append(Lit(","))
        elif colon:
            stack[-1].append(Lit(":"))
        else:
            if word != word.upper():
                raise ValueError(f"literal word {word!r} in keyword form {template!r} must be upper case")
            stack[-1].append(Lit(word))
    if len(stack) != 1:
        raise ValueError(f"unbalanced [ in keyword form {template!r}")
    elements = tuple(stack[0])
    flat = all(isinstance(e, Lit) or (isinstance(e, Slot) and e.kind in _ONE_PIECE) for e in elements)
    return Form(template, elements, flat)


def render_form(phrase: str, form: Form) -> str:
    """A form in readable syntax, as shown in error messages and the language reference."""
    body = _render(form.elements)
    return f"{phrase} {body}".strip()


def _render(elements: tuple[Element, ...]) -> str:
    out: list[str] = []
    for element in elements:
        if isinstance(element, Slot):
            if element.kind == "exprs":
                out.append(f"{element.name}, ...")
            elif element.kind == "raw":
                out.append(f"{element.name}...")
            else:
                out.append(element.name)
        elif isinstance(element, Lit):
            if element.text in (",", ":") and out:
                out[-1] += element.text
            else:
                out.append(element.text)
        else:
            out.append(f"[{_render(element.elements)}]")
    return " ".join(out)


# --- pieces and matching -----------------------------------------------------------------


@dataclass(slots=True)
class Piece:
    """One item of a keyword statement after its phrase.

    ``kind`` is ``"expr"``, ``"word"`` (a reserved clause word such as TO that is not an
    expression), ``"comma"`` or ``"colon"``. ``word`` is the upper-case text when the piece is a
    bare identifier (an expression ``Name`` or a clause word), else None; ``text`` is that word
    as written.
    """

    kind: str
    node: Any
    word: str | None
    text: str
    line: int
    column: int

    def as_expr(self) -> Node | None:
        if self.kind == "expr":
            return self.node
        if self.kind == "word":
            return Name(self.line, self.column, self.text.lower())
        return None


@dataclass(slots=True)
class Match:
    form_index: int
    args: dict[str, Any]
    rest: list[Piece] = field(default_factory=list)  # pieces after a form ending with ":"


class RawText:
    """Supplies the source text of a line from a column on, for ``{name:raw}`` slots."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def from_piece(self, piece: Piece) -> str:
        text = self.lines[piece.line - 1][piece.column - 1 :]
        return strip_trailing_comment(text).strip()

    def between(self, piece: Piece, following: Piece | None) -> str:
        """The text of ``piece``: up to the next piece on its line, or to the end of the line."""
        if following is None or following.line != piece.line:
            return self.from_piece(piece)
        return self.lines[piece.line - 1][piece.column - 1 : following.column - 1].strip()


def strip_trailing_comment(text: str) -> str:
    """Cut a ``'`` or ``//`` comment that is not inside a string."""
    in_string = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "'" or text.startswith("//", index):
            return text[:index]
        index += 1
    return text


def match_forms(forms: tuple[Form, ...], pieces: list[Piece], raw: RawText) -> Match | None:
    """The first form the pieces fit completely; failing that, the first that fits up to a ``:``
    followed by more pieces (the rest is another statement)."""
    partial: Match | None = None
    for index, form in enumerate(forms):
        if form.flat:
            found = _match_flat(form.elements, pieces)
            results: Any = () if found is None else (found,)
        else:
            results = _match(form.elements, 0, pieces, 0, {}, raw)
        for args, position, last in results:
            if position == len(pieces):
                return Match(index, args)
            if partial is None and last == ":":
                partial = Match(index, args, pieces[position:])
    return partial


def _match_flat(elements: tuple[Element, ...], pieces: list[Piece]) -> _Result | None:
    """The only way a flat form fits the start of the pieces, or None."""
    args: dict[str, Any] = {}
    last: str | None = None
    if len(pieces) < len(elements):
        return None
    for element, piece in zip(elements, pieces, strict=False):
        if isinstance(element, Lit):
            text = element.text
            if text == ",":
                ok = piece.kind == "comma"
            elif text == ":":
                ok = piece.kind == "colon"
            else:
                ok = piece.word == text
            if not ok:
                return None
            last = text
        else:
            value = _one_piece(element.kind, piece)
            if value is None:
                return None
            args[element.name] = value
            last = None
    return args, len(elements), last


def _one_piece(kind: str, piece: Piece) -> Any:
    """The value of an expr, target or word slot taking ``piece``, or None if it does not fit."""
    if kind == "expr":
        return piece.as_expr()
    if kind == "target":
        return target_path(piece.as_expr())
    return piece.text if piece.word is not None else None


def target_path(expr: Node | None) -> str | None:
    """The path text of an assignable place (``order.items[2]``), or None if ``expr`` is not
    one: a variable, then fields and elements whose index is a whole number or a string."""
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Member) and expr.obj is not None:
        base = target_path(expr.obj)
        return None if base is None else f"{base}.{expr.name}"
    if isinstance(expr, Index):
        base = target_path(expr.obj)
        index = expr.index
        if base is None or not isinstance(index, Literal):
            return None
        value = index.value
        if type(value) is int:
            return f"{base}[{value}]"
        if isinstance(value, str) and '"' not in value:
            return f'{base}["{value}"]'
    return None


_Result = tuple[dict[str, Any], int, str | None]


def _match(
    elements: tuple[Element, ...],
    e_pos: int,
    pieces: list[Piece],
    p_pos: int,
    args: dict[str, Any],
    raw: RawText,
    last: str | None = None,
) -> Iterator[_Result]:
    """Yield every way the elements from ``e_pos`` fit the pieces from ``p_pos`` (backtracking)."""
    if e_pos == len(elements):
        yield args, p_pos, last
        return
    element = elements[e_pos]
    piece = pieces[p_pos] if p_pos < len(pieces) else None
    if isinstance(element, Lit):
        if piece is None:
            return
        if element.text == ",":
            ok = piece.kind == "comma"
        elif element.text == ":":
            ok = piece.kind == "colon"
        else:
            ok = piece.word == element.text
        if ok:
            yield from _match(elements, e_pos + 1, pieces, p_pos + 1, args, raw, element.text)
        return
    if isinstance(element, Group):
        for inner_args, inner_pos, inner_last in _match(
            element.elements, 0, pieces, p_pos, dict(args), raw, last
        ):
            if element.flag:
                inner_args[element.flag] = True
            yield from _match(elements, e_pos + 1, pieces, inner_pos, inner_args, raw, inner_last)
        yield from _match(elements, e_pos + 1, pieces, p_pos, args, raw, last)
        return
    if piece is None:
        return
    kind = element.kind
    if kind in _ONE_PIECE:
        value = _one_piece(kind, piece)
        if value is not None:
            yield from _match(elements, e_pos + 1, pieces, p_pos + 1, {**args, element.name: value}, raw)
    elif kind == "source":
        if piece.kind == "expr":
            following = pieces[p_pos + 1] if p_pos + 1 < len(pieces) else None
            value = raw.between(piece, following)
            yield from _match(elements, e_pos + 1, pieces, p_pos + 1, {**args, element.name: value}, raw)
    elif kind == "raw":
        end = p_pos
        while end < len(pieces) and pieces[end].line == piece.line:
            end += 1
        taken = pieces[p_pos:end]
        if len(taken) == 1 and isinstance(taken[0].node, Literal) and isinstance(taken[0].node.value, str):
            value = taken[0].node.value
        else:
            value = raw.from_piece(piece)
        yield from _match(elements, e_pos + 1, pieces, end, {**args, element.name: value}, raw)
    else:  # exprs: longest list first
        values: list[Any] = []
        ends: list[int] = []
        position = p_pos
        while position < len(pieces):
            expr = pieces[position].as_expr()
            if expr is None:
                break
            values.append(expr)
            ends.append(position + 1)
            if position + 1 < len(pieces) and pieces[position + 1].kind == "comma":
                position += 2
            else:
                break
        for count in range(len(values), 0, -1):
            yield from _match(
                elements, e_pos + 1, pieces, ends[count - 1], {**args, element.name: values[:count]}, raw
            )
