"""Errors a bot author can cause.

Every error that reaches an author is a :class:`BasicError` and prints as
``FILE:LINE:COL: message``. Code that does not know the position (a built-in function, an
operator) raises without one; the VM fills it in from the statement that was running.
"""

from __future__ import annotations


class BasicError(Exception):
    """An author-facing error with a source position."""

    def __init__(self, message: str, *, file: str | None = None, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    @property
    def has_position(self) -> bool:
        return self.line > 0

    def at(self, *, file: str | None, line: int, column: int) -> BasicError:
        """Return this error placed at a position, unless it already has one."""
        if not self.has_position:
            self.file, self.line, self.column = file, line, column
        elif self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        return f"{self.file or '<script>'}:{self.line}:{self.column}: {self.message}"


class BasicSyntaxError(BasicError):
    """The source does not parse, or a statement's arguments do not fit its keyword."""


class BasicRuntimeError(BasicError):
    """A script did something wrong while running (type error, bad argument, THROW...)."""

    def __init__(
        self,
        message: str,
        *,
        number: int = 1000,
        file: str | None = None,
        line: int = 0,
        column: int = 0,
    ) -> None:
        super().__init__(message, file=file, line=line, column=column)
        self.number = number


class BasicLimitError(BasicRuntimeError):
    """A run exceeded one of its limits (instructions, time, state size, call depth)."""
