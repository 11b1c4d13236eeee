"""``gb check PATH...``: parse every script, run the apps' script checkers over those that parse
(:mod:`bots.cli.checkers`), and print ``FILE:LINE:COL: message`` per problem."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bots.cli.checkers import check_scripts

NAME = "check"
HELP = (
    "Parse every .bas under the given files and folders (.gbai packages included) and check what "
    "the parser cannot see (workflow keywords out of place, unknown bots, bad literal values)."
)


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="A .bas file or a folder to search.")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    if check_scripts(options["paths"], command.stdout) != 0:
        raise CommandError("Some scripts have problems (see above).", returncode=1)
