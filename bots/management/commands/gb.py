"""``python manage.py gb <sub-command>``: the General Bots command line (see bots.cli)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bots.cli import SUBCOMMANDS


class Command(BaseCommand):
    help = "General Bots tools: " + ", ".join(module.NAME for module in SUBCOMMANDS) + "."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for module in SUBCOMMANDS:
            module.add_arguments(sub.add_parser(module.NAME, help=module.HELP, description=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {module.NAME: module.handle for module in SUBCOMMANDS}
        handlers[options["subcommand"]](self, options)
