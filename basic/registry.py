"""The keyword registry: every statement keyword is a spec.

A spec names its phrase (one or more words), the syntax forms it accepts (a small template
language, see :mod:`basic.syntax`), the handler that runs it, and the reference text the
language reference is generated from. Apps add keywords by registering specs from
``AppConfig.ready()``; the parser recognises them without grammar edits.

Handler protocol: ``handler(run, args) -> value | Suspend``. ``run`` is the VM's
:class:`basic.vm.RunContext` (host services, variables, position); ``args`` maps slot names to
evaluated values (expression slots) or plain strings (word, raw and target slots). Returning
:class:`Suspend` stops the run with its state saved; when the run is resumed with a value the
VM calls ``on_resume(run, args, value)`` (or, without one, uses the value as the keyword's
result). A spec with ``effect=True`` is journaled: once it has completed, a resumed run reuses
its recorded result instead of running it again.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Suspend:
    """Returned by a handler to stop the run until something happens.

    ``waiting_for`` is a short machine name (``"input"``, ``"event"``, ``"approval"``,
    ``"timer"``...) and ``detail`` is JSON data the host needs to wake the run later.
    """

    waiting_for: str
    detail: dict[str, Any] = field(default_factory=dict)


Handler = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class KeywordSpec:
    phrase: str
    forms: tuple[str, ...]
    handler: Handler
    summary: str
    example: str
    on_resume: Handler | None = None
    # For a journaled effect whose result must also act on the run when it is replayed (PARALLEL
    # merges its branches' variables): ``on_replay(run, args, result)``.
    on_replay: Handler | None = None
    effect: bool = False
    category: str = "General"
    # Block keywords own a body up to ``block_end`` ("END ON"); ``block_text=True`` keeps the
    # body as text with ${expr} holes (BEGIN TALK) instead of parsing it as statements.
    block_end: str | None = None
    block_text: bool = False
    # Phrases of keywords that open labelled sections inside this block (PARALLEL: BRANCH).
    sections: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return normalize_phrase(self.phrase)


def normalize_phrase(phrase: str) -> str:
    return " ".join(phrase.upper().split())


class KeywordRegistry:
    """All known keywords, by canonical phrase."""

    def __init__(self) -> None:
        self._specs: dict[str, KeywordSpec] = {}
        self.version = 0  # bumped on every change, so parsers know to rebuild

    def register(self, spec: KeywordSpec) -> KeywordSpec:
        """Add or replace a keyword. Registering the same spec again is harmless."""
        self._specs[spec.key] = spec
        self.version += 1
        return spec

    def register_all(self, specs: Iterable[KeywordSpec]) -> None:
        for spec in specs:
            self.register(spec)

    def get(self, phrase: str) -> KeywordSpec | None:
        return self._specs.get(normalize_phrase(phrase))

    def __contains__(self, phrase: str) -> bool:
        return normalize_phrase(phrase) in self._specs

    def __iter__(self):
        return iter(sorted(self._specs.values(), key=lambda spec: spec.key))

    def __len__(self) -> int:
        return len(self._specs)

    def closest(self, words: str) -> str | None:
        """The known phrase nearest to ``words``, for "did you mean" messages."""
        matches = difflib.get_close_matches(normalize_phrase(words), self._specs, n=1, cutoff=0.5)
        return matches[0] if matches else None


registry = KeywordRegistry()
"""The process-wide registry that apps extend."""
