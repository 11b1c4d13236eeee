"""Registering ON EVENT blocks when a package is synced (and when ``gb run`` loads a file).

Each block becomes an :class:`~events.models.EventSubscription` pinned to the script's source as
it was read, naming the hidden procedure its body compiled to. A script that no longer compiles
keeps the subscriptions it had, so a typo never silently drops a handler; the problem names
FILE:LINE:COL. Blocks that are gone are deactivated, never deleted: their runs stay visible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, transaction

from basic import nodes
from basic.compiler import compile_source
from basic.errors import BasicError, BasicSyntaxError
from basic.parser import parse
from bots.models import Bot
from bots.packages.problems import Problem, read_text
from bots.runtime.scripts import bot_package, script_version_pin
from events.models import EventSubscription
from events.services import EventError, event_name_clean

logger = logging.getLogger(__name__)

ON_EVENT = "ON EVENT"


@dataclass(frozen=True, slots=True)
class HandlerBlock:
    """One ``ON EVENT "name" DO`` block of a script."""

    event_name: str
    line: int
    column: int
    entry: str


NESTED = (
    "ON EVENT must be at the top level of the script, not inside IF, a loop, a SUB or another "
    "block: it is registered when the package loads, not when this line runs"
)
UNNAMED = 'ON EVENT needs the event name as a quoted text: ON EVENT "order_paid" DO'


def handler_calls(
    program: nodes.Program,
) -> tuple[list[tuple[nodes.KeywordCall, str]], list[tuple[nodes.Node, str]]]:
    """The ON EVENT blocks of a parsed script with their event names, and the mistakes that keep
    a block from being registered (each with the node to report it at)."""
    top_level = [
        item.call
        for item in program.body
        if isinstance(item, nodes.KeywordBlock) and item.call.phrase == ON_EVENT
    ]
    placed = {(call.line, call.column) for call in top_level}
    problems: list[tuple[nodes.Node, str]] = [
        (call, NESTED)
        for call in nodes.keyword_calls([program.body, list(program.procedures.values())])
        if call.phrase == ON_EVENT and (call.line, call.column) not in placed
    ]
    blocks = []
    for call in top_level:
        name = call.args.get("name")
        if not (isinstance(name, nodes.Literal) and isinstance(name.value, str)):
            problems.append((call, UNNAMED))
            continue
        try:
            blocks.append((call, event_name_clean(name.value, phrase=ON_EVENT)))
        except EventError as exc:
            problems.append((call, str(exc)))
    return blocks, sorted(problems, key=lambda item: (item[0].line, item[0].column))


def handlers_in(source: str, file: str) -> list[HandlerBlock]:
    """The ON EVENT blocks of a script; :class:`BasicError` at FILE:LINE:COL when one is wrong."""
    if "on event" not in source.lower():
        return []
    blocks, problems = handler_calls(parse(source, file=file))
    if problems:
        node, message = problems[0]
        raise BasicSyntaxError(message, file=file, line=node.line, column=node.column)
    bodies = {(site.line, site.column): site.body for site in compile_source(source, file).sites if site.body}
    return [
        HandlerBlock(name, call.line, call.column, bodies[(call.line, call.column)]) for call, name in blocks
    ]


def subscriptions_register(*, bot: Bot, script: str, source: str) -> list[EventSubscription]:
    """Make the bot's subscriptions of ``script`` match its ON EVENT blocks (raises BasicError).
    Blocks keep their row (and its run history) across edits, matched by name in source order."""
    blocks = handlers_in(source, script)
    version = script_version_pin(source) if blocks else None
    kept: list[EventSubscription] = []
    with transaction.atomic():
        existing = list(
            EventSubscription.objects.select_for_update()
            .filter(bot=bot, script=script)
            .order_by("line", "pk")
        )
        for block in blocks:
            row = next((s for s in existing if s.event_name == block.event_name and s not in kept), None)
            fields = {
                "script_version_id": version.pk if version else None,
                "entry": block.entry,
                "line": block.line,
                "column": block.column,
                "active": True,
            }
            if row is None:
                row = EventSubscription.objects.create(
                    bot=bot, script=script, event_name=block.event_name, **fields
                )
            elif any(getattr(row, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(row, name, value)
                row.save()
            kept.append(row)
        gone = [row.pk for row in existing if row not in kept and row.active]
        if gone:
            EventSubscription.objects.filter(pk__in=gone).update(active=False)
    return kept


def subscriptions_sync(*, bot: Bot, path: Path) -> list[Problem]:
    """Package sync's call: register the ON EVENT blocks of every dialog of the bot's package,
    returning what the author must fix."""
    package = bot_package(bot)
    problems: list[Problem] = []
    seen: set[str] = set()
    try:
        for dialog in package.dialogs if package is not None else []:
            script = dialog.relative_to(package.path).as_posix()
            seen.add(script)
            source, problem = read_text(dialog)
            if source is None:
                problems.append(problem or Problem(dialog, "cannot read the file"))
                continue
            try:
                subscriptions_register(bot=bot, script=script, source=source)
            except BasicError as err:
                problems.append(Problem(dialog, str(err), getattr(err, "line", None)))
        EventSubscription.objects.filter(bot=bot, active=True).exclude(script__in=seen).update(active=False)
    except DatabaseError as exc:  # one bot's handlers never stop the sync of the others
        logger.exception("bot %s: registering ON EVENT handlers failed", bot.name)
        problems.append(Problem(path, f"the ON EVENT handlers could not be registered: {exc}"))
    return problems
