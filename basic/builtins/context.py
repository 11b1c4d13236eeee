"""A self-contained BuiltinContext for runs outside a bot (the command line, tests, benchmarks).

It keeps the log lines it was given, forwards them to Python logging, and reads the clock either
from the system (in a given time zone) or from a fixed moment, so a run can be replayed exactly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

logger = logging.getLogger("basic.script")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


@dataclass
class StandaloneContext:
    fixed_now: datetime | None = None
    timezone: tzinfo | None = None
    last_error: dict[str, Any] | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)

    def log(self, level: str, message: str) -> None:
        self.lines.append((level, message))
        logger.log(_LEVELS.get(level, logging.INFO), message)

    def now(self) -> datetime:
        if self.fixed_now is not None:
            if self.fixed_now.tzinfo is None:
                return self.fixed_now.astimezone(self.timezone)
            return self.fixed_now
        return datetime.now(self.timezone).astimezone(self.timezone)
