"""Waits other apps teach the chat runtime (the events app: WAIT FOR EVENT), so this app never
imports them.

``on_wait(run, bot_id, detail)`` runs in the turn's transaction when a dialog run stops at the
wait: it writes the rows that will end it and returns when the run is due by itself (a TIMEOUT),
or None. ``on_due(run)`` gives the value a due run resumes with (the runtime's sweep calls it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bots.models import DialogRun


@dataclass(frozen=True, slots=True)
class DialogWait:
    on_wait: Callable[[DialogRun, int, dict[str, Any]], datetime | None]
    on_due: Callable[[DialogRun], Any]


dialog_waits: dict[str, DialogWait] = {}


def register_dialog_wait(waiting_for: str, wait: DialogWait) -> None:
    dialog_waits[waiting_for] = wait
