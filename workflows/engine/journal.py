"""The effect journal of an execution, in the database (the protocol of basic/journal.py)."""

from __future__ import annotations

import json
from typing import Any

from workflows.models import ExecutionEffect, WorkflowExecution


class ExecutionJournal:
    """Completed effects of one execution, read once per advance and written in the transaction
    of the segment that completed them."""

    def __init__(self, execution: WorkflowExecution) -> None:
        self.execution = execution
        self._entries: dict[int, str] | None = None

    def _loaded(self) -> dict[int, str]:
        if self._entries is None:
            rows = ExecutionEffect.objects.filter(execution=self.execution).values_list("seq", "result")
            self._entries = dict(rows)
        return self._entries

    def get(self, seq: int) -> tuple[bool, Any]:
        text = self._loaded().get(seq)
        return (False, None) if text is None else (True, json.loads(text))

    def record(self, seq: int, phrase: str, result: Any) -> None:
        text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        ExecutionEffect.objects.create(execution=self.execution, seq=seq, phrase=phrase[:100], result=text)
        self._loaded()[seq] = text

    def forget(self) -> None:
        """Drop what was read: a rolled-back segment's entries are gone from the database."""
        self._entries = None
