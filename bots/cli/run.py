"""``gb run FILE.bas``: run one script as a console conversation (TALK to stdout, HEAR from stdin)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand

from basic.cli import EXIT_FINISHED, run_file

NAME = "run"
HELP = "Run a .bas script: each TALK prints a line, each HEAR reads the next line of stdin."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", metavar="FILE.bas", help="The script to run.")
    # Lets call_command() feed the script's input; the command line reads the real stdin.
    parser.add_argument("--stdin", dest="stdin", default=None, help=argparse.SUPPRESS)


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    status = run_file(
        options["script"],
        stdin=options["stdin"] or sys.stdin,
        stdout=command.stdout,
        stderr=command.stderr,
    )
    if status != EXIT_FINISHED:
        # The script already said why on stderr (FILE:LINE:COL or what it waits for).
        raise SystemExit(status)
