"""``gb run FILE.bas`` on a script inside a .gbai package: it runs as that package's bot, in a
one-user conversation on the cli channel, with the package's config, tables, other scripts and
memory; TALK prints, HEAR reads stdin, and the exit statuses are those of a plain script."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bots.models import Bot, Channel, Conversation, ConversationError, Role
from tests.bots.conversation_support import make_bot

# gb run migrates every database that needs it (the embedded channel layer has its own).
pytestmark = pytest.mark.django_db(databases="__all__")

ORDERS_START = Path(settings.BASE_DIR) / "bottemplates" / "orders.gbai" / "orders.gbdialog" / "start.bas"


def gb_run(script: Path, stdin: str = "", user: str = "tester") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "gb", "run", str(script), "--user", user, stdin=io.StringIO(stdin), stdout=out, stderr=err
        )
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_bundled_orders_package_runs_with_its_config_tables_tool_and_memory() -> None:
    status, out, err = gb_run(ORDERS_START, "Ana\nPlace an order\nEspresso beans\n2\n")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "Welcome to The Corner Roastery! What is your name?",  # param-shop from config.csv
        "What would you like to do?",
        "[Place an order] [My orders]",
        "Which product?",
        "[Espresso beans] [Green tea] [Mug]",
        "How many?",
        "Order #1 saved: 2 x Espresso beans for Ana.",  # order.bas, CALLed; SAVE into its table
        "Thank you! Tap Order again to place another order.",
    ]
    conversation = Conversation.objects.get()
    assert (conversation.bot.name, conversation.channel) == ("orders", Channel.CLI)
    assert conversation.user_key == "tester"
    assert conversation.messages.filter(role=Role.USER).count() == 4

    status, out, err = gb_run(ORDERS_START, "My orders\n")
    assert (status, err) == (0, "")
    assert out.splitlines()[:2] == [
        "Welcome back to The Corner Roastery, Ana!",  # user memory
        "The last order placed here was 2 x Espresso beans.",  # bot memory
    ]
    assert "#1: 2 x Espresso beans" in out.splitlines()  # FIND on the table


def test_a_tool_script_of_the_package_runs_alone() -> None:
    status, out, _ = gb_run(ORDERS_START.with_name("order.bas"), "Bia\nMug\n1\n")
    assert status == 0
    assert out.splitlines()[-1] == "Order #1 saved: 1 x Mug for Bia."


def test_a_package_outside_the_package_folders_is_synced_and_used(make_package) -> None:
    package = make_package(
        "desk",
        {
            "desk.gbot/config.csv": "name,value\nparam-greeting,Good morning\n",
            "desk.gbdialog/tables.bas": "TABLE notes\n  body string(100)\nEND TABLE\n",
            "desk.gbdialog/start.bas": (
                'HEAR note\nINSERT "notes", #{body: note}\nCALL echo(greeting)\n'
                'TALK UBOUND(FIND("notes", "body=" + note)) + " note(s)"\n'
            ),
            "desk.gbdialog/echo.bas": 'PARAM text AS STRING\nTALK text + "!"\n',
        },
    )
    status, out, err = gb_run(package / "desk.gbdialog" / "start.bas", "buy milk\n")
    assert (status, out, err) == (0, "Good morning!\n1 note(s)\n", "")
    assert Bot.objects.get(name="desk").source_path == str(package)


def test_script_error_exits_1_with_its_position(make_package) -> None:
    package = make_package("broken", {"broken.gbdialog/start.bas": 'TALK "one"\nx = 1 / 0\n'})
    script = package / "broken.gbdialog" / "start.bas"
    status, out, err = gb_run(script)
    assert (status, out) == (1, "one\n")
    assert err.startswith(f"{script}:2:") and "zero" in err.lower()
    assert ConversationError.objects.get().line == 2


def test_end_of_stdin_while_waiting_exits_3(make_package) -> None:
    make_bot(make_package, "ask", {"start.bas": 'TALK "Name?"\nHEAR name\nTALK name\n'})
    script = make_package.root / "ask.gbai" / "ask.gbdialog" / "start.bas"
    status, out, err = gb_run(script)
    assert (status, out) == (3, "Name?\n")
    assert "waiting for input (HEAR name) at the end of stdin" in err


def test_a_wait_is_slept_and_what_follows_is_printed(make_package) -> None:
    package = make_package("pause", {"pause.gbdialog/start.bas": 'TALK "one"\nWAIT 0.2\nTALK "two"\n'})
    assert gb_run(package / "pause.gbdialog" / "start.bas") == (0, "one\ntwo\n", "")

def test_a_package_named_like_a_loaded_one_is_refused(make_package) -> None:
    package = make_package("orders", {"orders.gbdialog/start.bas": 'TALK "impostor"\n'})
    with pytest.raises(CommandError, match="'orders' is loaded from .*bottemplates"):
        gb_run(package / "orders.gbdialog" / "start.bas")


def test_first_run_on_a_new_embedded_database_migrates_it(tmp_path: Path) -> None:
    """A fresh install: `manage.py gb run` in a new process creates the embedded databases first."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(GB_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="gbproject.settings")
    for key in ("GB_SQLITE_PATH", "GB_CHANNELS_SQLITE_PATH"):
        env.pop(key, None)
    done = subprocess.run(
        [sys.executable, "manage.py", "gb", "run", str(ORDERS_START.with_name("order.bas"))],
        input="Caio\nGreen tea\n4\n",
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
        timeout=300,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.splitlines()[-1] == "Order #1 saved: 4 x Green tea for Caio."
    assert (tmp_path / "db.sqlite3").is_file()
