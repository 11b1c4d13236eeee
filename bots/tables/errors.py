"""The error an author gets from a table keyword (unknown table or column, bad value)."""

from __future__ import annotations

from basic.errors import BasicRuntimeError


class TableError(BasicRuntimeError):
    """A mistake in how a script uses a bot table; the message says what to fix."""
