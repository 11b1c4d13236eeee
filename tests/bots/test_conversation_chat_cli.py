"""``gb chat <bot>``: a terminal conversation through the same services; a waiting dialog
survives the process ending and is continued by a new process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bots.models import Channel, Conversation
from tests.bots.conversation_support import make_bot, transcript

GREETER = 'ADD SUGGESTION "Help"\nTALK "Name?"\nHEAR name\nTALK "Hi " + name\n'


def chat(*args: str, stdin: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("gb", "chat", *args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_chat_prints_replies_then_suggestions(make_package) -> None:
    make_bot(make_package, "term", {"start.bas": GREETER})
    out, err = chat("term", "--user", "me", stdin="hello\nAna\n")
    assert out == "Name?\nHi Ana\n[Help]\n"
    conversation = Conversation.objects.get()
    assert (conversation.channel, conversation.user_key) == (Channel.CLI, "me")
    assert f"conversation {conversation.pk}" in err


@pytest.mark.django_db
def test_chat_waits_for_a_short_wait_and_prints_what_follows(make_package) -> None:
    make_bot(make_package, "pause", {"start.bas": 'TALK "one"\nWAIT 0.2\nTALK "two"\n'})
    out, _ = chat("pause", stdin="go\n")
    assert out == "one\ntwo\n"


@pytest.mark.django_db
def test_chat_refuses_an_unknown_bot() -> None:
    with pytest.raises(CommandError, match="No active bot named 'ghost'"):
        chat("ghost", stdin="")


def _subprocess_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gbproject.settings"}
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        env["GB_SQLITE_PATH"] = str(default["NAME"])
    else:
        env["DATABASE_URL"] = (
            urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{default['NAME']}").geturl()
        )
    return env


def _chat_process(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "gb", "chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=_subprocess_env(),
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_a_waiting_dialog_survives_its_process_and_a_new_process_continues_it(make_package) -> None:
    make_bot(make_package, "durable-cli", {"start.bas": GREETER})
    first = _chat_process("durable-cli", "--user", "u1", stdin="hello\n")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Name?\n"
    conversation = Conversation.objects.get(bot__name="durable-cli")
    second = _chat_process(
        "durable-cli", "--user", "u1", "--conversation", str(conversation.pk), stdin="Zoe\n"
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout == "Hi Zoe\n[Help]\n"
    assert transcript(conversation.pk)[-1] == ("bot", "Hi Zoe")
