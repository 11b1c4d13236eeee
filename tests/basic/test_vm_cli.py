"""``gb run`` contract: basic.cli.run_file with real files and text streams."""

from __future__ import annotations

import io

from basic.cli import EXIT_ERROR, EXIT_FINISHED, EXIT_WAITING, run_file


def run(path, stdin_text: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_file(path, stdin=io.StringIO(stdin_text), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_talk_and_hear_on_the_console(tmp_path):
    script = tmp_path / "hello.bas"
    script.write_text('TALK "name?"\nHEAR name\nTALK "hi " + name\n')
    assert run(script, "Ana\n") == (EXIT_FINISHED, "name?\nhi Ana\n", "")


def test_end_of_input_stops_waiting(tmp_path):
    script = tmp_path / "ask.bas"
    script.write_text('HEAR a\nTALK a\nHEAR b\n')
    code, out, err = run(script, "one\n")
    assert code == EXIT_WAITING and out == "one\n" and "waiting for input" in err


def test_typed_hear_prints_the_hint_and_reads_again(tmp_path):
    script = tmp_path / "age.bas"
    script.write_text("HEAR age AS INTEGER\nTALK age + 1\n")
    code, out, _ = run(script, "old\n41\n")
    assert code == EXIT_FINISHED and out.splitlines()[-1] == "42" and len(out.splitlines()) == 2


def test_script_error_prints_position_and_exits_1(tmp_path):
    script = tmp_path / "bad.bas"
    script.write_text('TALK "a"\nx = 1 / 0\n')
    code, out, err = run(script)
    assert code == EXIT_ERROR and out == "a\n"
    assert err.startswith(f"{script}:2:") and "division by zero" in err and "Traceback" not in err


def test_syntax_error_exits_1(tmp_path):
    script = tmp_path / "syntax.bas"
    script.write_text("IF x THEN\nTALK 1\n")
    code, _, err = run(script)
    assert code == EXIT_ERROR and err.startswith(f"{script}:")


def test_call_finds_scripts_in_the_package_dialogs(tmp_path):
    dialogs = tmp_path / "shop.gbai" / "shop.gbdialog"
    dialogs.mkdir(parents=True)
    (dialogs / "Helper.bas").write_text('PARAM who AS STRING DESCRIPTION "x"\nTALK "helping " + who\n')
    other = tmp_path / "shop.gbai" / "extra"
    other.mkdir()
    main = other / "main.bas"
    main.write_text('CALL helper("Ana")\nTALK "done"\n')
    assert run(main) == (EXIT_FINISHED, "helping Ana\ndone\n", "")


def test_wait_sleeps_and_continues(tmp_path):
    script = tmp_path / "wait.bas"
    script.write_text('WAIT 0\nTALK "after"\n')
    assert run(script) == (EXIT_FINISHED, "after\n", "")
