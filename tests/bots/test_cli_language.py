"""The language sub-commands of ``manage.py gb``: check, run and docs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bots.cli.docs import language_reference, reference_path


def run_gb(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        if args[0] == "run":
            call_command("gb", *args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
        else:
            call_command("gb", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_committed_language_reference_is_current() -> None:
    committed = reference_path().read_text(encoding="utf-8")
    assert committed == language_reference(), "docs are stale: run `python manage.py gb docs`"


def test_docs_writes_the_reference_with_every_registered_keyword(tmp_path: Path) -> None:
    target = tmp_path / "ref.md"
    status, out, _ = run_gb("docs", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert status == 0 and str(target) in out
    for phrase in ("TALK", "HEAR", "PRINT", "WAIT"):
        assert f"`{phrase}" in text
    assert "LEFT(" in text and "UBOUND" in text


def test_check_reports_each_problem_with_its_position(tmp_path: Path) -> None:
    package = tmp_path / "shop.gbai" / "shop.gbdialog"
    package.mkdir(parents=True)
    (package / "start.bas").write_text('TALK "hello"\n', encoding="utf-8")
    (package / "broken.bas").write_text('x = 1\nIF x > 0 THEN\n  TALK "a"\n', encoding="utf-8")
    (package / "typo.bas").write_text('TALKK "hello"\n', encoding="utf-8")

    status, out, _ = run_gb("check", str(tmp_path))

    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{package / 'broken.bas'}:2:1: ")
    assert lines[1].startswith(f"{package / 'typo.bas'}:1:1: ") and "TALK" in lines[1]


def test_check_passes_on_the_bundled_packages() -> None:
    status, out, _ = run_gb("check", str(Path(reference_path().parents[2]) / "bottemplates"))
    assert (status, out) == (0, "")


def test_run_talks_to_stdout_and_hears_from_stdin(tmp_path: Path) -> None:
    script = tmp_path / "double.bas"
    script.write_text('HEAR n AS INTEGER\nTALK "Twice " + n + " is " + n * 2\n', encoding="utf-8")
    assert run_gb("run", str(script), stdin="21\n") == (0, "Twice 21 is 42\n", "")


@pytest.mark.parametrize(
    ("source", "status", "stderr_start"),
    [
        ('HEAR name\nTALK name\n', 3, "waiting for input"),
        ('x = 1\nTALK x / 0\n', 1, "2:"),
    ],
)
def test_run_reports_waits_and_errors_on_stderr(
    tmp_path: Path, source: str, status: int, stderr_start: str
) -> None:
    script = tmp_path / "s.bas"
    script.write_text(source, encoding="utf-8")
    code, out, err = run_gb("run", str(script))
    assert code == status and out == ""
    assert stderr_start in err and (status == 3 or err.startswith(f"{script}:2:"))
