"""Writes for the bots app: registering bots from packages and syncing every package folder."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from bots.models import Bot, BotConfig
from bots.packages.config_csv import ConfigRow
from bots.packages.loader import LoadedPackage, LoadResult, load_packages
from bots.packages.problems import Problem
from bots.tables.services import tables_sync_problems
from bots.triggers.services import triggers_sync_problems

logger = logging.getLogger(__name__)

DESCRIPTION_KEYS = ("bot-description", "Bot Description", "description")

PackageSyncHook = Callable[..., list[Problem]]
_sync_hooks: list[PackageSyncHook] = [tables_sync_problems, triggers_sync_problems]


def register_package_sync_hook(hook: PackageSyncHook) -> None:
    """Let another app register what it reads from a bot's package at sync (``hook(bot=, path=)
    -> problems``): the events app's ON EVENT handlers, without this app importing it."""
    if hook not in _sync_hooks:
        _sync_hooks.append(hook)


@dataclass(slots=True)
class SyncReport:
    """What a sync did, per bot name, and every problem it met."""

    load: LoadResult
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def all_problems(self) -> list[Problem]:
        return self.load.all_problems + self.problems


def bot_config_replace(*, bot: Bot, rows: Iterable[ConfigRow]) -> bool:
    """Make the bot's stored config equal to ``rows``; returns whether anything changed."""
    wanted: dict[str, ConfigRow] = {}
    for row in rows:
        wanted[row.key] = row  # a repeated key keeps its last value
    current = {item.key: item for item in BotConfig.objects.filter(bot=bot)}
    changed = False
    stale = [key for key in current if key not in wanted]
    if stale:
        BotConfig.objects.filter(bot=bot, key__in=stale).delete()
        changed = True
    for key, row in wanted.items():
        existing = current.get(key)
        if existing is None:
            BotConfig.objects.create(bot=bot, key=key, value=row.value, line=row.line)
            changed = True
        elif existing.value != row.value or existing.line != row.line:
            existing.value, existing.line = row.value, row.line
            existing.save(update_fields=["value", "line"])
            changed = True
    return changed


@transaction.atomic
def bot_register_from_package(*, loaded: LoadedPackage) -> tuple[Bot, str]:
    """Create or update the bot of one package. Returns the bot and "created"/"updated"/"unchanged".

    A config.csv with problems is not applied, so the bot keeps its previous settings.
    """
    package = loaded.package
    config = loaded.config.as_dict() if loaded.config is not None else {}
    bot = Bot.objects.select_for_update().filter(name=package.name).first()
    outcome = "unchanged"
    fields = {"source_path": str(package.path), "active": True}
    if loaded.config_ok:
        fields["description"] = next((config[key] for key in DESCRIPTION_KEYS if config.get(key)), "")
    if bot is None:
        bot = Bot(name=package.name, **fields)
        bot.full_clean()
        bot.save()
        outcome = "created"
    else:
        dirty = [name for name, value in fields.items() if getattr(bot, name) != value]
        if dirty:
            for name in dirty:
                setattr(bot, name, fields[name])
            bot.full_clean()
            bot.save(update_fields=[*dirty, "updated_at"])
            outcome = "updated"
    if loaded.config_ok and bot_config_replace(bot=bot, rows=loaded.config.rows if loaded.config else []):
        if outcome == "unchanged":
            outcome = "updated"
    return bot, outcome


def package_sync_all(*, roots: Iterable[Path] | None = None) -> SyncReport:
    """Register or update a bot per package; deactivate bots whose package is gone.

    Idempotent: a second run with the same folders writes nothing. Data of vanished packages is
    kept (the bot is only marked inactive), and one failing package never stops the others.
    """
    report = SyncReport(load=load_packages(roots))
    found: set[str] = set()
    for loaded in report.load.packages:
        if not loaded.registrable:
            continue
        found.add(loaded.name)
        try:
            _bot, outcome = bot_register_from_package(loaded=loaded)
        except (ValidationError, DatabaseError) as exc:
            logger.warning("package %s was not registered: %s", loaded.package.path, exc)
            report.problems.append(Problem(loaded.package.path, f"could not register the bot: {exc}"))
            continue
        getattr(report, outcome).append(loaded.name)
        for hook in _sync_hooks:
            report.problems.extend(hook(bot=_bot, path=loaded.package.path))
    vanished = Bot.objects.filter(active=True).exclude(source_path="").exclude(name__in=found)
    report.deactivated = list(vanished.values_list("name", flat=True))
    if report.deactivated:
        Bot.objects.filter(name__in=report.deactivated).update(active=False, updated_at=timezone.now())
    return report
