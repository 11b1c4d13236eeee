"""``gb docs``: write the BASIC language reference from the keyword registry and the built-ins."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from basic.builtins import BUILTINS
from basic.docs import render_language_reference
from basic.registry import registry

NAME = "docs"
HELP = "Write docs/reference/basic-language.md from the keyword registry and the built-in functions."


def reference_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "reference" / "basic-language.md"


def language_reference() -> str:
    """The reference as it stands for every keyword the installed apps registered."""
    return render_language_reference(registry, BUILTINS)


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, default=None, help="Write here instead of the docs folder.")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    path = options["output"] or reference_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(language_reference(), encoding="utf-8")
    command.stdout.write(f"Wrote {path}")
