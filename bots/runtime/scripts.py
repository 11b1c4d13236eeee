"""Finding a bot's dialogs in its package and pinning their source by content hash."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from basic.compiler import source_hash
from basic.errors import BasicRuntimeError
from bots.models import Bot, ScriptVersion
from bots.packages.discovery import Package, inspect_package
from bots.packages.problems import read_text


@dataclass(frozen=True, slots=True)
class ScriptFile:
    """A dialog: its path inside the package (what errors and messages name) and its source."""

    path: str
    source: str


class ScriptUnreadable(BasicRuntimeError):
    """The dialog exists but cannot be read (permissions, encoding): the author must fix the file."""


def bot_package(bot: Bot) -> Package | None:
    """The bot's package as it is on disk now, or None when the bot has no package folder."""
    if not bot.source_path:
        return None
    path = Path(bot.source_path)
    return inspect_package(path) if path.is_dir() else None


def _read(package: Package, path: Path) -> ScriptFile:
    relative = path.relative_to(package.path).as_posix()
    text, problem = read_text(path)
    if text is None:
        message = problem.message if problem is not None else "cannot read the file"
        raise ScriptUnreadable(message, file=relative, line=(problem.line or 0) if problem else 0)
    return ScriptFile(relative, text)


def script_name(name: str) -> str:
    """A dialog name as scripts write it, reduced to its stem: "x.gbdialog/Tool.bas" -> "tool"."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    if stem.lower().endswith(".bas"):
        stem = stem[:-4]
    return stem.lower()


def start_script(bot: Bot) -> ScriptFile | None:
    """The bot's start.bas, or None when it has none (the bot is then plain LLM chat)."""
    package = bot_package(bot)
    if package is None or package.start_dialog is None:
        return None
    return _read(package, package.start_dialog)


def dialog_script(bot: Bot, name: str) -> ScriptFile | None:
    """``<name>.bas`` anywhere in the bot's dialogs (first in path order), or None."""
    package = bot_package(bot)
    if package is None:
        return None
    wanted = script_name(name)
    for dialog in package.dialogs:
        if dialog.stem.lower() == wanted:
            return _read(package, dialog)
    return None


def script_version_pin(source: str) -> ScriptVersion:
    """The stored version of this exact source, created on first use."""
    digest = source_hash(source)
    version, _created = ScriptVersion.objects.get_or_create(hash=digest, defaults={"source": source})
    _remember(version)
    return version


def script_load_pinned(
    bot: Bot, pins: dict[str, list[str]], name: str
) -> tuple[str, str, dict[str, list[str]]]:
    """Another dialog of the bot's package as a run first used it (CALL): its source, its path,
    and the run's pins (name -> [path, hash]) with it added. LookupError when there is none."""
    key = name.lower()
    pinned = pins.get(key)
    if pinned is not None:
        return script_version_source(pinned[1]), pinned[0], pins
    found = dialog_script(bot, key)
    if found is None:
        raise LookupError(name)
    version = script_version_pin(found.source)
    return found.source, found.path, {**pins, key: [found.path, version.hash]}


def script_version_source(digest: str) -> str:
    return ScriptVersion.objects.values_list("source", flat=True).get(hash=digest)


_VERSIONS: OrderedDict[tuple[int, str], ScriptVersion] = OrderedDict()
_VERSIONS_SIZE = 256
_VERSIONS_LOCK = threading.Lock()


def script_version_get(pk: int, digest: str) -> ScriptVersion:
    """The stored script version ``pk`` whose hash is ``digest``, from a per-process cache, so a
    waiting run resumes without reading its source again. A version never changes (its hash is
    its source's); the hash is part of the key because an id can name another version after a
    rolled-back insert freed it (SQLite reuses it)."""
    key = (pk, digest)
    with _VERSIONS_LOCK:
        version = _VERSIONS.get(key)
        if version is not None:
            _VERSIONS.move_to_end(key)
            return version
    version = ScriptVersion.objects.get(pk=pk)
    if version.hash == digest:
        _remember(version)
    return version


def _remember(version: ScriptVersion) -> None:
    with _VERSIONS_LOCK:
        _VERSIONS[(version.pk, version.hash)] = version
        _VERSIONS.move_to_end((version.pk, version.hash))
        while len(_VERSIONS) > _VERSIONS_SIZE:
            _VERSIONS.popitem(last=False)
