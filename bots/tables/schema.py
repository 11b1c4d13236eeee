"""Real database tables for bot tables: a Django model built at run time per stored definition.

The model lives in a private app registry (it never shows up in migrations or the admin) and is
used for both DDL (through the schema editor, so SQLite and PostgreSQL get their own types) and
queries (through the ORM, so every value is a bound parameter, never interpolated SQL).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from decimal import Decimal

from django.apps.registry import Apps
from django.db import connection, models
from django.utils import timezone

from bots.models import BotTable, BotTableField

_CACHE: dict[tuple[str, str], type[models.Model]] = {}


def db_table_name(bot_pk: int, table: str) -> str:
    """One namespace per bot; the bot's primary key keeps names short and collision-free."""
    return f"gbt{bot_pk}_{table}"


def _default(spec: BotTableField):
    raw = spec.default
    if not raw:
        return models.NOT_PROVIDED
    upper = raw.upper()
    if upper in ("NOW", "NOW()", "CURRENT_TIMESTAMP", "CURRENT_DATE", "TODAY", "TODAY()"):
        if spec.type == "date":
            return lambda: timezone.localdate()
        return timezone.now
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    if upper == "NULL":
        return None
    text = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'" else raw
    return text


def model_field(spec: BotTableField, *, added_later: bool = False) -> models.Field:
    """The Django field of a column. Columns added to an existing table are nullable, so the
    rows already there stay valid."""
    options: dict = {"db_column": spec.name}
    if spec.primary_key:
        if spec.type in ("integer", "number"):
            return models.BigAutoField(primary_key=True, db_column=spec.name)
        options["primary_key"] = True
    else:
        options["null"] = added_later or not spec.not_null
        options["unique"] = spec.unique
        options["default"] = _default(spec)
    kind = spec.type
    if kind == "string":
        return models.CharField(max_length=spec.length or 255, **options)
    if kind == "text":
        return models.TextField(**options)
    if kind == "integer":
        return models.BigIntegerField(**options)
    if kind == "number":
        return models.DecimalField(max_digits=spec.length or 28, decimal_places=8, **options)
    if kind == "decimal":
        return models.DecimalField(max_digits=spec.length or 18, decimal_places=spec.scale or 2, **options)
    if kind == "float":
        return models.FloatField(**options)
    if kind == "boolean":
        return models.BooleanField(**options)
    if kind == "date":
        return models.DateField(**options)
    if kind == "datetime":
        return models.DateTimeField(**options)
    if kind == "time":
        return models.TimeField(**options)
    if kind == "uuid":
        return models.UUIDField(**options)
    if kind == "json":
        return models.JSONField(**options)
    raise ValueError(f"unknown column type {kind!r}")


def _signature(table: BotTable, fields: list[BotTableField]) -> str:
    parts = [table.db_table] + [
        f"{f.name}:{f.type}:{f.length}:{f.scale}:{f.primary_key}:{f.not_null}:{f.unique}:{f.default}"
        for f in fields
    ]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


def table_model(table: BotTable, fields: list[BotTableField] | None = None) -> type[models.Model]:
    """The model class of a stored table (its active columns), cached per definition."""
    if fields is None:
        fields = list(table.fields.filter(active=True).order_by("position"))
    key = (table.db_table, _signature(table, fields))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    attrs: dict = {"__module__": "bots.tables.dynamic"}
    for spec in fields:
        attrs[f"c_{spec.name}"] = model_field(spec)
    attrs["Meta"] = type(
        "Meta", (), {"apps": Apps(), "app_label": "gbtables", "db_table": table.db_table, "managed": False}
    )
    model = type(f"T_{table.db_table}", (models.Model,), attrs)
    _CACHE[key] = model
    return model


def attname(column: str) -> str:
    return f"c_{column}"


@contextlib.contextmanager
def _editor() -> Iterator:
    """A schema editor that also works inside a transaction on SQLite (where the usual one
    refuses because it cannot turn off foreign-key checks there; bot tables have no
    foreign-key constraints, so none are needed)."""
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        editor = connection.schema_editor(atomic=False)
        editor.deferred_sql = []
        yield editor
        for sql in editor.deferred_sql:
            editor.execute(sql)
        return
    with connection.schema_editor() as editor:
        yield editor


def existing_columns(db_table: str) -> set[str] | None:
    """The table's column names in the database, or None when the table does not exist."""
    with connection.cursor() as cursor:
        if db_table not in connection.introspection.table_names(cursor):
            return None
        return {
            column.name.lower() for column in connection.introspection.get_table_description(cursor, db_table)
        }


def schema_apply(table: BotTable) -> list[str]:
    """Create the table, or add the columns it lacks. Never drops or changes columns (data is
    kept). Returns the column names created."""
    fields = list(table.fields.filter(active=True).order_by("position"))
    model = table_model(table, fields)
    columns = existing_columns(table.db_table)
    with _editor() as editor:
        if columns is None:
            editor.create_model(model)
            return [f.name for f in fields]
        added = []
        for spec in fields:
            if spec.name in columns:
                continue
            field = model_field(spec, added_later=True)
            field.set_attributes_from_name(attname(spec.name))
            field.model = model
            editor.add_field(model, field)
            added.append(spec.name)
    if added:
        _CACHE.clear()
    return added


def to_basic(value):
    """A database value as a BASIC value (a JSON tree)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, dict | list):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_TRUE = {"true", "t", "yes", "y", "1", "on", "sim", "s"}
_FALSE = {"false", "f", "no", "n", "0", "off", "nao", "não"}


def from_basic(field: models.Field, value):
    """A BASIC value prepared for a column (the field's ``to_python`` does the rest): a date map
    gives its text, a yes/no word a boolean."""
    if (
        isinstance(value, dict)
        and isinstance(value.get("formatted"), str)
        and not isinstance(field, models.JSONField)
    ):
        parts = (value.get("year"), value.get("month"), value.get("day"))
        if type(field) is models.DateField and all(isinstance(p, int) for p in parts):
            return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"
        return value["formatted"]
    if isinstance(field, models.BooleanField) and isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return value


def coerce(field: models.Field, value):
    """A BASIC value as the column's Python value (raises ValidationError when it does not fit);
    a date-time without a zone is taken in the server's time zone."""
    converted = field.to_python(from_basic(field, value))
    if isinstance(field, models.DateTimeField) and converted is not None and timezone.is_naive(converted):
        converted = timezone.make_aware(converted)
    return converted
