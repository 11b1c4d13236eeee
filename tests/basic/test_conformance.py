"""The conformance suite: every ``.bas`` under tests/basic/conformance runs through ``gb run``
and must print exactly its ``.out`` (layout and conventions in conformance/README.md).

The programs are the language's executable specification, one per statement form and per
built-in function, so a change in the parser, compiler, VM or built-ins that alters what an
author sees fails here with the program's name.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).parent / "conformance"
EXIT_LINE = re.compile(r"^\s*'\s*exit:\s*(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    """One program and what running it must give."""

    path: Path
    stdin: str
    stdout: str
    stderr_parts: tuple[str, ...]
    status: int

    @classmethod
    def load(cls, path: Path) -> Case:
        source = path.read_text(encoding="utf-8")
        first = source.splitlines()[0] if source else ""
        match = EXIT_LINE.match(first)
        err = path.with_suffix(".err")
        parts = err.read_text(encoding="utf-8").splitlines() if err.exists() else []
        return cls(
            path=path,
            stdin=_optional(path.with_suffix(".in")),
            stdout=path.with_suffix(".out").read_text(encoding="utf-8"),
            stderr_parts=tuple(p for p in parts if p.strip()),
            status=int(match.group(1)) if match else 0,
        )


def _optional(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _programs() -> list[Path]:
    """Every program that has an expected output (a ``.bas`` without one is a helper that
    another program CALLs)."""
    return sorted(p for p in ROOT.rglob("*.bas") if p.with_suffix(".out").exists())


def gb_run(path: Path, stdin: str) -> tuple[int, str, str]:
    """Run ``manage.py gb run PATH`` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("gb", "run", str(path), stdin=io.StringIO(stdin), stdout=out, stderr=err)
        status = 0
    except CommandError as exc:
        status = exc.returncode
        if str(exc) and str(exc) not in err.getvalue():
            err.write(f"{exc}\n")
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", _programs(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_program(path: Path) -> None:
    case = Case.load(path)
    status, out, err = gb_run(path, case.stdin)
    assert out == case.stdout, f"stdout differs; stderr was:\n{err}"
    for part in case.stderr_parts:
        assert part in err, f"stderr lacks {part!r}:\n{err}"
    if not case.stderr_parts:
        assert err == "", "unexpected stderr"
    assert "Traceback" not in err, "a Python traceback reached the author"
    assert status == case.status, f"exit status {status}, expected {case.status}; stderr:\n{err}"


def test_every_group_has_programs_and_every_helper_is_called() -> None:
    """Guards the layout: a misnamed ``.out`` would silently drop a program from the suite."""
    for group in ("statements", "builtins", "errors"):
        assert any((ROOT / group).glob("*.bas")), f"no programs in {group}/"
    for path in ROOT.rglob("*"):
        if path.suffix in (".out", ".in", ".err"):
            assert path.with_suffix(".bas").exists(), f"{path} has no .bas beside it"
    sources = "\n".join(p.read_text(encoding="utf-8").lower() for p in _programs())
    for helper in ROOT.rglob("*.bas"):
        if not helper.with_suffix(".out").exists():
            assert helper.stem.lower() in sources, f"{helper} has no .out and no program calls it"


@pytest.mark.parametrize("name", ["statements/hear_typed", "statements/if_forms"])
def test_the_real_command_line(name: str, tmp_path: Path) -> None:
    """The CLI contract end to end: a separate ``python manage.py gb run`` process, its stdin,
    stdout, stderr and exit status."""
    case = Case.load(ROOT / f"{name}.bas")
    env = {**os.environ, "GB_VAR_DIR": str(tmp_path / "var")}
    for key in ("DATABASE_URL", "REDIS_URL", "QDRANT_URL"):
        env.pop(key, None)
    done = subprocess.run(
        [sys.executable, "manage.py", "gb", "run", str(case.path)],
        cwd=settings.BASE_DIR,
        env=env,
        input=case.stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout == case.stdout, done.stderr
    assert done.stderr == ""
    assert done.returncode == case.status
