"""Finding SET SCHEDULE and WEBHOOK in a dialog's source, with the position of each (load time)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from basic import nodes
from basic.errors import BasicError
from basic.parser import parse
from bots.triggers.phrases import Cron, ScheduleError, schedule_parse

SCHEDULE = "SET SCHEDULE"
WEBHOOK = "WEBHOOK"
_ENDPOINT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


@dataclass(frozen=True, slots=True)
class Found:
    """One trigger statement: its kind, what was written, and the cron or endpoint it means."""

    kind: str  # "schedule" | "webhook"
    text: str
    line: int
    column: int
    cron: Cron | None = None
    endpoint: str = ""


def endpoint_check(text: str) -> str:
    """The endpoint name, lower case; ValueError when it cannot be a URL path segment."""
    name = text.strip().strip('"').strip()
    if not _ENDPOINT.match(name):
        raise ValueError(
            f"WEBHOOK {name!r}: the endpoint must be letters, digits, '-', '_' or '.', "
            'e.g. WEBHOOK "order-received"'
        )
    return name.lower()


def triggers_in(source: str, file: str) -> list[Found]:
    """The trigger statements of one script; :class:`BasicError` at FILE:LINE:COL when one is wrong."""
    program = parse(source, file=file)
    found: list[Found] = []
    seen: dict[str, int] = {}
    for call in nodes.keyword_calls(program.body):
        if call.phrase not in (SCHEDULE, WEBHOOK):
            continue
        kind = "schedule" if call.phrase == SCHEDULE else "webhook"
        text = str(call.args.get("schedule" if kind == "schedule" else "endpoint", ""))
        if kind in seen:
            raise BasicError(
                f"{call.phrase} may appear once per script (it was already at line {seen[kind]}); "
                "put the other one in its own script",
                file=file, line=call.line, column=call.column,
            )
        seen[kind] = call.line
        try:
            if kind == "schedule":
                found.append(Found(kind, text, call.line, call.column, cron=schedule_parse(text)))
            else:
                found.append(Found(kind, text, call.line, call.column, endpoint=endpoint_check(text)))
        except (ScheduleError, ValueError) as exc:
            raise BasicError(str(exc), file=file, line=call.line, column=call.column) from None
    return found
