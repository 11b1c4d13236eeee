"""``gb sync``: register or update a bot per package and deactivate bots whose package is gone."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from bots.cli.packages import print_report
from bots.services import package_sync_all

NAME = "sync"
HELP = "Register or update the bots of every .gbai package (same as 'gb packages --sync')."


def add_arguments(parser: ArgumentParser) -> None:
    return None


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    report = package_sync_all()
    print_report(command, report, report.load)
