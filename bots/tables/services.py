"""Writes on bot tables: storing definitions from tables.bas (and creating the real tables), and
the row writes of SAVE, INSERT, UPDATE, DELETE and the three-argument SET.

Every value reaches the database as a bound parameter through the ORM of the table's run-time
model (:mod:`bots.tables.schema`); table and column names come only from stored definitions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from basic.errors import BasicRuntimeError
from bots.models import Bot, BotTable, BotTableField
from bots.tables import schema
from bots.tables.definitions import TableDef, TableSyntaxError, parse_tables
from bots.tables.errors import TableError
from bots.tables.filters import Filter, queryset_filtered
from bots.tables.selectors import table_get


def _field_values(spec) -> dict[str, Any]:
    return {
        "type": spec.type,
        "length": spec.length,
        "scale": spec.scale,
        "primary_key": spec.primary_key,
        "not_null": spec.not_null,
        "unique": spec.unique,
        "default": spec.default,
        "references": spec.references,
    }


@transaction.atomic
def table_define(*, bot: Bot, definition: TableDef) -> BotTable:
    """Store one table's definition and bring the database table up to it. Columns no longer
    declared are marked inactive but kept with their data; a changed type is refused."""
    table, _ = BotTable.objects.update_or_create(
        bot=bot,
        name=definition.name,
        defaults={
            "db_table": schema.db_table_name(bot.pk, definition.name),
            "read_roles": definition.read_roles,
            "write_roles": definition.write_roles,
            "source_file": definition.file,
            "line": definition.line,
        },
    )
    current = {f.name: f for f in table.fields.all()}
    wanted = {spec.name for spec in definition.fields}
    for position, spec in enumerate(definition.fields):
        values = _field_values(spec)
        existing = current.get(spec.name)
        if existing is None:
            BotTableField.objects.create(table=table, name=spec.name, position=position, **values)
            continue
        if existing.type != spec.type or existing.primary_key != spec.primary_key:
            raise TableSyntaxError(
                definition.file,
                spec.line,
                1,
                f"column {definition.name}.{spec.name} is already a {existing.type}"
                f"{' primary key' if existing.primary_key else ''}; changing a column's type or key is not "
                "done automatically (it could lose data): add a new column instead",
            )
        for name, value in values.items():
            setattr(existing, name, value)
        existing.position, existing.active = position, True
        existing.save()
    table.fields.exclude(name__in=wanted).update(active=False)
    schema.schema_apply(table)
    return table


def tables_define(*, bot: Bot, source: str, file: str) -> list[BotTable]:
    """Every TABLE block of a tables.bas source (raises TableSyntaxError on a mistake)."""
    return [table_define(bot=bot, definition=item) for item in parse_tables(source, file=file)]


def tables_sync(*, bot: Bot) -> list[BotTable]:
    """Define the tables of the bot's tables.bas, if it has one (package sync and first use)."""
    from bots.runtime.scripts import dialog_script

    script = dialog_script(bot, "tables")
    if script is None:
        return []
    return tables_define(bot=bot, source=script.source, file=script.path)


def table_for(*, bot: Bot, name: str) -> BotTable:
    """The stored table a script names; defines the bot's tables on first use."""
    table = table_get(bot=bot, name=name)
    if table is None:
        try:
            tables_sync(bot=bot)
        except TableSyntaxError as exc:
            raise TableError(f"tables.bas has a mistake: {exc}") from None
        table = table_get(bot=bot, name=name)
    if table is None:
        known = sorted(BotTable.objects.filter(bot=bot).values_list("name", flat=True))
        hint = f"known tables: {', '.join(known)}" if known else "this bot declares no tables (tables.bas)"
        raise TableError(f"unknown table {name!r}; {hint}")
    return table


# --- rows -----------------------------------------------------------------------------------


def _columns(table: BotTable) -> list[BotTableField]:
    return list(table.fields.filter(active=True).order_by("position"))


def _check_columns(table: BotTable, columns: list[BotTableField], names) -> None:
    known = {c.name for c in columns}
    for name in names:
        if name not in known:
            raise TableError(
                f"table {table.name} has no column {name!r}; "
                f"its columns are: {', '.join(c.name for c in columns)}"
            )


def _prepare(table: BotTable, columns: list[BotTableField], data: dict[str, Any]) -> dict[str, Any]:
    """Map a BASIC map onto model attributes, converting and validating each value."""
    if not isinstance(data, dict):
        raise TableError(f"expected a map of column values for table {table.name}, got {type(data).__name__}")
    lowered = {str(k).lower(): v for k, v in data.items()}
    _check_columns(table, columns, lowered)
    model = schema.table_model(table, columns)
    prepared: dict[str, Any] = {}
    for name, value in lowered.items():
        field = model._meta.get_field(schema.attname(name))
        prepared[field.attname] = _convert(table, field, name, value)
    return prepared


