"""What the parser needs from one version of a keyword registry, computed once and cached."""

from __future__ import annotations

import re
import threading
import weakref

from basic.builtins import BUILTINS
from basic.registry import KeywordRegistry, KeywordSpec
from basic.syntax import RawText, compile_form, match_forms, render_form

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Keyword:
    """One registered keyword with what the parser derives from its spec."""

    __slots__ = (
        "spec",
        "key",
        "forms",
        "clause_words",
        "zero_arg",
        "value_builtin",
        "block_end",
        "has_target",
    )

    def __init__(self, spec: KeywordSpec, empty_raw: RawText) -> None:
        self.spec = spec
        self.key = spec.key
        self.forms = tuple(compile_form(template) for template in (spec.forms or ("",)))
        clause: set[str] = set()
        for form in self.forms:
            clause |= form.clause_words
        self.clause_words = frozenset(clause)  # words that may start a continuation line
        self.zero_arg = match_forms(self.forms, [], empty_raw) is not None
        # A single-word keyword that is also a built-in function: written with parentheses in
        # a value it is the function (``x = PUSH(list, 1)`` gives a new list, DIALECT.md §5).
        self.value_builtin = " " not in self.key and self.key in BUILTINS
        self.block_end = " ".join(spec.block_end.upper().split()) if spec.block_end else None
        self.has_target = any(":target}" in "".join(template.split()) for template in spec.forms)


class Tables:
    """Keyword lookup by words, compiled forms, clause words, block and section keywords."""

    def __init__(self, registry: KeywordRegistry) -> None:
        self.registry = registry
        self.lookup: dict[str, Keyword] = {}  # words joined by "_"
        self.by_key: dict[str, Keyword] = {}
        self.section_owner: dict[str, list[str]] = {}
        self.text_blocks: list[tuple[tuple[str, ...], Keyword]] = []
        self.end_phrases: dict[str, Keyword] = {}
        multiword: set[str] = set()
        empty_raw = RawText([])
        for spec in registry:
            keyword = Keyword(spec, empty_raw)
            key = keyword.key
            words = key.split()
            self.lookup["_".join(words)] = keyword
            self.by_key[key] = keyword
            if len(words) > 1 and all(_WORD.fullmatch(word) for word in words):
                multiword.add(key)
            if keyword.block_end:
                self.end_phrases[keyword.block_end] = keyword
                if spec.block_text:
                    self.text_blocks.append((tuple(words), keyword))
            for section in spec.sections:
                self.section_owner.setdefault(" ".join(section.upper().split()), []).append(key)
        self.max_words = max((len(key.split("_")) for key in self.lookup), default=1)
        self.multiword = tuple(sorted(multiword))
        self.text_blocks.sort(key=lambda item: -len(item[0]))
        starts = sorted({phrase[0] for phrase, _ in self.text_blocks})
        self.text_block_start = (
            re.compile(rf"^\s*(?:{'|'.join(map(re.escape, starts))})(?![A-Za-z0-9_])", re.M | re.I)
            if starts
            else None
        )

    def keyword_for_words(self, words: list[str]) -> Keyword | None:
        return self.lookup.get("_".join(words))

    def describe_forms(self, keyword: Keyword) -> str:
        return " | ".join(render_form(keyword.key, form) for form in keyword.forms)


_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[KeywordRegistry, tuple[int, Tables]] = weakref.WeakKeyDictionary()


def tables_for(registry: KeywordRegistry) -> Tables:
    """The tables of the registry's current version (rebuilt after any registration)."""
    with _lock:
        cached = _cache.get(registry)
        if cached is not None and cached[0] == registry.version:
            return cached[1]
        tables = Tables(registry)
        _cache[registry] = (registry.version, tables)
        return tables
