"""Errors an author can make are BasicSyntaxError with position and a plain-words message."""

from __future__ import annotations

import pytest

from basic.errors import BasicSyntaxError
from basic.parser import parse


@pytest.fixture
def fail(kw_registry):
    def run(source: str) -> BasicSyntaxError:
        with pytest.raises(BasicSyntaxError) as info:
            parse(source, file="bot.bas", registry=kw_registry)
        return info.value

    return run


def where(error: BasicSyntaxError) -> tuple[int, int]:
    return error.line, error.column


def test_error_prints_file_line_column(fail):
    error = fail("x = 1\nIF x = 1\n  TALK 1\nEND IF\n")
    assert str(error).startswith("bot.bas:2:")
    assert "expected THEN after the IF condition" in error.message


def test_elseif_without_then(fail):
    assert "expected THEN" in fail("IF a THEN\nELSEIF b\nEND IF").message


def test_end_if_without_if(fail):
    error = fail("x = 1\nEND IF\n")
    assert error.message == "END IF without IF" and where(error) == (2, 1)


def test_if_without_end_if(fail):
    error = fail("x = 1\n\nIF x THEN\n  TALK 1\n")
    assert error.message == "IF at line 3 has no END IF" and where(error) == (3, 1)


def test_inner_block_left_open(fail):
    error = fail("IF a THEN\n  FOR i = 1 TO 2\nEND IF\n")
    assert error.message == "FOR at line 2 has no NEXT" and where(error) == (3, 1)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("NEXT", "NEXT without FOR"),
        ("WEND", "WEND without WHILE"),
        ("LOOP", "LOOP without DO"),
        ("ELSE", "ELSE without IF"),
        ("ELSEIF x THEN", "ELSEIF without IF"),
        ("CASE 1", "CASE without SELECT CASE or SWITCH"),
        ("END SELECT", "END SELECT without SELECT CASE"),
        ("END SUB", "END SUB without SUB"),
        ("END WITH", "END WITH without WITH"),
        ("END ON", "END ON without ON EVENT"),
    ],
)
def test_closers_without_openers(fail, source, message):
    assert fail(source).message == message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("WHILE x\n", "WHILE at line 1 has no WEND"),
        ("DO\n", "DO at line 1 has no LOOP"),
        ("SELECT CASE x\nCASE 1\n", "SELECT CASE at line 1 has no END SELECT"),
        ("SWITCH x\n", "SWITCH at line 1 has no END SWITCH"),
        ("SUB a\n", "SUB at line 1 has no END SUB"),
        ("FOR EACH a IN b\n", "FOR EACH at line 1 has no NEXT"),
        ("WITH o\n", "WITH at line 1 has no END WITH"),
        ('ON EVENT "e" DO\n', "ON EVENT at line 1 has no END ON"),
        ("PARALLEL\n", "PARALLEL at line 1 has no END PARALLEL"),
        ("BEGIN TALK\nhello\n", "BEGIN TALK at line 1 has no END TALK"),
    ],
)
def test_unclosed_blocks(fail, source, message):
    assert fail(source).message == message


def test_unknown_keyword_suggests_the_closest(fail):
    error = fail('x = 1\n  TALKK "hi"\n')
    assert error.message == "unknown keyword TALKK: did you mean TALK?" and where(error) == (2, 3)


def test_unknown_keyword_without_a_suggestion(fail):
    assert fail('QWZX "hi"').message.startswith("unknown keyword QWZX")


def test_no_form_matches_lists_the_forms(fail):
    error = fail("HEAR 1 + 2")
    assert error.message == ("HEAR expects: HEAR target AS kind | HEAR target AS options, ... | HEAR target")


def test_wrong_arguments_in_a_value_position(fail):
    assert fail('x = GET BOT MEMORY("a", "b")').message.startswith("GET BOT MEMORY expects: ")


def test_next_with_the_wrong_variable(fail):
    assert fail("FOR i = 1 TO 2\nNEXT j\n").message == "NEXT j does not match the FOR i at line 1"


