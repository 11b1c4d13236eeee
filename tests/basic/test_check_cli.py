"""`gb check`: every .bas under the given paths is parsed; problems print as FILE:LINE:COL."""

from __future__ import annotations

import io
from pathlib import Path

from basic.cli import check_paths


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_all_good_returns_zero(tmp_path, kw_registry):
    write(tmp_path / "shop.gbai" / "shop.gbdialog" / "start.bas", 'TALK "hi"\n')
    write(tmp_path / "shop.gbai" / "shop.gbdialog" / "campaigns" / "promo.bas", "x = 1\n")
    write(tmp_path / "shop.gbai" / "shop.gbot" / "config.csv", "name,value\n")
    out = io.StringIO()
    assert check_paths([str(tmp_path)], out, registry=kw_registry) == 0
    assert out.getvalue() == ""


def test_problems_are_listed_per_file(tmp_path, kw_registry):
    bad = write(tmp_path / "bot.gbai" / "bot.gbdialog" / "a.bas", "x = 1\nIF x THEN\n")
    worse = write(tmp_path / "bot.gbai" / "b.BAS", 'TALKK "x"\n')
    write(tmp_path / "bot.gbai" / "bot.gbdialog" / "ok.bas", "y = 2\n")
    out = io.StringIO()
    assert check_paths([str(tmp_path / "bot.gbai")], out, registry=kw_registry) == 1
    lines = out.getvalue().splitlines()
    assert f"{bad}:2:1: IF at line 2 has no END IF" in lines
    assert f"{worse}:1:1: unknown keyword TALKK: did you mean TALK?" in lines
    assert len(lines) == 2


def test_single_file_and_missing_path(tmp_path, kw_registry):
    script = write(tmp_path / "one.bas", 'TALK "x"\n')
    out = io.StringIO()
    assert check_paths([str(script)], out, registry=kw_registry) == 0
    assert check_paths([str(tmp_path / "nope")], out, registry=kw_registry) == 1
    assert "nope:0:0: no such file or folder" in out.getvalue()


def test_default_registry_knows_the_core_keywords(tmp_path):
    script = write(tmp_path / "core.bas", 'TALK "x"\nHEAR name AS EMAIL\n')
    out = io.StringIO()
    assert check_paths([str(script)], out) == 0, out.getvalue()
