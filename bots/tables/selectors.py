"""Reads on bot tables: stored definitions and the rows FIND returns."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError

from bots.models import Bot, BotTable
from bots.tables import schema
from bots.tables.errors import TableError
from bots.tables.filters import Filter, queryset_filtered


def table_get(*, bot: Bot, name: str) -> BotTable | None:
    return BotTable.objects.filter(bot=bot, name=name.strip().lower()).first()


def rows_find(*, table: BotTable, filters: list[Filter], limit: int) -> list[dict[str, Any]]:
    """FIND: the matching rows as maps (column -> value), in primary-key order."""
    columns = list(table.fields.filter(active=True).order_by("position"))
    model = schema.table_model(table, columns)
    query = queryset_filtered(table, columns, model, filters).order_by("pk")[:limit]
    names = [(schema.attname(c.name), c.name) for c in columns]
    try:
        rows = list(query.values(*(attr for attr, _ in names)))
    except DatabaseError as exc:
        raise TableError(f"{table.name}: the query failed ({exc})") from None
    return [{name: schema.to_basic(row[attr]) for attr, name in names} for row in rows]
