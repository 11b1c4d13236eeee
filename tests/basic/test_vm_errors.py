"""Runtime errors: clear messages at FILE:LINE:COL, ON ERROR, ERR, THROW, limits."""

from __future__ import annotations

import re

import pytest

from basic.errors import BasicSyntaxError
from basic.limits import Limits
from tests.basic.vm_support import compile_text, error, output, run

POSITION = re.compile(r"^test\.bas:(\d+):(\d+): ")


def line_of(message: str) -> int:
    match = POSITION.match(message)
    assert match, message
    return int(match.group(1))


def test_division_by_zero_names_its_line():
    message = error('TALK "a"\nx = 0\nTALK 10 / x')
    assert line_of(message) == 3 and "division by zero" in message


def test_type_error_in_a_loop_body_names_its_line():
    message = error("lst = [1]\nFOR i = 1 TO 3\n  y = lst - 1\nNEXT")
    assert line_of(message) == 3 and "cannot subtract" in message


def test_error_inside_a_function_names_the_function_line():
    message = error("FUNCTION Bad(x)\n  RETURN x / 0\nEND FUNCTION\nTALK Bad(1)")
    assert line_of(message) == 2


def test_index_out_of_range():
    message = error("a = [1, 2]\nTALK a[5]")
    assert line_of(message) == 2 and "out of range" in message and "2 items" in message


def test_for_needs_numbers_and_nonzero_step():
    assert "FOR needs a number" in error('FOR i = "a" TO 3\nNEXT')
    assert "STEP 0" in error("FOR i = 1 TO 3 STEP 0\nNEXT")


def test_for_each_over_a_number_is_an_error():
    assert "FOR EACH needs a list" in error("FOR EACH x IN 42\nNEXT")


def test_unknown_function_names_the_closest():
    message = error("TALK UCAZE(\"x\")")
    assert line_of(message) == 1 and "UCASE" in message


def test_wrong_builtin_argument_count_is_a_compile_error():
    with pytest.raises(BasicSyntaxError) as info:
        compile_text('x = 1\nTALK LEN("a", "b")')
    assert str(info.value).startswith("test.bas:2:") and "LEN takes" in str(info.value)


def test_goto_unknown_label_is_a_compile_error():
    with pytest.raises(BasicSyntaxError) as info:
        compile_text("GOTO nowhere")
    assert str(info.value).startswith("test.bas:1:") and "nowhere" in str(info.value)


def test_exit_outside_a_loop_is_a_compile_error():
    with pytest.raises(BasicSyntaxError) as info:
        compile_text("x = 1\nEXIT FOR")
    assert str(info.value).startswith("test.bas:2:")


def test_throw_and_on_error_resume_next():
    src = """
ON ERROR RESUME NEXT
x = 1 / 0
TALK "after: " + ERR_DESCRIPTION
THROW "custom"
TALK ERR_DESCRIPTION
CLEAR ERROR
TALK "[" + ERR_DESCRIPTION + "]" + ERR
"""
    out = output(src)
    assert out[0].startswith("after: division by zero")
    assert out[1] == "custom"
    assert out[2] == "[]0"


def test_on_error_goto_label_and_off():
    src = """
ON ERROR GOTO handler
TALK "start"
x = [] * 2
TALK "not reached"
handler:
TALK "caught " + ERR_NUMBER
ON ERROR GOTO 0
y = 1 / 0
"""
    result, host = run(src)
    assert host.output == ["start", "caught 1000"]
    assert result.status == "failed" and line_of(str(result.error)) == 8


def test_error_in_a_sub_goes_to_the_callers_handler():
    src = """
SUB Fails()
  TALK "in sub"
  x = 1 / 0
  TALK "not reached"
END SUB
ON ERROR RESUME NEXT
Fails()
TALK "after call " + ERR
"""
    assert output(src) == ["in sub", "after call 1000"]


def test_unhandled_throw_fails_with_its_message_and_position():
    message = error('TALK 1\nTHROW "bad input"')
    assert line_of(message) == 2 and message.endswith("bad input")


def test_step_limit_stops_an_endless_loop():
    message = error("DO\n  x = x + 1\nLOOP", limits=Limits(max_steps=5_000))
    assert "more than 5,000 steps" in message and line_of(message) in (1, 2, 3)


def test_step_limit_is_not_swallowed_by_on_error():
    message = error("ON ERROR RESUME NEXT\nWHILE 1\nWEND", limits=Limits(max_steps=1_000))
    assert "steps" in message


def test_call_depth_limit():
    src = "FUNCTION F(n)\n  RETURN F(n + 1)\nEND FUNCTION\nTALK F(1)"
    message = error(src, limits=Limits(max_call_depth=50))
    assert "nested more than 50 deep" in message and line_of(message) == 2


def test_state_size_limit_when_waiting():
    src = 'big = ""\nFOR i = 1 TO 200\n  big = big + "0123456789"\nNEXT\nHEAR x'
    message = error(src, limits=Limits(max_state_bytes=1_000))
    assert "saved state" in message and "1,000" in message


def test_no_python_exception_escapes_for_odd_values():
    # Every operator on every pair of kinds either works or fails with a BasicError.
    kinds = ['1', '2.5', '"t"', '""', "[1]", "#{a: 1}", "TRUE", "nothing"]
    for a in kinds:
        for b in kinds:
            for op in ["+", "-", "*", "/", "\\", "MOD", "^", "&", "=", "<", "LIKE", "IN"]:
                result, _ = run(f"x = {a} {op} {b}")
                assert result.status in ("finished", "failed")
                if result.status == "failed":
                    assert str(result.error).startswith("test.bas:1:")
