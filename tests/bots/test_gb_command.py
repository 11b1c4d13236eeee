"""``manage.py gb packages`` / ``gb sync`` / ``gb setup``: output and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from bots.models import Bot

START = 'TALK "hi"\n'


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("gb", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_packages_lists_found_packages(make_package, settings) -> None:
    make_package("shop", {"shop.gbdialog/start.bas": START, "shop.gbdialog/sub/tool.bas": START})
    settings.GB_PACKAGE_DIRS = [make_package.root]
    out, err = _run("packages")
    assert out.splitlines() == [f"shop\t2 dialogs\t{make_package.root / 'shop.gbai'}"]
    assert err == ""


def test_packages_reports_problems_with_file_and_line_and_fails(make_package, settings) -> None:
    make_package("shop", {"start.bas": START})
    make_package("bad", {"start.bas": START, "bad.gbot/config.csv": "name,value\nbroken\n"})
    settings.GB_PACKAGE_DIRS = [make_package.root]
    with pytest.raises(CommandError) as raised:
        _run("packages")
    assert raised.value.returncode == 1
    assert "1 problem(s)" in str(raised.value)


def test_packages_exit_code_and_stderr_from_the_shell(make_package, tmp_path: Path) -> None:
    bad = make_package("bad", {"start.bas": START, "bad.gbot/config.csv": "name,value\nok,1\nbroken\n"})
    env = {**os.environ, "GB_PACKAGE_DIRS": str(make_package.root), "GB_VAR_DIR": str(tmp_path / "var")}
    for key in ("DATABASE_URL", "REDIS_URL", "QDRANT_URL"):
        env.pop(key, None)
    done = subprocess.run(
        [sys.executable, "manage.py", "gb", "packages"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"{bad / 'bad.gbot' / 'config.csv'}:3: expected 'name,value'" in done.stderr
    assert "hello\t1 dialogs" in done.stdout and "bad\t1 dialogs" in done.stdout


@pytest.mark.django_db
def test_sync_and_packages_sync_register_bots(make_package, settings) -> None:
    make_package("shop", {"start.bas": START})
    settings.GB_PACKAGE_DIRS = [make_package.root]
    out, _ = _run("sync")
    assert "Synced: 1 created, 0 updated, 0 unchanged, 0 deactivated" in out
    out, _ = _run("packages", "--sync")
    assert "Synced: 0 created, 0 updated, 1 unchanged, 0 deactivated" in out
    assert Bot.objects.filter(name="shop", active=True).exists()


@pytest.mark.django_db(databases="__all__")  # setup migrates every database
def test_setup_creates_the_admin_once_and_prints_its_password(make_package, settings) -> None:
    settings.GB_PACKAGE_DIRS = [make_package.root]
    make_package("shop", {"start.bas": START})
    out, _ = _run("setup")
    line = next(line for line in out.splitlines() if "with password:" in line)
    password = line.rsplit(": ", 1)[1]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert Bot.objects.filter(name="shop").exists()
    out, _ = _run("setup")
    assert "password" not in out
    assert get_user_model().objects.count() == 1


def test_unknown_subcommand_is_refused() -> None:
    with pytest.raises(CommandError):
        _run("frobnicate")
