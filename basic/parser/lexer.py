"""The tokenizer: words, numbers, strings, operators, comments and logical lines.

It replaces lark's contextual lexer (about half of the parse time) and gives the same tokens.
The terminals are those of ``grammar.lark``: their names, the keyword words and the punctuation
are read from the grammar (see :func:`basic.parser.engine.Engine`). Reading is context-free and
done ahead, a chunk of lines at a time; where lark would let the parser's state decide (a
reserved word is a keyword only where the grammar can take it, so ``step = 1``, ``row.end`` and
``#{ to: 1 }`` stay names; ``(`` is a call only right after a name...), the lexer takes the first
candidate and the engine asks :meth:`Lexer.alternative` when the parser refuses it.

It also decides which line breaks end a statement: a line ending in a comma, or inside an open
bracket, continues on the next one; blank and comment lines produce nothing.
"""

from __future__ import annotations

import re

# The source as a list of lexemes, each with the blanks before it, in one regex call (a list of
# strings is much cheaper to build than match objects or group tuples); positions are running
# sums of lengths. A lexeme is a REM comment (REM only as a whole word), a word, a line break
# (with the blank lines and the indentation after it), a string (a lone quote when it is not
# closed on its line), a ' or // comment, a number, a two-character operator, or any other
# single character. Blanks at the very end belong to nothing.
_LEXEMES = re.compile(
    r"[ \t\f\r]*(?:"
    r"(?i:rem)(?![A-Za-z0-9_])[^\n]*"
    r"|[A-Za-z_][A-Za-z0-9_]*"
    r"|\n[ \t\f\r\n]*"
    r'|"(?:[^"\\\n]|\\.)*"|"'
    r"|'[^\n]*|//[^\n]*"
    r"|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
    r"|==|<>|!=|<=|>=|#\{"
    r"|[^ \t\f\r\n]"
    r")"
)
_BLANKS = " \t\f\r"
# What a lexeme is, by its first character. Words starting with r may be REM comments; a lexeme
# starting with / is a comment when it is longer than the slash.
_WORD, _R_WORD, _NEWLINE, _STRING, _NUMBER, _COMMENT, _SLASH, _OTHER = range(8)
_CLASS = {char: _WORD for char in "ABCDEFGHIJKLMNOPQSTUVWXYZabcdefghijklmnopqstuvwxyz_"}
_CLASS.update({"r": _R_WORD, "R": _R_WORD, "\n": _NEWLINE, '"': _STRING, "'": _COMMENT, "/": _SLASH})
_CLASS.update({char: _NUMBER for char in "0123456789"})
_COMPARISONS = frozenset({"==", "<>", "!=", "<=", ">=", "<", ">"})
_WORD_AT_START = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NEW_OBJECT_REST = re.compile(r"[ \t]+object(?![A-Za-z0-9_])", re.IGNORECASE)
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_AFTER_VALUE = _WORD_CHARS | {")", "]"}

# Brackets: True opens one, False closes one. Line breaks inside brackets are ignored.
CLOSING = ("RPAR", "RSQB", "RBRACE")
BRACKETS = dict.fromkeys(
    ("LPAR", "SLPAR", "CALL_LPAR", "LSQB", "SLSQB", "IDX_LSQB", "LBRACE", "HASH_LBRACE"), True
)
BRACKETS.update(dict.fromkeys(CLOSING, False))

# Terminals with a regular expression in the grammar that this module reads by hand. Every
# other terminal must be a plain string (a keyword word or punctuation): the engine checks it.
HAND_READ = frozenset(
    {
        "NAME",
        "INT",
        "FLOAT",
        "STRING",
        "CMP_OP",
        "CALL_LPAR",
        "IDX_LSQB",
        "SLPAR",
        "SLSQB",
        "NEW_OBJECT",
        "PHRASE_CALL",
        "_NL",
        "WS",
        "COMMENT",
        "REM_COMMENT",
    }
)
BAD = "$BAD"  # the kind of a character no token starts with (never in the grammar)


class Tok:
    """A token: terminal name, text as written, and 1-based position."""

    __slots__ = ("type", "value", "line", "column")

    def __init__(self, type: str, value: str, line: int, column: int) -> None:
        self.type = type
        self.value = value
        self.line = line
        self.column = column

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


