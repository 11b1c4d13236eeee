"""Queries on a conversation turn's hot path whose SQL the ORM writes once per process.

Building and compiling a queryset costs far more than running its SQL (on SQLite, about 20 times
more for a one-row read), and a turn makes several such queries. A :class:`PreparedRead` has the
ORM compile its queryset once per database (so the SQL fits that database: ``FOR UPDATE`` only
where there is one) and keeps what the ORM derived with it (the columns' converters, the model's
field order, the related objects' populators); each call then only runs the SQL with its own
values and builds the instances the way ``QuerySet`` iteration does. Annotations become
attributes, ``select_related`` objects are attached. A :class:`PreparedUpdate` does the same for
``QuerySet.update``: each call's values are prepared by their fields, as ``update`` does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# Values that stand for a call's arguments while the ORM compiles the query, found again among the
# compiled parameters: numbers no real filter of ours uses (yet within every integer field's range,
# or the ORM would compile "nothing matches"), texts, UUIDs and moments no real filter uses.
_SLOT_NUMBER = 2_147_000_000
_SLOT_UUID = 0x67622D736C6F74 << 64  # "gb-slot"
_SLOT_MOMENT = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)

# How an argument of each kind is prepared for the database (None: as it is), as a filter on a
# field of that kind prepares it: a UUID stays one on PostgreSQL and becomes hex text on SQLite.
_PREPARERS: dict[type, Field | None] = {
    int: None,
    str: None,
    UUID: models.UUIDField(),
    datetime: models.DateTimeField(),
}


def _slot(index: int, kind: type) -> Any:
    if kind is int:
        return _SLOT_NUMBER + index
    if kind is str:
        return f"\x00gb-slot-{index}\x00"
    if kind is UUID:
        return UUID(int=_SLOT_UUID + index)
    if kind is datetime:
        return _SLOT_MOMENT.replace(microsecond=index)
    raise TypeError(f"a prepared query takes int, str, UUID or datetime arguments, not {kind.__name__}")


def _slots(arguments: dict[str, type]) -> dict[str, Any]:
    return {name: _slot(index, kind) for index, (name, kind) in enumerate(arguments.items())}


def _prepared(kind: type, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """``value`` as the SQL's parameter for an argument of ``kind`` (a UUID may come as its text)."""
    field = _PREPARERS[kind]
    return value if field is None or value is None else field.get_db_prep_value(value, connection)


def _places(
    slots: dict[str, Any],
    params: list[Any] | tuple[Any, ...],
    sql: str,
    arguments: dict[str, type],
    connection: BaseDatabaseWrapper,
) -> dict[int, str]:
    """Where each argument's value goes among the parameters."""
    by_value = {_prepared(arguments[name], value, connection): name for name, value in slots.items()}
    places = {
        index: by_value[value]
        for index, value in enumerate(params)
        if isinstance(value, int | str | UUID | datetime) and value in by_value
    }
    if sorted(places.values()) != sorted(slots):
        raise ValueError(f"each argument of a prepared query must reach its SQL once: {sql} {params}")
    return places


def _fill(
    params: tuple[Any, ...],
    places: dict[int, str],
    arguments: dict[str, type],
    values: dict[str, Any],
    connection: BaseDatabaseWrapper,
) -> list[Any]:
    """The compiled parameters with each argument's value put in its place."""
    filled = list(params)
    for index, name in places.items():
        filled[index] = _prepared(arguments[name], values[name], connection)
    return filled


def _key(alias: str) -> tuple[str, str]:
    # Keyed by the database's name too: the tests swap the real database for a test one.
    return alias, str(connections[alias].settings_dict["NAME"])


C = TypeVar("C")


def _once(cache: dict[Any, C], lock: threading.Lock, key: Any, make: Callable[[], C]) -> C:
    """What ``make`` compiles for ``key``, compiled on the first call only (a race compiles
    twice, harmlessly: both results are the same)."""
    found = cache.get(key)
    if found is None:
        found = make()
        with lock:
            cache[key] = found
    return found


def _convert(row: list[Any], converters: list[tuple[int, tuple[list[Any], Any]]], connection: Any) -> None:
    """Run the ORM's converters of each column over ``row``, in place, as query iteration does."""
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: dict[int, str]  # parameter position -> argument name
    model: type[Model]
    fields: slice  # the model's own columns in a row
    init_list: list[str]
    converters: list[tuple[int, tuple[list[Any], Any]]]
    annotations: list[tuple[str, int]]
    related: list[Any]
    locks: bool  # select_for_update: only inside a transaction (on every database, unlike the ORM)


