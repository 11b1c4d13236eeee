"""Finding ``*.gbai`` folders and what they hold (DIALECT.md §1.1).

Layouts seen in real packages are all accepted: dialogs in any ``*.gbdialog`` folder (its name may
differ from the package's), in sub-folders of it, or directly in the ``.gbai`` folder; config in
any ``*.gbot`` folder, preferring the one named after the package.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bots.naming import BOT_NAME_PATTERN
from bots.packages.problems import Problem, read_text

PACKAGE_SUFFIX = ".gbai"
DIALOG_SUFFIX = ".gbdialog"
CONFIG_SUFFIX = ".gbot"
START_DIALOG = "start.bas"
_NAME_RE = re.compile(BOT_NAME_PATTERN)


@dataclass(slots=True)
class Package:
    """What one ``.gbai`` folder holds; ``problems`` lists what its author should fix."""

    name: str
    path: Path
    dialogs: list[Path] = field(default_factory=list)
    config_path: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    name_ok: bool = True

    @property
    def start_dialog(self) -> Path | None:
        return next((dialog for dialog in self.dialogs if dialog.name.lower() == START_DIALOG), None)


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


def find_package_folders(roots: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Every ``*.gbai`` folder under the roots (not looking inside packages).

    Roots keep their order (bundled templates first), so on a name clash the earlier one wins.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for root in roots:
        root = Path(root)
        if root.name.lower().endswith(PACKAGE_SUFFIX) and root.is_dir():
            found.append(root)
            continue
        if not root.is_dir():
            problems.append(Problem(root, "package folder does not exist; fix GB_PACKAGE_DIRS"))
            continue
        for current, subdirs, _files in os.walk(root, onerror=_on_error(problems)):
            keep = []
            for sub in sorted(subdirs):
                if _is_hidden(sub):
                    continue
                if sub.lower().endswith(PACKAGE_SUFFIX):
                    found.append(Path(current) / sub)
                else:
                    keep.append(sub)
            subdirs[:] = keep
    return found, problems


def _on_error(problems: list[Problem]) -> Callable[[OSError], None]:
    def record(exc: OSError) -> None:
        problems.append(Problem(Path(exc.filename or "?"), f"cannot list the folder ({exc.strerror or exc})"))

    return record


def _children(folder: Path, package: Package) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        package.problems.append(Problem(folder, f"cannot list the folder ({exc.strerror or exc})"))
        return []


def _dialogs_in(folder: Path, package: Package) -> list[Path]:
    dialogs: list[Path] = []
    for child in _children(folder, package):
        if _is_hidden(child.name):
            continue
        if child.is_dir():
            dialogs.extend(_dialogs_in(child, package))
        elif child.suffix.lower() == ".bas":
            dialogs.append(child)
    return dialogs


def inspect_package(path: Path) -> Package:
    """Read one ``.gbai`` folder: its dialogs, its config.csv, and any problem with them."""
    name = path.name[: -len(PACKAGE_SUFFIX)]
    package = Package(name=name, path=path)
    if not _NAME_RE.match(name):
        package.name_ok = False
        package.problems.append(
            Problem(path, f"package name {name!r} is not a valid bot name; rename the folder using "
                          "letters, digits, '-', '_' and '.' only")
        )
    dialog_dirs: list[Path] = []
    config_dirs: list[Path] = []
    for child in _children(path, package):
        lowered = child.name.lower()
        if child.is_dir() and lowered.endswith(DIALOG_SUFFIX):
            dialog_dirs.append(child)
        elif child.is_dir() and lowered.endswith(CONFIG_SUFFIX):
            config_dirs.append(child)
        elif child.is_file() and child.suffix.lower() == ".bas":
            package.dialogs.append(child)
    for folder in dialog_dirs:
        package.dialogs.extend(_dialogs_in(folder, package))
    package.dialogs.sort()
    if not package.dialogs:
        package.problems.append(
            Problem(path, f"no dialogs found; add {name}{DIALOG_SUFFIX}/{START_DIALOG} "
                          "(the bot runs as plain LLM chat until then)")
        )
    for dialog in package.dialogs:
        _text, problem = read_text(dialog)
        if problem is not None:
            package.problems.append(problem)
    # The folder named after the package wins; otherwise the first *.gbot holding a config.csv.
    own = f"{name.lower()}{CONFIG_SUFFIX}"
    config_dirs.sort(key=lambda folder: (folder.name.lower() != own, folder.name))
    for folder in config_dirs:
        candidate = folder / "config.csv"
        if candidate.is_file() or candidate.is_symlink():  # a broken link is reported when read
            package.config_path = candidate
            break
    return package
