"""The effect journal: completed effects of a run, by sequence number.

Every call of a keyword spec with ``effect=True`` gets the next number of the run's effect
counter (saved in the VM state). Before calling the handler the VM looks the number up: if the
journal holds a result, the effect already happened in an earlier attempt and its result is
reused instead. So a run resumed from an older saved state (after a crash, or a second delivery
of the same task) never repeats a completed effect. The apps store journals in the database.
"""

from __future__ import annotations

from typing import Any, Protocol


class Journal(Protocol):
    def get(self, seq: int) -> tuple[bool, Any]:
        """``(True, result)`` if effect ``seq`` completed, else ``(False, None)``."""

    def record(self, seq: int, phrase: str, result: Any) -> None:
        """Store the result of effect ``seq`` (a JSON value) once it has completed."""


class MemoryJournal:
    """A journal in a dict: for tests, the console runner and single-process runs."""

    def __init__(self) -> None:
        self.entries: dict[int, tuple[str, Any]] = {}

    def get(self, seq: int) -> tuple[bool, Any]:
        entry = self.entries.get(seq)
        return (True, entry[1]) if entry is not None else (False, None)

    def record(self, seq: int, phrase: str, result: Any) -> None:
        self.entries[seq] = (phrase, result)