def _convert(table: BotTable, field, name: str, value: Any) -> Any:
    value = schema.from_basic(field, value)
    if value == "" and field.null and field.get_internal_type() != "CharField":
        value = None
    if isinstance(value, dict | list) and field.get_internal_type() != "JSONField":
        raise TableError(f"{table.name}.{name} takes a single value, got a {type(value).__name__}")
    try:
        converted = schema.coerce(field, value)
        if converted is not None:
            field.run_validators(converted)
    except ValidationError as exc:
        raise TableError(f"{table.name}.{name}: {'; '.join(exc.messages)} (got {value!r})") from None
    if converted is None and not field.null and not field.primary_key:
        raise TableError(f"{table.name}.{name} is NOT NULL; give it a value")
    return converted


def _write(table: BotTable, action):
    try:
        with transaction.atomic():
            return action()
    except IntegrityError as exc:
        raise TableError(f"{table.name}: the database refused the write ({exc})") from None
    except DatabaseError as exc:
        raise TableError(f"{table.name}: the write failed ({exc})") from None


def _require(table: BotTable, columns: list[BotTableField], prepared: dict[str, Any]) -> None:
    """A new row must give every NOT NULL column that has no default."""
    missing = [
        c.name
        for c in columns
        if c.not_null and not c.primary_key and not c.default and schema.attname(c.name) not in prepared
    ]
    if missing:
        raise TableError(f"{table.name}.{missing[0]} is NOT NULL; give it a value")


def row_insert(*, table: BotTable, data: dict[str, Any]) -> Any:
    """INSERT: a new row; returns its primary key."""
    columns = _columns(table)
    model = schema.table_model(table, columns)
    prepared = _prepare(table, columns, data)
    _require(table, columns, prepared)
    row = _write(table, lambda: model._default_manager.create(**prepared))
    return schema.to_basic(row.pk)


def row_save(*, table: BotTable, key: Any, data: dict[str, Any]) -> Any:
    """SAVE: insert or update the row whose primary key is ``key``; returns the key."""
    columns = _columns(table)
    model = schema.table_model(table, columns)
    pk = next(c for c in columns if c.primary_key)
    prepared = _prepare(table, columns, {k: v for k, v in data.items() if str(k).lower() != pk.name})
    key_value = _convert(table, model._meta.pk, pk.name, key)

    def upsert():
        updated = model._default_manager.filter(pk=key_value).update(**prepared) if prepared else 0
        if not updated and not model._default_manager.filter(pk=key_value).exists():
            _require(table, columns, prepared)
            model._default_manager.create(pk=key_value, **prepared)

    _write(table, upsert)
    return schema.to_basic(key_value)


def row_save_positional(*, table: BotTable, key: Any, values: list[Any]) -> Any:
    """``SAVE "t", id, f1, f2, ...``: the values fill the columns after the key, in order."""
    others = [c for c in _columns(table) if not c.primary_key]
    if len(values) > len(others):
        raise TableError(
            f"SAVE gave {len(values)} values but table {table.name} has {len(others)} columns after the key "
            f"({', '.join(c.name for c in others)})"
        )
    return row_save(table=table, key=key, data=dict(zip((c.name for c in others), values, strict=False)))


def row_update(*, table: BotTable, filters: list[Filter], data: dict[str, Any]) -> int:
    """UPDATE / three-argument SET: change the matching rows; returns how many changed."""
    columns = _columns(table)
    model = schema.table_model(table, columns)
    prepared = _prepare(table, columns, data)
    if not prepared:
        raise TableError(f"nothing to change in {table.name}: give at least one column value")
    query = queryset_filtered(table, columns, model, filters)
    return _write(table, lambda: query.update(**prepared))


def row_delete(*, table: BotTable, filters: list[Filter]) -> int:
    """DELETE: remove the matching rows; returns how many were removed."""
    columns = _columns(table)
    model = schema.table_model(table, columns)
    query = queryset_filtered(table, columns, model, filters)
    return _write(table, lambda: query.delete()[0])


def tables_sync_problems(*, bot: Bot, path) -> list:
    """Package sync: define the bot's tables; a mistake becomes a sync problem, never a crash."""
    from bots.packages.problems import Problem

    try:
        tables_sync(bot=bot)
    except (TableSyntaxError, BasicRuntimeError) as exc:
        return [Problem(path, f"tables.bas: {exc}")]
    except DatabaseError as exc:
        return [Problem(path, f"tables.bas: the tables could not be created: {exc}")]
    return []
