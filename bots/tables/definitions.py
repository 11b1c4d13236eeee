"""Reading ``TABLE name .. END TABLE`` blocks of tables.bas into table definitions.

A field line is ``col TYPE[(n[,m])] [PRIMARY KEY|KEY] [NOT NULL] [DEFAULT x] [UNIQUE]
[REFERENCES t] [READ BY "r"] [WRITE BY "r"]`` or ``FIELD col AS TYPE ...`` (DIALECT.md §2.4).
Every mistake is reported as ``FILE:LINE:COL: what to fix``, so authors can find it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}\Z")
# Canonical type of every accepted type word.
TYPES: dict[str, str] = {
    **dict.fromkeys(("string", "varchar", "char", "nvarchar", "str"), "string"),
    **dict.fromkeys(("text", "memo", "longtext", "clob"), "text"),
    **dict.fromkeys(("integer", "int", "bigint", "smallint", "long", "serial", "counter"), "integer"),
    "number": "number",
    **dict.fromkeys(("decimal", "numeric", "money", "currency"), "decimal"),
    **dict.fromkeys(("float", "double", "real"), "float"),
    **dict.fromkeys(("boolean", "bool", "bit"), "boolean"),
    "date": "date",
    **dict.fromkeys(("datetime", "timestamp", "timestamptz"), "datetime"),
    "time": "time",
    **dict.fromkeys(("uuid", "guid"), "uuid"),
    **dict.fromkeys(("json", "jsonb", "object"), "json"),
}
_TYPE_RE = re.compile(r"([A-Za-z]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?")
_HEADER_RE = re.compile(r"TABLE\s+([^\s]+)(.*)\Z", re.IGNORECASE)
_ROLES_RE = re.compile(r'(READ|WRITE)\s+BY\s+"([^"]*)"', re.IGNORECASE)


class TableSyntaxError(ValueError):
    """A mistake in tables.bas, with its position."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file, self.line, self.column, self.text = file, line, column, message


@dataclass(slots=True)
class FieldDef:
    name: str
    type: str
    length: int | None = None
    scale: int | None = None
    primary_key: bool = False
    not_null: bool = False
    unique: bool = False
    default: str = ""
    references: str = ""
    line: int = 0


@dataclass(slots=True)
class TableDef:
    name: str
    fields: list[FieldDef] = field(default_factory=list)
    read_roles: str = ""
    write_roles: str = ""
    file: str = ""
    line: int = 0

    @property
    def primary_key(self) -> FieldDef:
        return next(f for f in self.fields if f.primary_key)


def _strip_comment(text: str) -> str:
    """The line without a trailing ``'`` comment (quotes respected) or a REM line."""
    if re.match(r"\s*REM(\s|\Z)", text, re.IGNORECASE):
        return ""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "'" and not quoted:
            return text[:index]
    return text


def _column(raw: str, fragment: str) -> int:
    found = raw.find(fragment)
    return found + 1 if found >= 0 else 1


def parse_field(raw: str, *, file: str, line: int) -> FieldDef:
    """One field line of a TABLE block."""
    text = _strip_comment(raw).strip()
    indent = len(raw) - len(raw.lstrip()) + 1

    def fail(message: str, at: str = "") -> TableSyntaxError:
        return TableSyntaxError(file, line, _column(raw, at) if at else indent, message)

    match = re.match(r"FIELD\s+(\S+)\s+AS\s+(.*)\Z", text, re.IGNORECASE)
    if match:
        name, rest = match.group(1), match.group(2)
    else:
        parts = text.split(None, 1)
        if len(parts) < 2:
            raise fail(f"a field needs a name and a type (e.g. `{parts[0]} string(100)`)")
        name, rest = parts
    if not NAME_RE.match(name):
        raise fail(
            f"{name!r} is not a valid column name (letters, digits and _, starting with a letter)", name
        )
    type_match = _TYPE_RE.match(rest)
    word = type_match.group(1).lower() if type_match else ""
    if word not in TYPES:
        raise fail(
            f"unknown type {rest.split()[0]!r} for column {name}; use one of: "
            + ", ".join(sorted(set(TYPES))),
            rest.split()[0] if rest.split() else "",
        )
    found = FieldDef(name=name.lower(), type=TYPES[word], line=line)
    if type_match.group(2):
        found.length = int(type_match.group(2))
    if type_match.group(3):
        found.scale = int(type_match.group(3))
    if found.type == "number" and found.scale is not None:
        found.type = "decimal"
    _modifiers(found, _ROLES_RE.sub("", rest[type_match.end() :]), fail)
    return found


