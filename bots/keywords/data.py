"""Bot table keywords: TABLE blocks, FIND, SAVE, INSERT, UPDATE, DELETE and the three-argument SET.

Thin handlers: reads go through :mod:`bots.tables.selectors`, writes through
:mod:`bots.tables.services` and are journaled (``effect=True``), so a resumed run never writes twice.
``READ BY`` / ``WRITE BY`` roles are Django group names; a table with roles is open only to
signed-in users in one of them (or superusers).
"""

from __future__ import annotations

from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from basic.registry import KeywordSpec
from bots.keywords.common import bot_of
from bots.models import Bot, BotTable, Conversation
from bots.tables import selectors, services
from bots.tables.definitions import TableDef, TableSyntaxError, parse_body
from bots.tables.errors import TableError
from bots.tables.filters import parse_filter

DEFAULT_LIMIT = 100


def _bot(run: Any, phrase: str) -> Bot:
    """The bot whose tables the script uses: its host's bot (a conversation, or a run outside one
    such as a schedule), else the error of :func:`bot_of`."""
    bot = getattr(run.host, "bot", None)
    return bot if isinstance(bot, Bot) else bot_of(run, phrase)


def _roles_allow(run: Any, roles: str) -> bool:
    """Roles limit the users of a conversation; runs without one (schedules, the console) are the
    bot's own and pass."""
    wanted = {r.strip().lower() for r in roles.split(",") if r.strip()}
    conversation = getattr(run.host, "conversation", None)
    if not wanted or not isinstance(conversation, Conversation):
        return True
    user = conversation.user
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(wanted & {name.lower() for name in user.groups.values_list("name", flat=True)})


def _table(run: Any, args: dict, phrase: str, access: str) -> BotTable:
    bot = _bot(run, phrase)
    name = values.to_text(args.get("table")).strip()
    if not name:
        raise TableError(f'{phrase} needs a table name, e.g. {phrase} "orders", ...')
    table = services.table_for(bot=bot, name=name)
    roles = table.read_roles if access == "read" else table.write_roles
    if not _roles_allow(run, roles):
        raise TableError(f"{phrase}: the user may not {access} table {table.name} (allowed roles: {roles})")
    return table


def _table_block(run: Any, args: dict) -> str:
    bot = _bot(run, "TABLE")
    definition = TableDef(
        name=args["name"].lower(),
        read_roles=values.to_text(args.get("read")),
        write_roles=values.to_text(args.get("write")),
        file=run.file,
        line=run.line,
    )
    try:
        parse_body(definition, values.to_text(args.get("body")), first_line=run.line + 1)
        services.table_define(bot=bot, definition=definition)
    except TableSyntaxError as exc:
        raise BasicRuntimeError(exc.text, file=exc.file, line=exc.line, column=exc.column) from None
    return definition.name


def _find(run: Any, args: dict) -> list:
    table = _table(run, args, "FIND", "read")
    filters, limit = parse_filter(args.get("filter"), required=False, what="FIND")
    if "limit" in args:
        limit = int(values.to_number(args["limit"], what="a row limit"))
    limit = DEFAULT_LIMIT if limit is None else limit
    if limit < 0:
        raise TableError(f"FIND needs a limit of zero or more rows, got {limit}")
    return selectors.rows_find(table=table, filters=filters, limit=limit)


def _save(run: Any, args: dict) -> Any:
    table = _table(run, args, "SAVE", "write")
    if "data" in args:  # SAVE "t", obj: an insert (the legacy two-argument form)
        return services.row_insert(table=table, data=args["data"])
    fields = args["fields"]
    if len(fields) == 1 and isinstance(fields[0], dict):
        return services.row_save(table=table, key=args["id"], data=fields[0])
    return services.row_save_positional(table=table, key=args["id"], values=list(fields))


def _insert(run: Any, args: dict) -> Any:
    return services.row_insert(table=_table(run, args, "INSERT", "write"), data=args["data"])


