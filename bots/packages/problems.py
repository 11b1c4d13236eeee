"""A problem found in a package, located by file and line so the author can fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's UTF-8 text, or a problem naming the file (and the line of a bad byte)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem(path, f"cannot read the file ({exc.strerror or exc}); check its permissions")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Problem(path, "the file is not valid UTF-8; save it with UTF-8 encoding", line)