def _modifiers(found: FieldDef, text: str, fail) -> None:
    tokens = re.findall(r'"[^"]*"|\S+', text)
    index = 0
    while index < len(tokens):
        word = tokens[index].upper()
        following = tokens[index + 1].upper() if index + 1 < len(tokens) else ""
        if word == "PRIMARY" and following == "KEY":
            found.primary_key, index = True, index + 2
        elif word == "KEY":
            found.primary_key, index = True, index + 1
        elif word == "NOT" and following == "NULL":
            found.not_null, index = True, index + 2
        elif word == "NULL":
            index += 1
        elif word == "UNIQUE":
            found.unique, index = True, index + 1
        elif word in ("DEFAULT", "REFERENCES"):
            if index + 1 >= len(tokens):
                raise fail(f"{word} needs a value after it", tokens[index])
            value = tokens[index + 1]
            if word == "DEFAULT":
                found.default = value
            else:
                target = value.strip('"').split("(")[0]
                if not NAME_RE.match(target):
                    raise fail(f"REFERENCES needs a table name, got {value!r}", value)
                found.references = target.lower()
            index += 2
        else:
            raise fail(
                f"unexpected {tokens[index]!r} after column {found.name}; expected PRIMARY KEY, NOT NULL, "
                'DEFAULT x, UNIQUE, REFERENCES table, READ BY "roles" or WRITE BY "roles"',
                tokens[index],
            )


def parse_header(raw: str, *, file: str, line: int) -> TableDef:
    """``TABLE name [ON conn] [READ BY "r"] [WRITE BY "r"]``."""
    text = _strip_comment(raw).strip()
    match = _HEADER_RE.match(text)
    if match is None:
        raise TableSyntaxError(file, line, 1, "expected `TABLE name`")
    name = match.group(1).strip('"')
    if not NAME_RE.match(name):
        raise TableSyntaxError(
            file, line, _column(raw, name), f"{name!r} is not a valid table name (letters, digits and _)"
        )
    if len(name) > 48:
        raise TableSyntaxError(
            file, line, _column(raw, name), f"table name {name} is longer than 48 characters"
        )
    table = TableDef(name=name.lower(), file=file, line=line)
    rest = match.group(2)
    for kind, roles in _ROLES_RE.findall(rest):
        if kind.upper() == "READ":
            table.read_roles = roles
        else:
            table.write_roles = roles
    leftover = _ROLES_RE.sub("", rest).strip()
    if leftover and not re.match(r"ON\s+\S+\Z", leftover, re.IGNORECASE):
        raise TableSyntaxError(
            file,
            line,
            _column(raw, leftover.split()[0]),
            f"unexpected {leftover!r} after TABLE {name}; expected READ BY or WRITE BY",
        )
    if leftover:
        raise TableSyntaxError(
            file,
            line,
            _column(raw, leftover.split()[0]),
            "TABLE .. ON <connection> (external databases) is not supported; "
            "remove the ON clause to keep the table in the bot's database",
        )
    return table


def finish(table: TableDef) -> TableDef:
    """Check the table as a whole: unique column names, exactly one primary key."""
    seen: set[str] = set()
    for item in table.fields:
        if item.name in seen:
            raise TableSyntaxError(
                table.file, item.line, 1, f"column {item.name} appears twice in {table.name}"
            )
        seen.add(item.name)
    keys = [f for f in table.fields if f.primary_key]
    if len(keys) > 1:
        raise TableSyntaxError(
            table.file,
            keys[1].line,
            1,
            f"table {table.name} has more than one PRIMARY KEY ({keys[0].name}, {keys[1].name})",
        )
    if not keys:
        named_id = next((f for f in table.fields if f.name == "id"), None)
        if named_id is not None:
            named_id.primary_key = True
        else:
            table.fields.insert(0, FieldDef(name="id", type="integer", primary_key=True, line=table.line))
    return table


def parse_body(table: TableDef, body: str, *, first_line: int) -> TableDef:
    """Fill ``table`` from the lines between its header and END TABLE."""
    for offset, raw in enumerate(body.splitlines()):
        if _strip_comment(raw).strip():
            table.fields.append(parse_field(raw, file=table.file, line=first_line + offset))
    return finish(table)


def parse_tables(source: str, *, file: str = "tables.bas") -> list[TableDef]:
    """Every TABLE block of a tables.bas file; other statements are left to the BASIC runtime."""
    tables: list[TableDef] = []
    current: TableDef | None = None
    names: set[str] = set()
    for number, raw in enumerate(source.splitlines(), start=1):
        text = _strip_comment(raw).strip()
        if current is None:
            if re.match(r"TABLE\s", text, re.IGNORECASE):
                current = parse_header(raw, file=file, line=number)
                if current.name in names:
                    raise TableSyntaxError(file, number, 1, f"table {current.name} is declared twice")
            continue
        if re.match(r"END\s+TABLE\Z", text, re.IGNORECASE):
            names.add(current.name)
            tables.append(finish(current))
            current = None
        elif re.match(r"TABLE\s", text, re.IGNORECASE):
            raise TableSyntaxError(
                file, number, 1, f"TABLE {current.name} is not closed; add END TABLE before"
            )
        elif text:
            current.fields.append(parse_field(raw, file=file, line=number))
    if current is not None:
        raise TableSyntaxError(file, current.line, 1, f"TABLE {current.name} has no END TABLE")
    return tables