class PreparedRead(Generic[M]):
    """``build(**arguments)`` returns the queryset; each argument must reach the SQL as exactly
    one parameter (a filter value), so that the same SQL serves every call. Calls must happen in
    a transaction when the queryset locks rows (select_for_update), as with the ORM on PostgreSQL;
    here on SQLite too, so the mistake shows in embedded mode as well."""

    def __init__(self, build: Callable[..., QuerySet[M]], **arguments: type) -> None:
        self._build = build
        self._arguments = arguments
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Compiled:
        slots = _slots(self._arguments)
        queryset = self._build(**slots)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, annotation_col_map
        places = _places(slots, params, sql, self._arguments, connections[alias])
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            places=places,
            model=klass_info["model"],
            fields=slice(start, end),
            init_list=[column[0].target.attname for column in select[start:end]],
            converters=list(compiler.get_converters([column[0] for column in select]).items()),
            annotations=list(compiler.annotation_col_map.items()),
            related=get_related_populators(klass_info, select, alias),
            locks=queryset.query.select_for_update,
        )

    def list(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        """The rows for these argument values, as model instances."""
        compiled = _once(self._compiled, self._lock, _key(using), lambda: self._compile(using))
        connection = connections[using]
        params = _fill(compiled.params, compiled.places, self._arguments, values, connection)
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found: list[M] = []
        for raw in rows:
            row = list(raw)
            _convert(row, compiled.converters, connection)
            instance = compiled.model.from_db(using, compiled.init_list, row[compiled.fields])
            for populator in compiled.related:
                populator.populate(row, instance)
            for name, position in compiled.annotations:
                setattr(instance, name, row[position])
            found.append(instance)  # type: ignore[arg-type]
        return found

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> M | None:
        rows = self.list(using=using, **values)
        return rows[0] if rows else None


@dataclass(frozen=True, slots=True)
class _CompiledUpdate:
    sql: str
    fields: list[tuple[str, Field]]  # the fields whose values are parameters, in order
    where: tuple[Any, ...]
    places: dict[int, str]  # position among ``where`` -> argument name


class PreparedUpdate:
    """``QuerySet.update(**values)`` of the rows ``build(**arguments)`` selects (one table, no
    joins). The SQL is compiled once per database and shape of the values (which fields, which of
    them are None); values must be plain (no expressions)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **arguments: type) -> None:
        self._build = build
        self._arguments = arguments
        self._compiled: dict[tuple[Any, ...], _CompiledUpdate] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str, values: dict[str, Any]) -> _CompiledUpdate:
        slots = _slots(self._arguments)
        query = self._build(**slots).query.chain(UpdateQuery)
        query.add_update_values(values)
        query.get_initial_alias()
        if query.related_updates or query.count_active_tables() != 1:
            raise ValueError("a prepared update changes one table, selected without joins")
        fields: list[tuple[str, Field]] = []
        for field, _model, value in query.values:
            if hasattr(field, "get_placeholder"):
                raise ValueError(f"{field.name}: a prepared update takes fields with plain placeholders")
            if value is not None:
                fields.append((field.name, field))
        sql, params = query.get_compiler(using=alias).as_sql()
        where = tuple(params[len(fields) :])
        places = _places(slots, where, sql, self._arguments, connections[alias])
        return _CompiledUpdate(sql, fields, where, places)

    def run(self, values: dict[str, Any], *, using: str = DEFAULT_DB_ALIAS, **arguments: Any) -> int:
        """Set ``values`` (field name -> value) on the selected rows; returns how many changed."""
        for value in values.values():
            if hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save"):
                raise TypeError("a prepared update takes plain values, not expressions or model instances")
        key = (*_key(using), *((name, value is None) for name, value in values.items()))
        compiled = _once(self._compiled, self._lock, key, lambda: self._compile(using, values))
        connection = connections[using]
        params = [field.get_db_prep_save(values[name], connection) for name, field in compiled.fields]
        where = _fill(compiled.where, compiled.places, self._arguments, arguments, connection)
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(compiled.sql, params + where)
            return cursor.rowcount


@dataclass(frozen=True, slots=True)
class _CompiledInsert:
    sql: str
    fields: list[Field]  # the columns written, in the order of the SQL's parameters
    returning: list[Field]  # what the database generates and returns (the key)
    converters: list[tuple[int, tuple[list[Any], Any]]]


class PreparedInsert(Generic[M]):
    """``instance.save()`` of a new ``model`` row (no parents, no signals: for models no receiver
    listens to), its ``INSERT`` compiled once per database. Each call prepares the instance's
    values as ``save`` does (``pre_save``: ``auto_now`` stamps) and sets what the database
    returns (the generated key) on it."""

    def __init__(self, model: type[M]) -> None:
        meta = model._meta
        if meta.parents or any(field.has_db_default() or field.generated for field in meta.concrete_fields):
            raise ValueError(f"{model.__name__}: a prepared insert takes no parents and no database defaults")
        self._model = model
        self._compiled: dict[tuple[str, str], _CompiledInsert] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _CompiledInsert:
        meta = self._model._meta
        fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        returning = list(meta.db_returning_fields)
        query = InsertQuery(self._model)
        query.insert_values(fields, [self._model()])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = returning
        (sql, _params), *more = compiler.as_sql()
        if more or "%s" not in sql:
            raise ValueError(f"{self._model.__name__}: the ORM does not write this insert as one statement")
        columns = [field.get_col(meta.db_table) for field in returning]
        return _CompiledInsert(sql, fields, returning, list(compiler.get_converters(columns).items()))

    def save(self, instance: M, *, using: str = DEFAULT_DB_ALIAS) -> M:
        """Insert ``instance`` (a new row: its generated key is not set yet) and return it."""
        compiled = _once(self._compiled, self._lock, _key(using), lambda: self._compile(using))
        connection = connections[using]
        params = []
        for field in compiled.fields:
            value = field.pre_save(instance, add=True)
            if hasattr(value, "resolve_expression"):
                raise TypeError("a prepared insert takes plain values, not expressions")
            params.append(field.get_db_prep_save(value, connection))
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = list(cursor.fetchone() or ()) if compiled.returning else []
        _convert(row, compiled.converters, connection)
        for field, value in zip(compiled.returning, row, strict=True):
            setattr(instance, field.attname, value)
        instance._state.adding = False
        instance._state.db = using
        return instance
