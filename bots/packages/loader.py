"""Reading every package in the package folders into plain data, ready to be registered.

Nothing here touches the database: :func:`bots.services.package_sync_all` stores the result. A
problem in one package is recorded on it and never stops the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from bots.packages.config_csv import ConfigFile, parse_config_file
from bots.packages.discovery import Package, find_package_folders, inspect_package
from bots.packages.problems import Problem


@dataclass(slots=True)
class LoadedPackage:
    package: Package
    config: ConfigFile | None

    @property
    def name(self) -> str:
        return self.package.name

    @property
    def problems(self) -> list[Problem]:
        return self.package.problems + (self.config.problems if self.config else [])

    @property
    def registrable(self) -> bool:
        """Whether a bot can be registered: a valid name is enough (no dialogs means plain chat)."""
        return self.package.name_ok

    @property
    def config_ok(self) -> bool:
        """Config is applied only when config.csv parsed cleanly, so a typo never wipes settings."""
        return self.config is None or not self.config.problems


@dataclass(slots=True)
class LoadResult:
    packages: list[LoadedPackage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # problems not tied to one package

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [problem for loaded in self.packages for problem in loaded.problems]


def package_dirs() -> list[Path]:
    return [Path(folder) for folder in settings.GB_PACKAGE_DIRS]


def load_packages(roots: Iterable[Path] | None = None) -> LoadResult:
    """Every package under ``roots`` (default: settings.GB_PACKAGE_DIRS), with its problems."""
    folders, problems = find_package_folders(package_dirs() if roots is None else roots)
    result = LoadResult(problems=problems)
    seen: dict[str, Path] = {}
    for folder in folders:
        package = inspect_package(folder)
        key = package.name.lower()
        if key in seen:
            result.problems.append(
                Problem(folder, f"another package named {package.name!r} was already loaded from "
                                f"{seen[key]}; rename one of them")
            )
            continue
        seen[key] = folder
        config = parse_config_file(package.config_path) if package.config_path else None
        result.packages.append(LoadedPackage(package=package, config=config))
    return result
