"""What the VM needs from the program running a script: its ``Host``.

The apps implement a host per conversation or workflow run (sending TALK to a channel, loading
``<name>.bas`` from the bot's package, a database journal); the console runner of ``gb run``
and the tests use :class:`BufferHost`. Keyword handlers reach app services through
``run.host``, so app hosts may carry more than this protocol.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

logger = logging.getLogger("basic.script")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a message comes from, so a host can record which script line said it.

    ``kind`` is "text" for the script's own words and "hint" when the runtime asks again
    after an answer that did not fit (a typed HEAR).
    """

    file: str
    line: int
    column: int
    kind: str = "text"


class Host(Protocol):
    def talk(self, text: str, *, origin: Origin) -> None:
        """Send a message to the user of the conversation (TALK)."""

    def talk_to(self, recipient: str, text: str, *, origin: Origin) -> None:
        """Send a message to another address or channel (TALK TO)."""

    def print(self, text: str) -> None:
        """Debug output of the script (PRINT)."""

    def log(self, level: str, message: str) -> None:
        """A log line from the script (LOG_INFO and friends)."""

    def now(self) -> datetime:
        """The current time, timezone-aware (NOW(), WAIT deadlines)."""

    def load_script(self, name: str) -> tuple[str, str]:
        """``(source, file)`` of ``<name>.bas`` of the same package, for CALL of a name the
        script does not define; raise LookupError when there is none."""


class BufferHost:
    """A host that keeps what the script said in memory: the console runner writes it out,
    tests read it. ``scripts`` maps lower-case names to ``(source, file)`` for CALL."""

    def __init__(self, scripts: dict[str, tuple[str, str]] | None = None) -> None:
        self.output: list[str] = []
        self.origins: list[Origin] = []
        self.printed: list[str] = []
        self.sent: list[tuple[str, str]] = []
        self.logs: list[tuple[str, str]] = []
        self.scripts = {k.lower(): v for k, v in (scripts or {}).items()}

    def talk(self, text: str, *, origin: Origin) -> None:
        self.output.append(text)
        self.origins.append(origin)

    def talk_to(self, recipient: str, text: str, *, origin: Origin) -> None:
        self.sent.append((recipient, text))

    def print(self, text: str) -> None:
        self.printed.append(text)

    def log(self, level: str, message: str) -> None:
        self.logs.append((level, message))
        logger.info("%s: %s", level, message)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def load_script(self, name: str) -> tuple[str, str]:
        try:
            return self.scripts[name.lower()]
        except KeyError:
            raise LookupError(name) from None