def test_exit_outside_its_block(fail):
    assert fail("EXIT FOR").message == "EXIT FOR is only allowed inside a FOR loop"
    assert fail("SUB a\n EXIT FUNCTION\nEND SUB").message == "EXIT FUNCTION is only allowed inside a FUNCTION"


def test_else_after_else_and_case_after_case_else(fail):
    assert "already has an ELSE" in fail("IF a THEN\nELSE\nELSE\nEND IF").message
    assert "ELSEIF after ELSE" in fail("IF a THEN\nELSE\nELSEIF b THEN\nEND IF").message
    assert "CASE after the fallback" in fail("SELECT CASE a\nCASE ELSE\nCASE 1\nEND SELECT").message


def test_statement_before_the_first_case(fail):
    error = fail("SELECT CASE a\n  x = 1\nCASE 1\nEND SELECT")
    assert error.message == "expected CASE after SELECT CASE at line 1" and where(error) == (2, 3)


def test_procedure_inside_a_block_and_defined_twice(fail):
    assert "must be defined at the top level" in fail("IF a THEN\nSUB s\nEND SUB\nEND IF").message
    assert "already defined at line 1" in fail("SUB s\nEND SUB\nSUB s\nEND SUB").message


def test_goto_to_an_unknown_label(fail):
    error = fail("GOTO nowhere\n")
    assert error.message == "label nowhere is not defined in the script" and where(error) == (1, 1)


def test_duplicate_label(fail):
    assert "already defined" in fail("a:\na:\n").message


def test_header_inside_a_block(fail):
    assert "PARAM belongs to the script header" in fail("IF a THEN\nPARAM x AS string\nEND IF").message


def test_unterminated_string(fail):
    error = fail('TALK "hello\nx = 1')
    assert error.message == 'this string has no closing " on the same line' and where(error) == (1, 6)


def test_unclosed_bracket_points_at_the_opener(fail):
    error = fail("x = foo(1, 2\ny = 3\nz = 4\n")
    assert "never closed" in error.message and where(error) == (1, 8)


def test_unexpected_token_is_described_in_words(fail):
    error = fail("x = 1 +\n")
    assert error.message.startswith("the line ends too early: expected a value")
    error = fail("x = (1 + 2))\n")
    assert error.message.startswith("unexpected ')'") and where(error) == (1, 12)
    assert "Token" not in error.message and "Unexpected" not in error.message


def test_unexpected_character(fail):
    error = fail("x = 1 ? 2")
    assert error.message == "unexpected character '?'" and where(error) == (1, 7)


def test_bad_interpolation_is_reported_at_the_hole(fail):
    error = fail("BEGIN TALK\nline one\nTotal: ${a + }\nEND TALK\n")
    assert error.line == 3 and error.column >= 10


def test_unclosed_and_empty_holes(fail):
    assert fail("BEGIN TALK\nHi ${name\nEND TALK\n").message == "this ${ has no closing }"
    assert "empty ${}" in fail("BEGIN TALK\nHi ${ }\nEND TALK\n").message


def test_section_keyword_outside_its_block(fail):
    assert fail('BRANCH A: TALK "x"').message == "BRANCH is only allowed inside PARALLEL"


def test_block_keyword_in_a_one_line_if(fail):
    assert "must be on its own line" in fail('IF a THEN ON EVENT "x" DO').message


def test_assignment_with_junk_after_the_value(fail):
    error = fail("x = 1 2")
    assert error.message.startswith("unexpected 2 after the value") and where(error) == (1, 7)


def test_with_accepts_only_field_assignments(fail):
    assert "inside WITH only" in fail('WITH o\n  TALK "x"\nEND WITH').message


def test_plain_end(fail):
    assert fail("END").message.startswith("END needs the name of the block")


def test_only_names_and_methods_can_be_called(fail):
    assert "can be called" in fail("WITH o\n.field(1) = 2\nEND WITH").message
    assert fail("x[1] (2)").message == "unexpected 2: expected = and a value, or end of line"


def test_on_error_goto_a_line_number(fail):
    assert "needs a label name" in fail("ON ERROR GOTO 10").message
