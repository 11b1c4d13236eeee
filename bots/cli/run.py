"""``gb run FILE.bas``: run one script as a console conversation (TALK to stdout, HEAR from stdin).

A script outside any ``.gbai`` package runs on the language alone (:func:`basic.cli.run_file`).
A script inside a package runs as the package's bot would run it: the packages are synced first
(the bundled ones, those of GB_PACKAGE_DIRS and the script's own), then the script starts in a new
one-user conversation on the "cli" channel, through the same services as ``gb chat`` and the web
chat, so it sees the bot's config (param-* variables, llm-* keys), tables, other scripts and
memory. Exit statuses are those of :mod:`basic.cli`: 0 finished, 1 script error (``FILE:LINE:COL:
message`` on stderr), 3 waiting for something the console cannot give.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import re
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from basic.cli import EXIT_ERROR, EXIT_FINISHED, EXIT_WAITING, run_file
from basic.errors import BasicError
from bots.models import Bot, Channel, Conversation, ConversationError, DialogRun, Message, Role, RunStatus
from bots.packages.discovery import PACKAGE_SUFFIX
from bots.packages.loader import package_dirs
from bots.packages.problems import read_text
from bots.runtime import selectors
from bots.runtime.live import conversation_changed
from bots.runtime.runs import conversation_lock, run_start
from bots.runtime.scripts import ScriptFile
from bots.runtime.services import conversation_open, message_post, runs_fire_due
from bots.services import package_sync_all
from gbproject.nudges import EXIT_DRAIN_SECONDS
from gbproject.nudges import drain as nudges_drain
from workflows.cli import (
    is_workflow,
    placed,
    report_failed_handlers,
    standalone_bot,
    talk_printer,
    workflow_run,
)
from workflows.engine import LocalDispatch
from workflows.engine.foreground import advance_ready
from workflows.models import WorkflowExecution

_EVENT_KEYWORDS = re.compile(r"\b(?:ON|WAIT\s+FOR|PUBLISH)\s+EVENT\b", re.IGNORECASE)
_HEAR = re.compile(r"\bHEAR\b", re.IGNORECASE)

NAME = "run"
HELP = (
    "Run a .bas script: each TALK prints a line, each HEAR reads the next line of stdin. A script "
    "inside a .gbai package runs as that bot (its config, tables, other scripts and memory)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", metavar="FILE.bas", help="The script to run.")
    parser.add_argument(
        "--user", default=None, help="The user key of a package run (default: cli:<your login>)."
    )
    # Lets call_command() feed the script's input; the command line reads the real stdin.
    parser.add_argument("--stdin", dest="stdin", default=None, help=argparse.SUPPRESS)


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    stdin: TextIO = options["stdin"] or sys.stdin
    path = Path(options["script"])
    package = package_of(path)
    text, _problem = read_text(path)
    if text is not None and (is_workflow(text) or (uses_events(text) and not (package and hears(text)))):
        status = workflow_file_run(path, package, text, command)
    elif package is None:
        status = run_file(path, stdin=stdin, stdout=command.stdout, stderr=command.stderr)
    else:
        user_key = options["user"] or f"cli:{getpass.getuser()}"
        status = PackageRun(package, path, command.stdout, command.stderr).run(stdin, user_key)
    if status != EXIT_FINISHED:
        # Live pages hear of the last changes before the interpreter shuts down (exit hooks can
        # no longer start the nudges' thread work then).
        with contextlib.suppress(TimeoutError):
            nudges_drain(EXIT_DRAIN_SECONDS)
        # The script already said why on stderr (FILE:LINE:COL or what it waits for).
        raise SystemExit(status)


def uses_events(source: str) -> bool:
    return bool(_EVENT_KEYWORDS.search(source))


def hears(source: str) -> bool:
    """Whether a script may wait for a person (then, in a package, it runs as a conversation)."""
    return bool(_HEAR.search(source))


def workflow_file_run(path: Path, package: Path | None, text: str, command: BaseCommand) -> int:
    """A workflow script, or one that uses events and asks nobody anything (HEAR), runs in the
    foreground with the workflow engine: as its package's bot, or (outside a package) owned by a
    bot that answers no one, with every package synced so its BOT steps find bots. Its ON EVENT
    blocks are registered and the events it publishes are delivered here, so the handlers they
    start run (and TALK) here."""
    from events.bus import deliver_here  # the events app builds on this one
    from events.subscriptions import subscriptions_register

    databases_migrate_if_needed()
    if package is None:
        package_sync_all()
        bot, script = standalone_bot(), ScriptFile(str(path), text)
    else:
        runner = PackageRun(package, path, command.stdout, command.stderr)
        bot, script = runner.bot(), runner.script_file()
    try:
        subscriptions_register(bot=bot, script=script.path, source=text)
    except BasicError as err:
        command.stderr.write(f"{placed(str(err), script, path)}\n")
        return EXIT_ERROR
    dispatch = LocalDispatch()
    with deliver_here(dispatch):
        return workflow_run(bot=bot, script=script, shown_as=path, inputs=None, stdout=command.stdout,
                            stderr=command.stderr, dispatch=dispatch)


def package_of(path: Path) -> Path | None:
    """The ``.gbai`` folder the script is in, or None for a script outside any package."""
    for parent in path.resolve().parents:
        if parent.name.lower().endswith(PACKAGE_SUFFIX) and parent.is_dir():
            return parent
    return None


def databases_migrate_if_needed() -> None:
    """Apply pending migrations (a new embedded database), as ``gb setup`` does; quiet otherwise."""
    for alias in settings.DATABASES:
        connection = connections[alias]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", database=alias, interactive=False, verbosity=0)


class PackageRun:
    """One package script run as a console conversation: prints each bot message as it is stored.
    The events it publishes are delivered here, and the ON EVENT handlers they start run here
    too, their TALKs marked with the event."""

    def __init__(self, package: Path, script: Path, stdout: TextIO, stderr: TextIO) -> None:
        self.package = package
        self.script = script
        self.stdout = stdout
        self.stderr = stderr
        self.shown: set[int] = set()
        self.reported: set[int] = set()
        self.woken = LocalDispatch()
        self.print_talk = talk_printer(stdout)

    def run(self, stdin: TextIO, user_key: str) -> int:
        from events.bus import deliver_here  # the events app builds on this one

        with deliver_here(self.woken):
            status = self._converse(stdin, user_key)
        report_failed_handlers(self.woken.woken, self.stderr)
        return status

    def _converse(self, stdin: TextIO, user_key: str) -> int:
        try:
            script = self.script_file()
        except OSError as exc:
            self.stderr.write(f"{self.script}: cannot read the script ({exc.strerror or exc})\n")
            return EXIT_ERROR
        databases_migrate_if_needed()
        bot = self.bot()
        conversation = conversation_open(bot=bot, channel=Channel.CLI, user_key=user_key)
        run = self._start(conversation, script)
        while True:
            self._wait_for_timers(conversation)
            self._print_new(conversation)
            run.refresh_from_db()
            if run.status == RunStatus.FAILED:
                return EXIT_ERROR
            if run.status != RunStatus.WAITING:
                return EXIT_FINISHED
            if run.waiting_for != "input":
                self.stderr.write(f"{self.script}: waiting for {run.waiting_for} {run.detail or ''}".rstrip())
                self.stderr.write("\n")
                return EXIT_WAITING
            self._print_menu(run)
            line = stdin.readline()
            if not line:
                variable = run.detail.get("variable", "")
                self.stderr.write(f"{self.script}: waiting for input (HEAR {variable}) at the end of stdin\n")
                return EXIT_WAITING
            turn = message_post(
                bot=bot,
                text=line.rstrip("\r\n"),
                channel=Channel.CLI,
                user_key=user_key,
                conversation_id=conversation.pk,
            )
            self.shown.add(turn.message.pk)

    def script_file(self) -> ScriptFile:
        text, problem = read_text(self.script)
        if text is None:
            raise OSError(problem.message if problem is not None else "cannot read the file")
        return ScriptFile(self.script.resolve().relative_to(self.package).as_posix(), text)

    def bot(self) -> Bot:
        """Sync the packages (adding the script's own if it is not in a package folder) and
        return its bot; problems of this package are printed, others are for ``gb packages``."""
        roots = package_dirs()
        covered = any(self.package == Path(root).resolve() or Path(root).resolve() in self.package.parents
                      for root in roots)
        # The folder holding the package is synced with it, so the bots beside it (those a
        # workflow's BOT steps or DELEGATE call) are there too.
        report = package_sync_all(roots=roots if covered else [*roots, self.package.parent])
        for problem in report.all_problems:
            problem_path = Path(problem.path).resolve()
            if problem_path == self.package or self.package in problem_path.parents:
                self.stderr.write(f"{problem}\n")
        bot = Bot.objects.filter(name__iexact=self.package.stem, active=True).first()
        if bot is None or Path(bot.source_path).resolve() != self.package:
            where = f" is loaded from {bot.source_path}" if bot is not None else " cannot be loaded"
            raise CommandError(
                f"{self.package}: the package {self.package.stem!r}{where}; rename one of them "
                "(see `gb packages`)",
                returncode=EXIT_ERROR,
            )
        return bot

    def _start(self, conversation: Conversation, script: ScriptFile) -> DialogRun:
        """Start the script under the conversation's lock, in place of start.bas."""
        with transaction.atomic():
            locked = conversation_lock(conversation.pk)
            locked.start_done = True
            locked.save(update_fields=["start_done", "updated_at"])
            run = run_start(conversation=locked, script=script, inbound=None)
        conversation_changed(conversation_id=conversation.pk)
        return run

    def _print_new(self, conversation: Conversation) -> None:
        """The bot's messages not printed yet (errors go to stderr, with their position)."""
        new = Message.objects.filter(conversation=conversation, role=Role.BOT).exclude(pk__in=self.shown)
        for message in new.order_by("id"):
            self.shown.add(message.pk)
            if message.kind == "error":
                continue
            if message.kind == "talk_to":
                self.stdout.write(f"[to {message.source.get('recipient', '')}] {message.content}\n")
            else:
                self.stdout.write(f"{message.content}\n")
        errors = ConversationError.objects.filter(conversation=conversation).exclude(pk__in=self.reported)
        for record in errors.order_by("id"):
            self.reported.add(record.pk)
            self.stderr.write(f"{self._where(record)}:{record.line}:{record.column}: {record.text}\n")
        self.stdout.flush()

    def _where(self, record: ConversationError) -> str:
        if not record.file:
            return str(self.script)
        file = Path(record.file)
        return str(file if file.is_absolute() else self.package / file)

    def _print_menu(self, run: DialogRun) -> None:
        chips = selectors.conversation_suggestions(conversation=run.conversation, run=run)
        if chips:
            self.stdout.write("[" + "] [".join(str(chip["label"]) for chip in chips) + "]\n")
            self.stdout.flush()

    def _handler_talk(self, execution: WorkflowExecution, message: Message) -> None:
        self.shown.add(message.pk)  # a handler of this bot talks in this conversation
        self.print_talk(execution, message)

    def _wait_for_timers(self, conversation: Conversation) -> None:
        """Sleep until a WAIT (or a WAIT FOR EVENT's TIMEOUT, or the event) is due and fire it, as
        the periodic sweep would."""
        while True:
            self._print_new(conversation)
            advance_ready(self.woken, on_talk=self._handler_talk)  # the handlers its events started
            run = selectors.conversation_waiting_run(conversation=conversation)
            if run is None or run.waiting_for == "input" or run.due_at is None:
                return
            time.sleep(max(0.0, (run.due_at - timezone.now()).total_seconds()))
            runs_fire_due(now=max(timezone.now(), run.due_at))