def _update(run: Any, args: dict) -> int:
    table = _table(run, args, "UPDATE", "write")
    filters, _ = parse_filter(args["filter"], required=True, what="UPDATE")
    return services.row_update(table=table, filters=filters, data=args["data"])


def _delete(run: Any, args: dict) -> int:
    table = _table(run, args, "DELETE", "write")
    filters, _ = parse_filter(args["filter"], required=True, what="DELETE")
    return services.row_delete(table=table, filters=filters)


def _changes(spec: Any) -> dict[str, Any]:
    """``"col=v,col2=v2"`` (or a map) as column -> value."""
    if isinstance(spec, dict):
        return spec
    changes: dict[str, Any] = {}
    for part in values.to_text(spec).split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise TableError(
                f'SET: cannot read {part.strip()!r}; write the changes as "col=value,col2=value"'
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        changes[name.strip()] = value
    return changes


def _set(run: Any, args: dict) -> int:
    table = _table(run, args, "SET", "write")
    filters, _ = parse_filter(args["filter"], required=True, what="SET")
    return services.row_update(table=table, filters=filters, data=_changes(args["changes"]))


DATA_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "TABLE",
        ("{name:word} [READ BY {read}] [WRITE BY {write}]",),
        _table_block,
        block_end="END TABLE",
        block_text=True,
        effect=True,
        summary="Declare a bot table in tables.bas, one column per line (`col TYPE [PRIMARY KEY|NOT NULL|"
        "DEFAULT x|UNIQUE|REFERENCES t]` or `FIELD col AS TYPE`); it is created as a real table when "
        "the package syncs, and new columns are added on reload (nothing is dropped).",
        example='TABLE orders READ BY "staff"\n    id integer PRIMARY KEY\n'
        '    customer string(100) NOT NULL\n'
        "    total decimal(10,2) DEFAULT 0\nEND TABLE",
        category="Data",
    ),
    KeywordSpec(
        "FIND",
        ("{table}, {filter}, {limit}", "{table}, {filter}", "{table}"),
        _find,
        summary="The rows of a bot table matching `col=value` conditions joined by AND (also `!=`, "
        f"`<`, `<=`, `>`, `>=`), as a list of maps; an optional limit (default {DEFAULT_LIMIT}) or "
        "`LIMIT n` in the filter.",
        example='rows = FIND "orders", "status=open AND customer=Ana"\n'
        "FOR EACH row IN rows\n    TALK row.total\nNEXT",
        category="Data",
    ),
    KeywordSpec(
        "SAVE",
        ("{table}, {id}, {fields:exprs}", "{table}, {data}"),
        _save,
        effect=True,
        summary="Insert or update the row with this primary key: the values fill the other columns in "
        'declaration order, or give one map of column values; `SAVE "t", obj` inserts.',
        example='SAVE "customers", id, name, email\nSAVE "customers", id, #{name: "Ana"}',
        category="Data",
    ),
    KeywordSpec(
        "INSERT",
        ("{table}, {data}",),
        _insert,
        effect=True,
        summary="Insert a row from a map of column values; as a value, the new row's primary key.",
        example='id = INSERT "orders", #{customer: name, total: 42.5}',
        category="Data",
    ),
    KeywordSpec(
        "UPDATE",
        ("{table}, {filter}, {data}",),
        _update,
        effect=True,
        summary="Change the rows matching the filter with a map of column values; as a value, how many "
        "changed.",
        example='UPDATE "orders", "id=" + id, #{status: "paid"}',
        category="Data",
    ),
    KeywordSpec(
        "DELETE",
        ("{table}, {filter}",),
        _delete,
        effect=True,
        summary="Delete the rows of a bot table matching the filter (a filter is required); as a value, "
        "how many were deleted.",
        example='DELETE "orders", "status=cancelled"',
        category="Data",
    ),
    KeywordSpec(
        "SET",
        ("{table}, {filter}, {changes}",),
        _set,
        effect=True,
        summary='Update shorthand: change columns of the matching rows, written `"col=value,col2=value"`.',
        example='SET "orders", "id=7", "status=paid,total=10"',
        category="Data",
    ),
)
