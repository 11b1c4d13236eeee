"""Database routing for embedded mode: the channel layer's tables get their own SQLite file.

Keeping channel messages out of the main database stops a long application transaction from
blocking live updates (SQLite has one writer per file).
"""

from __future__ import annotations

from typing import Any

CHANNELS_APP = "channels_lite"
CHANNELS_ALIAS = "channels"


class ChannelLayerRouter:
    """Send channels_lite to the ``channels`` database and keep every other app out of it."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return CHANNELS_ALIAS if model._meta.app_label == CHANNELS_APP else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return CHANNELS_ALIAS if model._meta.app_label == CHANNELS_APP else None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        if app_label == CHANNELS_APP:
            return db == CHANNELS_ALIAS
        return db != CHANNELS_ALIAS
