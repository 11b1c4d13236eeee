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
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import UpdateQuery
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# Values that stand for a call's arguments while the ORM compiles the query, found again among the
# compiled parameters: numbers no real filter of ours uses (yet within every integer field's range,
# or the ORM would compile "nothing matches"), and texts no real filter uses.
_SLOT_NUMBER = 2_147_000_000


def _slot(index: int, kind: type) -> Any:
    if kind is int:
        return _SLOT_NUMBER + index
    if kind is str:
        return f"\x00gb-slot-{index}\x00"
    raise TypeError(f"a prepared query takes int or str arguments, not {kind.__name__}")


def _slots(arguments: dict[str, type]) -> dict[str, Any]:
    return {name: _slot(index, kind) for index, (name, kind) in enumerate(arguments.items())}


def _places(slots: dict[str, Any], params: list[Any] | tuple[Any, ...], sql: str) -> dict[int, str]:
    """Where each argument's value goes among the parameters."""
    by_value = {value: name for name, value in slots.items()}
    places = {
        index: by_value[value]
        for index, value in enumerate(params)
        if isinstance(value, int | str) and value in by_value
    }
    if sorted(places.values()) != sorted(slots):
        raise ValueError(f"each argument of a prepared query must reach its SQL once: {sql} {params}")
    return places


def _key(alias: str) -> tuple[str, str]:
    # Keyed by the database's name too: the tests swap the real database for a test one.
    return alias, str(connections[alias].settings_dict["NAME"])


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

    def _for(self, alias: str) -> _Compiled:
        key = _key(alias)
        found = self._compiled.get(key)
        if found is None:
            found = self._compile(alias)
            with self._lock:
                self._compiled[key] = found
        return found

    def _compile(self, alias: str) -> _Compiled:
        slots = _slots(self._arguments)
        queryset = self._build(**slots)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, annotation_col_map
        places = _places(slots, params, sql)
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
        compiled = self._for(using)
        params = list(compiled.params)
        for index, name in compiled.places.items():
            params[index] = values[name]
        connection = connections[using]
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found: list[M] = []
        for raw in rows:
            row = list(raw)
            for position, (functions, expression) in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
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
        return _CompiledUpdate(sql, fields, where, _places(slots, where, sql))

    def run(self, values: dict[str, Any], *, using: str = DEFAULT_DB_ALIAS, **arguments: Any) -> int:
        """Set ``values`` (field name -> value) on the selected rows; returns how many changed."""
        for value in values.values():
            if hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save"):
                raise TypeError("a prepared update takes plain values, not expressions or model instances")
        key = (*_key(using), *((name, value is None) for name, value in values.items()))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(using, values)
            with self._lock:
                self._compiled[key] = compiled
        connection = connections[using]
        params = [field.get_db_prep_save(values[name], connection) for name, field in compiled.fields]
        where = list(compiled.where)
        for index, name in compiled.places.items():
            where[index] = arguments[name]
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(compiled.sql, params + where)
            return cursor.rowcount
