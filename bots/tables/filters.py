"""The filter text of FIND, UPDATE, DELETE and SET: ``col=value`` conditions joined by AND.

Operators: ``=``, ``!=`` / ``<>``, ``<``, ``<=``, ``>``, ``>=``. A value may be quoted (``'a b'``
or ``"a b"``); it is converted to the column's type and always sent as a bound parameter.
A trailing ``LIMIT n`` is read by FIND.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from bots.tables.errors import TableError

_CONDITION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|=|!=|<>|<=|>=|<|>)\s*(.*?)\s*\Z", re.DOTALL)
_LOOKUPS = {
    "=": "exact",
    "==": "exact",
    "!=": "exact",
    "<>": "exact",
    "<": "lt",
    "<=": "lte",
    ">": "gt",
    ">=": "gte",
}


@dataclass(frozen=True, slots=True)
class Filter:
    column: str
    op: str
    value: Any


def _split_and(text: str) -> list[str]:
    """Split on AND outside quotes."""
    parts, current, quote = [], [], ""
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif re.match(r"\sAND\s", text[index : index + 5], re.IGNORECASE):
            parts.append("".join(current))
            current, index = [], index + 5
            continue
        current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def parse_filter(spec: Any, *, required: bool, what: str) -> tuple[list[Filter], int | None]:
    """The conditions of a filter (text or a map of column -> value) and a LIMIT found in it."""
    if isinstance(spec, dict):
        return [Filter(str(k).lower(), "=", v) for k, v in spec.items()], None
    text = "" if spec is None else str(spec).strip()
    limit = None
    found = re.search(r"(?:^|\s)LIMIT\s+(\d+)\s*\Z", text, re.IGNORECASE)
    if found:
        limit, text = int(found.group(1)), text[: found.start()].strip()
    if not text:
        if required:
            raise TableError(f'{what} needs a filter such as "id=5" (it would change every row otherwise)')
        return [], limit
    filters = []
    for part in _split_and(text):
        match = _CONDITION.match(part)
        if match is None:
            raise TableError(
                f"cannot read the filter {part.strip()!r}: write it as column=value, joined by AND "
                '(e.g. "status=open AND priority=high")'
            )
        column, op, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        filters.append(Filter(column.lower(), op, value))
    return filters, limit


def queryset_filtered(table, columns, model, filters: list[Filter]):
    """The table's rows matching every filter; unknown columns and bad values are author errors."""
    from bots.tables.schema import attname, coerce, from_basic

    known = {c.name for c in columns}
    query = model._default_manager.all()
    for item in filters:
        if item.column not in known:
            raise TableError(
                f"table {table.name} has no column {item.column!r}; "
                f"its columns are: {', '.join(sorted(known))}"
            )
        field = model._meta.get_field(attname(item.column))
        value = from_basic(field, item.value)
        try:
            value = coerce(field, value) if value not in ("", None) or not field.null else None
        except ValidationError as exc:
            raise TableError(
                f"filter on {table.name}.{item.column}: {'; '.join(exc.messages)} (got {item.value!r})"
            ) from None
        if value is None:
            lookup = {f"{field.attname}__isnull": True}
        else:
            lookup = {f"{field.attname}__{_LOOKUPS[item.op]}": value}
        query = query.exclude(**lookup) if item.op in ("!=", "<>") else query.filter(**lookup)
    return query
