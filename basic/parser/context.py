"""What every stage of one parse shares: the file name, the registry tables, the source lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from basic.errors import BasicSyntaxError
from basic.syntax import RawText

if TYPE_CHECKING:
    from .engine import Engine
    from .tables import Tables


@dataclass(slots=True)
class Context:
    file: str
    tables: Tables
    raw: RawText
    engine: Engine

    def error(self, message: str, line: int, column: int) -> BasicSyntaxError:
        return BasicSyntaxError(message, file=self.file, line=line, column=column)
