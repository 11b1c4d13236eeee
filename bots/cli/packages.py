"""``gb packages``: list the packages found, with their problems (exit 1 if there is any)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bots.packages.loader import load_packages
from bots.services import SyncReport, package_sync_all

NAME = "packages"
HELP = "List the .gbai packages found in the package folders, with any problems."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--sync", action="store_true", help="Also register or update their bots.")


def print_report(command: BaseCommand, report: SyncReport | None, load: Any) -> None:
    """One line per package (name, dialogs, path), then every problem as file:line: message."""
    out = command.stdout
    if not load.packages:
        out.write("No .gbai packages found.")
    for loaded in load.packages:
        package = loaded.package
        out.write(f"{package.name}\t{len(package.dialogs)} dialogs\t{package.path}")
    if report is not None:
        out.write(
            f"Synced: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.deactivated)} deactivated"
        )
        for name in report.deactivated:
            out.write(f"Deactivated {name}: its package is gone (its data is kept).")
    problems = report.all_problems if report is not None else load.all_problems
    for problem in problems:
        command.stderr.write(f"{problem}")
    if problems:
        raise CommandError(f"{len(problems)} problem(s) found in the packages.", returncode=1)


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    if options.get("sync"):
        report = package_sync_all()
        print_report(command, report, report.load)
    else:
        print_report(command, None, load_packages())
