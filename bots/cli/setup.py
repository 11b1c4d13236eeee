"""``gb setup``: what a start needs: migrate every database, sync packages, create the admin once."""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bots.cli.packages import print_report
from bots.services import package_sync_all

NAME = "setup"
HELP = "Migrate every database, sync the packages and create an admin account on first run."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--admin-username", default="admin", help="Username of the first admin account.")


def admin_account_ensure(*, username: str) -> str | None:
    """Create a superuser if there is none; returns its new password (shown once) or None."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser(username=username, email="", password=password)
    return password


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    verbosity = options.get("verbosity", 1)
    for alias in settings.DATABASES:
        call_command("migrate", database=alias, interactive=False, verbosity=max(verbosity - 1, 0))
    report = package_sync_all()
    try:
        print_report(command, report, report.load)
    except CommandError as exc:
        # Package problems are reported but must not keep the product from starting.
        command.stderr.write(str(exc))
    password = admin_account_ensure(username=options["admin_username"])
    if password is not None:
        command.stdout.write(
            command.style.SUCCESS(
                f"Created the admin account '{options['admin_username']}' with password: {password}\n"
                "It is shown only this once; change it in the admin."
            )
        )