class LexState:
    """Where the lexer is between chunks: line, start of that line, last token kind, and the
    brackets still open."""

    __slots__ = ("line", "line_start", "previous", "opens")

    def __init__(
        self, line: int = 1, line_start: int = 0, previous: str = "_NL", opens: list[Tok] | None = None
    ):
        self.line = line
        self.line_start = line_start
        self.previous = previous
        self.opens: list[Tok] = [] if opens is None else opens

    def copy(self) -> LexState:
        return LexState(self.line, self.line_start, self.previous, list(self.opens))

    def after(self, tokens: list[Tok]) -> LexState:
        """The state once ``tokens`` (read from this state, on its line) have been read."""
        state = self.copy()
        for token in tokens:
            opens = BRACKETS.get(token.type)
            if opens is True:
                state.opens.append(token)
            elif opens is False and state.opens:
                state.opens.pop()
            state.previous = token.type
        return state


class Lexer:
    """Reads tokens without asking the parser: every choice that depends on the parser's state
    takes the first candidate here (a keyword for a reserved word, CALL_LPAR for ``(`` after a
    name, PHRASE_CALL, NEW_OBJECT, ``==`` as a comparison), and :meth:`alternative` gives what
    lark's contextual lexer would have read instead when the parser does not take it."""

    def __init__(
        self, keywords: dict[str, str], punctuation: dict[str, str], phrases: tuple[str, ...]
    ) -> None:
        self.keywords = keywords  # lower-case word -> terminal name
        self.keyword_kinds = frozenset(keywords.values())
        # text -> terminal name; "(" and "[" depend on what precedes them
        self.punctuation = {text: kind for text, kind in punctuation.items() if text not in ("(", "[")}
        self.phrase = re.compile(phrase_pattern(phrases), re.IGNORECASE)
        self.phrase_starts = frozenset(phrase.split()[0].lower() for phrase in phrases)
        self.special_words = self.phrase_starts | {"new"}  # words that may start a longer token
        # Every way of writing each keyword and special word (they are case-insensitive), so
        # that reading a word needs one lookup and no lower-casing.
        self.spellings = {spelling: kind for word, kind in keywords.items() for spelling in _spellings(word)}
        self.special_spellings = frozenset(
            spelling for word in self.special_words for spelling in _spellings(word)
        )
        self.keywords_longest_first = sorted(keywords.items(), key=lambda item: (-len(item[0]), item[1]))
        # Lexemes that are always the same token, whatever surrounds them: a keyword that
        # starts no longer token, and punctuation other than brackets (which are counted).
        # One lookup reads most tokens of a script.
        self.plain = {
            spelling: kind
            for spelling, kind in self.spellings.items()
            if spelling not in self.special_spellings and spelling.lower() != "rem"
        }
        self.plain.update(
            (text, kind)
            for text, kind in self.punctuation.items()
            if kind not in BRACKETS and (_CLASS.get(text[0], _OTHER) == _OTHER or text == "/")
        )

    def lex(self, text: str, position: int, end: int, state: LexState) -> list[Tok]:
        """The tokens of ``text[position:end]`` (whole lines, or the rest of one), continuing
        from ``state``, which is updated. A character no token can start with ends the list as
        a ``$BAD`` token, so that errors are reported in source order."""
        plain = self.plain
        spellings = self.spellings
        punctuation = self.punctuation
        special = self.special_spellings
        classes = _CLASS
        brackets = BRACKETS
        tokens: list[Tok] = []
        append = tokens.append
        opens = state.opens
        line = state.line
        line_start = state.line_start
        previous = state.previous
        lexemes = iter(_LEXEMES.findall(text, position, end))
        for lexeme in lexemes:
            size = len(lexeme)
            value = lexeme.lstrip(_BLANKS)
            start = position + size - len(value)
            position += size
            kind = plain.get(value)
            if kind is not None:
                append(Tok(kind, value, line, start - line_start + 1))
                previous = kind
                continue
            group = classes.get(value[0], _OTHER)
            if group == _R_WORD:
                if value[:3].lower() == "rem" and (len(value) == 3 or value[3] not in _WORD_CHARS):
                    continue  # a REM comment
                group = _WORD
            if group == _WORD:
                kind = spellings.get(value, "NAME")
                if value in special:
                    kind, value, stop = self._longer_word(text, start, position, value.lower(), kind)
                    while position < stop:  # the other words of a phrase, or OBJECT
                        position += len(next(lexemes))
            elif group == _OTHER or (group == _SLASH and len(value) == 1):
                kind = punctuation.get(value)  # type: ignore[assignment]
                if kind is None:
                    if value == "(" or value == "[":
                        kind = _bracket(value, text[start - 1] if start else "")
                    elif value in _COMPARISONS:
                        kind = "CMP_OP"
                    else:
                        append(Tok(BAD, value[0], line, start - line_start + 1))
                        break
                opening = brackets.get(kind)
                if opening is not None:
                    token = Tok(kind, value, line, start - line_start + 1)
                    if opening:
                        opens.append(token)
                    elif opens:
                        opens.pop()
                    append(token)
                    previous = kind
                    continue
            elif group == _NEWLINE:
                if previous != "_NL" and previous != "COMMA" and not opens:
                    append(Tok("_NL", "\n", line, start - line_start + 1))
                    previous = "_NL"
                line += value.count("\n")
                line_start = start + value.rindex("\n") + 1
                continue
            elif group == _STRING:
                if len(value) == 1:  # no closing quote on the line
                    append(Tok(BAD, value, line, start - line_start + 1))
                    break
                kind = "STRING"
            elif group == _NUMBER:
                kind = "INT" if value.isdigit() else "FLOAT"
            else:  # a ' or // comment
                continue
            append(Tok(kind, value, line, start - line_start + 1))
            previous = kind
        state.line, state.line_start, state.previous = line, line_start, previous
        return tokens

    def _longer_word(self, text: str, start: int, end: int, low: str, kind: str) -> tuple[str, str, int]:
        """A multi-word phrase written as a call (``GET BOT MEMORY(``) or ``NEW OBJECT`` starting
        with this word, else the word itself; returns kind, text and end."""
        if low in self.phrase_starts:
            found = self.phrase.match(text, start)
            if found is not None:
                return "PHRASE_CALL", found.group(), found.end()
        if low == "new":
            found = _NEW_OBJECT_REST.match(text, end)
            if found is not None:
                return "NEW_OBJECT", text[start : found.end()], found.end()
        return kind, text[start:end], end

    def alternative(self, token: Tok, row: dict[str, int]) -> tuple[Tok, int] | None:
        """What lark's contextual lexer reads at ``token`` in a parser state (actions ``row``)
        that does not take it: a name for a keyword, a plain ``(`` or ``[``, the first word of
        a phrase or of NEW OBJECT, ``=`` for ``==``, or an accepted keyword at the start of a
        longer word (``RESUMENEXT``). Returns that token and how many characters of the original
        it covers (the rest is read again after it), or None when nothing else fits."""
        kind = token.type
        value = token.value
        if kind == "NAME" or kind in self.keyword_kinds:
            if kind != "NAME" and "NAME" in row:
                return Tok("NAME", value, token.line, token.column), len(value)
            if "NAME" not in row:
                low = value.lower()
                for word, prefix_kind in self.keywords_longest_first:
                    if prefix_kind in row and low.startswith(word) and len(word) < len(low):
                        return Tok(prefix_kind, value[: len(word)], token.line, token.column), len(word)
            return None
        if kind in ("CALL_LPAR", "SLPAR", "IDX_LSQB", "SLSQB"):
            plain = "LPAR" if value == "(" else "LSQB"
            return (Tok(plain, value, token.line, token.column), 1) if plain in row else None
        if kind in ("PHRASE_CALL", "NEW_OBJECT") and "NAME" in row:
            word = _WORD_AT_START.match(value).group()  # type: ignore[union-attr]
            first = Tok(self.keywords.get(word.lower()) or "NAME", word, token.line, token.column)
            if first.type not in row and first.type != "NAME":
                first.type = "NAME"  # NAME fits here
            return first, len(word)
        if kind == "CMP_OP" and value == "==" and "EQ" in row:
            return Tok("EQ", "=", token.line, token.column), 1
        return None


def _spellings(word: str) -> list[str]:
    """All upper/lower case spellings of a word."""
    spellings = [""]
    for char in word:
        spellings = [prefix + variant for prefix in spellings for variant in {char.lower(), char.upper()}]
    return spellings


def _bracket(char: str, before: str) -> str:
    """``(`` right after a name calls it, ``[`` right after a value indexes it, after a blank
    they may open a group or an array (the grammar's CALL_LPAR, SLPAR...); the plain LPAR and
    LSQB are the parser-side alternatives (:meth:`Lexer.alternative`)."""
    if char == "(":
        if before in _WORD_CHARS:
            return "CALL_LPAR"
        return "SLPAR" if before == " " or before == "\t" else "LPAR"
    if before in _AFTER_VALUE:
        return "IDX_LSQB"
    return "SLSQB" if before == " " or before == "\t" else "LSQB"


def phrase_pattern(phrases: tuple[str, ...]) -> str:
    """The PHRASE_CALL terminal: a multi-word keyword phrase written right before ``(``."""
    if not phrases:
        return "(?!x)x"
    alternatives = "|".join(r"[ \t]+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)
    return f"(?:{alternatives})(?=[ \\t]*\\()"
