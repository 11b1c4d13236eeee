"""The two tiers of compiled code agree: top-level code runs as closures (cold), procedures and
loop bodies as generated Python (hot), and native loops through the drivers of
:mod:`basic.compiler.loops`. Each program here runs both at top level and inside a SUB."""

from __future__ import annotations

import pytest

from basic.limits import Limits
from tests.basic.vm_support import run

PROGRAMS = {
    "arithmetic and text": ('a = 7\nb = a MOD 4 + a \\ 2 - -1\nTALK b & "/" & (a / 2)\n'
                            'TALK "n=" + a * 2 + LEN("abc")', ["7/3.5", "n=143"]),
    "lists, maps and methods": ('l = [1, 2]\nl.PUSH(3)\nm = #{k: l}\nm.k[0] = 9\nTALK l\nTALK m.k\n'
                                'TALK 2 IN l AND NOT (5 IN l)', ["[1, 2, 3]", "[9, 2, 3]", "true"]),
    "nested ifs and select": ('x = 5\nIF x > 3 THEN\n  IF x = 5 THEN TALK "five" ELSE TALK "big"\n'
                              'ELSEIF x > 1 THEN\n  TALK "small"\nEND IF\nSELECT CASE x\n'
                              '  CASE 1, 2\n    TALK "low"\n  CASE 3 TO 6\n    TALK "mid"\nEND SELECT',
                              ["five", "mid"]),
    "for with float step and a changed variable": (
        't = 0\nFOR i = 1 TO 2 STEP 0.5\n  t = t + i\nNEXT\nTALK t\n'
        'FOR j = 1 TO 10\n  IF j = 2 THEN j = 8\n  TALK j\nNEXT', ["4.5", "1", "8", "9", "10"]),
    "exit and goto out of native loops": (
        'FOR i = 1 TO 9\n  IF i = 3 THEN EXIT FOR\nNEXT\nTALK i\nk = 0\nDO\n  k = k + 1\n'
        '  IF k > 4 THEN EXIT DO\nLOOP\nTALK k\nFOR EACH w IN ["a", "b", "c"]\n'
        '  IF w = "b" THEN GOTO out\nNEXT\nout:\nTALK w', ["3", "5", "b"]),
    "do until and while loops": ('n = 0\nDO\n  n = n + 2\nLOOP UNTIL n >= 7\n'
                                 'WHILE n < 12\n  n = n + 1\nWEND\nTALK n', ["12"]),
    "arithmetic over mixed types in a loop": (
        't = 1.5\nu = "a"\nx = 2\nFOR i = 1 TO 2\n  t = t + i * x\n  u = u + i * x\nNEXT\nTALK t\nTALK u',
        ["7.5", "a24"]),
    "hear between loops": ('FOR i = 1 TO 2\n  s = s + i\nNEXT\nHEAR a\n'
                           'FOR EACH c IN "xy"\n  s = s & c\nNEXT\nTALK s & a', ["3xyhi"]),
}


def _in_sub(source: str) -> str:
    body = "\n".join("  " + line for line in source.splitlines())
    return f"SUB work\n{body}\nEND SUB\nCALL work"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("where", ["top level", "in a SUB"])
def test_both_tiers_print_the_same(name: str, where: str) -> None:
    source, expected = PROGRAMS[name]
    result, host = run(source if where == "top level" else _in_sub(source), ["hi"])
    assert result.status == "finished", result.error
    assert host.output == expected


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_preempting_every_block_changes_nothing(name: str) -> None:
    source, expected = PROGRAMS[name]
    result, host = run(source, ["hi"], limits=Limits(slice_steps=1))
    assert result.status == "finished", result.error
    assert host.output == expected


def test_error_in_top_level_code_names_the_inner_statement() -> None:
    result, _ = run('x = 1\nIF x = 1 THEN\n  y = 2\n  z = "a" - 1\nEND IF')
    assert result.status == "failed"
    assert (result.error.line, result.error.column) == (4, 3)
    assert "test.bas:4:3:" in str(result.error)


def test_on_error_resume_next_in_top_level_code_goes_on_inside_an_if() -> None:
    result, host = run('ON ERROR RESUME NEXT\nIF 1 = 1 THEN\n  a = 1 / 0\n  TALK "after"\n'
                       'END IF\nIF 1 / 0 THEN\n  TALK "no"\nELSE\n  TALK "false"\nEND IF\nTALK ERR')
    assert result.status == "finished", result.error
    assert host.output[:2] == ["after", "false"] and host.output[2] != "0"


def test_on_error_goto_from_a_native_loop_body() -> None:
    result, host = run('ON ERROR GOTO bad\nFOR i = 1 TO 3\n  x = 1 / (i - 2)\nNEXT\nTALK "no"\nGOTO done\n'
                       'bad:\nTALK "caught at " & i\ndone:')
    assert result.status == "finished", result.error
    assert host.output == ["caught at 2"]


def test_native_loop_preempted_mid_loop_resumes_where_it_stopped() -> None:
    result, host = run("t = 0\nFOR i = 1 TO 1000\n  t = t + i\nNEXT\nTALK t",
                       limits=Limits(slice_steps=7, check_every=7))
    assert result.status == "finished", result.error
    assert host.output == ["500500"]
