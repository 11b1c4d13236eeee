"""The effect journal of a dialog run, in the database (the protocol of basic/journal.py)."""

from __future__ import annotations

import json
from typing import Any

from bots.models import DialogRun, JournalEntry


class DbJournal:
    """Completed effects of one run. Entries are read once per advance and written as effects
    complete, in the same transaction as the run's new state, so state and journal never disagree.
    """

    def __init__(self, run: DialogRun, *, fresh: bool = False) -> None:
        self.run = run
        self._entries: dict[int, str] | None = {} if fresh else None

    def _loaded(self) -> dict[int, str]:
        if self._entries is None:
            self._entries = dict(JournalEntry.objects.filter(run=self.run).values_list("seq", "result"))
        return self._entries

    def get(self, seq: int) -> tuple[bool, Any]:
        text = self._loaded().get(seq)
        return (False, None) if text is None else (True, json.loads(text))

    def record(self, seq: int, phrase: str, result: Any) -> None:
        text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        JournalEntry.objects.create(run=self.run, seq=seq, phrase=phrase[:100], result=text)
        self._loaded()[seq] = text
