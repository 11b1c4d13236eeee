"""Bot tables: TABLE blocks in tables.bas become real tables; FIND, SAVE, INSERT, UPDATE, DELETE
and the three-argument SET read and write them through a conversation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from bots.models import BotTable, BotTableField, ConversationError
from bots.runtime.selectors import message_replies
from bots.runtime.services import message_post
from bots.services import package_sync_all
from bots.tables.definitions import TableSyntaxError, parse_tables
from bots.tables.schema import existing_columns
from tests.bots.conversation_support import make_bot, say

pytestmark = pytest.mark.django_db

TABLES = """' the shop's tables
TABLE customers
    id integer PRIMARY KEY
    name string(100) NOT NULL
    email string(200) UNIQUE
    vip boolean DEFAULT false
END TABLE

TABLE orders
    FIELD id AS integer KEY
    customer string(100)
    status string(20) DEFAULT "open"
    total decimal(10,2)
    placed date
END TABLE
"""


def test_tables_bas_is_parsed_with_types_and_modifiers() -> None:
    customers, orders = parse_tables(TABLES)
    assert [f.name for f in customers.fields] == ["id", "name", "email", "vip"]
    assert customers.fields[1].not_null and customers.fields[1].length == 100
    assert customers.fields[2].unique and customers.fields[3].default == "false"
    assert orders.primary_key.name == "id"
    assert (orders.fields[3].type, orders.fields[3].length, orders.fields[3].scale) == ("decimal", 10, 2)


def test_table_without_key_gets_an_id_column() -> None:
    (table,) = parse_tables("TABLE notes\n  body text\nEND TABLE\n")
    assert [(f.name, f.primary_key) for f in table.fields] == [("id", True), ("body", False)]


@pytest.mark.parametrize(
    ("source", "where", "fragment"),
    [
        ("TABLE t\n  name strng\nEND TABLE\n", "tables.bas:2:8", "unknown type 'strng'"),
        ("TABLE t\n  name string FROBNICATE\nEND TABLE\n", "tables.bas:2:15", "unexpected 'FROBNICATE'"),
        ("TABLE t\n  a integer\n", "tables.bas:1:1", "has no END TABLE"),
        ("TABLE t-x\nEND TABLE\n", "tables.bas:1:7", "not a valid table name"),
        (
            "TABLE t\n  a integer KEY\n  b integer KEY\nEND TABLE\n",
            "tables.bas:3:1",
            "more than one PRIMARY KEY",
        ),
    ],
)
def test_mistakes_in_tables_bas_name_file_line_and_column(source: str, where: str, fragment: str) -> None:
    with pytest.raises(TableSyntaxError) as caught:
        parse_tables(source, file="tables.bas")
    assert str(caught.value).startswith(where + ":")
    assert fragment in str(caught.value)


def _shop(make_package, start: str, name: str = "shop"):
    return make_bot(make_package, name, {"tables.bas": TABLES, "start.bas": start})


def test_package_sync_creates_real_tables_and_stores_definitions(make_package) -> None:
    bot = _shop(make_package, 'TALK "hi"\n')
    table = BotTable.objects.get(bot=bot, name="customers")
    assert table.db_table == f"gbt{bot.pk}_customers"
    assert existing_columns(table.db_table) == {"id", "name", "email", "vip"}
    assert list(BotTableField.objects.filter(table=table).values_list("name", flat=True)) == [
        "id",
        "name",
        "email",
        "vip",
    ]
    with connection.cursor() as cursor:  # a real table: plain SQL sees it
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table.db_table)}")
        assert cursor.fetchone()[0] == 0


def test_reload_adds_new_columns_and_keeps_rows(make_package) -> None:
    bot = _shop(make_package, 'SAVE "customers", 1, "Ana", "ana@x.com"\nTALK "ok"\n')
    assert say(bot, "hi")[1] == ["ok"]
    changed = TABLES.replace("    vip boolean DEFAULT false\n", "    phone string(30)\n")
    make_package("shop", {"shop.gbdialog/tables.bas": changed})
    report = package_sync_all(roots=[make_package.root])
    assert not report.problems
    table = BotTable.objects.get(bot=bot, name="customers")
    assert existing_columns(table.db_table) == {"id", "name", "email", "vip", "phone"}  # vip kept
    assert not table.fields.get(name="vip").active
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, phone FROM {connection.ops.quote_name(table.db_table)}")
        assert cursor.fetchall() == [("Ana", None)]


def test_a_type_change_is_reported_by_sync_not_applied(make_package) -> None:
    bot = _shop(make_package, 'TALK "hi"\n')
    make_package("shop", {"shop.gbdialog/tables.bas": TABLES.replace("name string(100)", "name integer")})
    report = package_sync_all(roots=[make_package.root])
    assert any("already a string" in p.message for p in report.problems)
    assert BotTable.objects.get(bot=bot, name="customers").fields.get(name="name").type == "string"


def test_save_find_insert_update_set_delete_in_a_conversation(make_package) -> None:
    start = (
        'SAVE "customers", 1, "Ana", "ana@x.com", true\n'
        'SAVE "customers", 2, #{name: "Bia", email: "bia@x.com"}\n'
        'SAVE "customers", 1, "Ana Maria", "ana@x.com", true\n'
        'rows = FIND "customers", "vip=true"\n'
        'TALK rows[0].name + " " + rows[0].vip + " " + UBOUND(rows)\n'
        'id = INSERT "orders", #{customer: "Bia", total: 10.5, placed: "2026-01-02"}\n'
        'id2 = INSERT "orders", #{customer: "Bia", total: 3}\n'
        'TALK "ids " + id + " " + id2\n'
        'n = UPDATE "orders", "id=" + id, #{status: "paid"}\n'
        'SET "orders", "id=" + id2, "total=7.25,status=sent"\n'
        'paid = FIND "orders", "customer=Bia AND status=paid"\n'
        'TALK n + " " + paid[0].total + " " + paid[0].placed + " " + UBOUND(paid)\n'
        'sent = FIND "orders", "total>7 AND total<8"\n'
        'TALK sent[0].status + " " + sent[0].total\n'
        'gone = DELETE "orders", "status=paid"\n'
        'TALK gone + " " + UBOUND(FIND("orders", "")) + " " + UBOUND(FIND("customers", "id>=1", 1))\n'
    )
    bot = _shop(make_package, start)
    _, replies = say(bot, "hi", user_key="staffless")
    assert ConversationError.objects.count() == 0, ConversationError.objects.first()
    assert replies[0] == "Ana Maria true 1"
    first, second = replies[1].split()[1:]
    assert int(second) == int(first) + 1
    assert replies[2] == "1 10.5 2026-01-02 1"
    assert replies[3] == "sent 7.25"
    assert replies[4] == "1 1 1"


def test_date_maps_and_datetime_columns(make_package) -> None:
    tables = "TABLE visits\n  day date\n  at datetime DEFAULT NOW\n  ok boolean\nEND TABLE\n"
    start = (
        'INSERT "visits", #{day: TODAY(), ok: "yes"}\n'
        'INSERT "visits", #{day: "2020-05-06", at: NOW(), ok: "no"}\n'
        'rows = FIND "visits", "ok=true AND day=" + TODAY()\n'
        'TALK UBOUND(rows) + " " + (rows[0].day = TODAY().formatted) + " " + LEN(rows[0].at)\n'
        'TALK FIND("visits", #{ok: false})[0].day\n'
    )
    bot = make_bot(make_package, "visits", {"tables.bas": tables, "start.bas": start})
    conversation, replies = say(bot, "hi")
    assert not ConversationError.objects.filter(conversation_id=conversation).exists()
    count, same_day, length = replies[0].split()
    assert (count, same_day) == ("1", "true") and int(length) >= 19
    assert replies[1] == "2020-05-06"


def test_default_values_and_filter_limit(make_package) -> None:
    start = (
        'INSERT "orders", #{customer: "A"}\nINSERT "orders", #{customer: "B"}\n'
        'INSERT "orders", #{customer: "C"}\n'
        'rows = FIND "orders", "status=open LIMIT 2"\n'
        'TALK UBOUND(rows) + " " + rows[0].status + " " + rows[1].customer\n'
        "TALK ISNULL(rows[0].total)\n"
    )
    bot = _shop(make_package, start, name="shop2")
    assert say(bot, "hi")[1] == ["2 open B", "true"]


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('x = FIND "invoices", "id=1"', "unknown table 'invoices'; known tables: customers, orders"),
        ('x = FIND "customers", "age=3"', "has no column 'age'; its columns are:"),
        ('INSERT "customers", #{nome: "x"}', "has no column 'nome'"),
        ('x = FIND "customers", "id=abc"', "customers.id"),
        ('INSERT "customers", #{email: "x"}', "customers.name is NOT NULL"),
        ('DELETE "customers", ""', "needs a filter"),
        ('SAVE "customers", 1, "a", "b", true, "extra"', "gave 4 values but table customers has 3 columns"),
        ('x = FIND "customers", "name LIKE x"', "cannot read the filter"),
    ],
)
def test_author_errors_name_what_to_fix(make_package, line: str, fragment: str) -> None:
    bot = _shop(make_package, line + '\nTALK "after"\n', name="shoperr")
    conversation, replies = say(bot, "hi")
    error = ConversationError.objects.get(conversation_id=conversation)
    assert fragment in error.text
    assert (error.line, error.file.endswith("start.bas")) == (1, True)


def test_filter_values_are_parameters_not_sql(make_package) -> None:
    start = (
        'SAVE "customers", 1, "x\' OR \'1\'=\'1", "a@x.com"\n'
        'SAVE "customers", 2, "Bia", "b@x.com"\n'
        "TALK UBOUND(FIND(\"customers\", \"name=Bia' OR '1'='1\"))\n"
        "TALK FIND(\"customers\", \"name=x' OR '1'='1\")[0].id\n"
    )
    bot = _shop(make_package, start, name="shopsql")
    assert say(bot, "hi")[1] == ["0", "1"]


def test_roles_let_only_signed_in_users_of_their_groups_write(make_package, django_user_model) -> None:
    tables = 'TABLE secrets READ BY "staff, boss" WRITE BY "staff"\n  code string(10)\nEND TABLE\n'
    start = 'INSERT "secrets", #{code: "A"}\nTALK "saved " + UBOUND(FIND("secrets", ""))\n'
    bot = make_bot(make_package, "shoproles", {"tables.bas": tables, "start.bas": start})
    assert BotTable.objects.get(bot=bot, name="secrets").read_roles == "staff, boss"

    conversation, replies = say(bot, "hi")  # an anonymous visitor
    assert replies == ["Sorry, something went wrong on my side. Please try again."]
    error = ConversationError.objects.get(conversation_id=conversation)
    assert "may not write table secrets (allowed roles: staff)" in error.text

    outsider = django_user_model.objects.create_user("out", password="x")
    turn = message_post(bot=bot, text="hi", user=outsider)
    assert ConversationError.objects.filter(conversation=turn.conversation).exists()

    staff = django_user_model.objects.create_user("ana", password="x")
    staff.groups.add(Group.objects.create(name="Staff"))
    turn = message_post(bot=bot, text="hi", user=staff)
    assert [m.content for m in message_replies(message=turn.message)] == ["saved 1"]


def test_table_block_run_as_a_script_defines_the_table(make_package) -> None:
    start = (
        "TABLE pets\n  name string(40)\n  age integer\nEND TABLE\n"
        'id = INSERT "pets", #{name: "Rex", age: 3}\n'
        'TALK FIND("pets", "age=3")[0].name\n'
    )
    bot = make_bot(make_package, "petshop", {"start.bas": start})
    assert say(bot, "hi")[1] == ["Rex"]
    assert BotTable.objects.get(bot=bot, name="pets").fields.count() == 3


def test_a_mistake_in_tables_bas_is_a_sync_problem_and_an_author_error(make_package) -> None:
    bot = make_bot(
        make_package,
        "badtables",
        {"tables.bas": "TABLE t\n  a strng\nEND TABLE\n", "start.bas": 'x = FIND "t", ""\nTALK "no"\n'},
    )
    report = package_sync_all(roots=[make_package.root])
    assert any("tables.bas:2:5: unknown type 'strng'" in p.message for p in report.problems)
    conversation, replies = say(bot, "hi")
    assert "no" not in replies
    error = ConversationError.objects.get(conversation_id=conversation)
    assert "tables.bas has a mistake" in error.text and "2:5" in error.text


def test_rows_written_before_a_hear_are_written_once(make_package) -> None:
    start = 'INSERT "customers", #{name: "Ana"}\nHEAR x\nTALK UBOUND(FIND("customers", "name=Ana"))\n'
    bot = _shop(make_package, start, name="shophear")
    conversation, _ = say(bot, "hi")
    assert say(bot, "go", conversation=conversation)[1] == ["1"]
