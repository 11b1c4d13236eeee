"""``gb check PATH...``: parse every script and print ``FILE:LINE:COL: message`` per problem."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from basic.cli import check_paths

NAME = "check"
HELP = "Parse every .bas under the given files and folders (.gbai packages included)."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="A .bas file or a folder to search.")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    if check_paths(options["paths"], command.stdout) != 0:
        raise CommandError("Some scripts do not parse (see above).", returncode=1)
