"""Random and mutated source never crashes the parser: it parses or raises BasicSyntaxError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basic.errors import BasicSyntaxError
from basic.parser import parse

from .conftest import build_parser_registry

REGISTRY = build_parser_registry()

SAMPLE = """PARAM name AS STRING LIKE "Ana" DESCRIPTION "Customer name"
DESCRIPTION "Greets a customer"
' comment
REM another
total = 0
items = [1, 2, 3]
m = #{a: 1, "b": [2, 3]}
FOR EACH item IN items
  total = total + item * 2 ' trailing
NEXT item
IF total > 5 AND NOT done THEN
  TALK "Big: " + total
ELSE IF total = 0 THEN
  TALK "none"
ELSE
  PRINT total, name
END IF
SELECT CASE total
  CASE 1, 2
    x = 1
  CASE 3 TO 5
  CASE IS > 10
  CASE ELSE
END SELECT
DO WHILE i < 3
  i = i + 1
LOOP
HEAR answer AS EMAIL
SET BOT MEMORY "k", answer
v = GET BOT MEMORY("k") & "!"
result = LLM "Summarise"
  WITH OPTIMIZE FOR "quality"
ON EVENT "done" DO
  TALK "ok"
END ON
BEGIN TALK
Hello ${name}, total ${total + 1}
END TALK
PARALLEL
  BRANCH A: BOT "a" "do"
END PARALLEL
WITH o
  .name = "x"
END WITH
SUB greet(who)
  TALK "hi " + who
END SUB
start:
ON ERROR GOTO start
"""

VOCABULARY = [
    "IF",
    "THEN",
    "ELSE",
    "ELSEIF",
    "END",
    "FOR",
    "EACH",
    "IN",
    "TO",
    "STEP",
    "NEXT",
    "WHILE",
    "WEND",
    "DO",
    "LOOP",
    "UNTIL",
    "SELECT",
    "CASE",
    "IS",
    "SWITCH",
    "DEFAULT",
    "EXIT",
    "SUB",
    "FUNCTION",
    "CALL",
    "RETURN",
    "GOTO",
    "ON",
    "ERROR",
    "RESUME",
    "WITH",
    "PARAM",
    "DESCRIPTION",
    "AS",
    "LIKE",
    "ENUM",
    "AND",
    "OR",
    "NOT",
    "MOD",
    "TRUE",
    "NEW OBJECT",
    "TALK",
    "HEAR",
    "PRINT",
    "SET BOT MEMORY",
    "GET BOT MEMORY",
    "BEGIN TALK",
    "END TALK",
    "PARALLEL",
    "BRANCH",
    "ON EVENT",
    "REM",
    "x",
    "y",
    "1",
    "2.5",
    '"s"',
    '"a\\"b"',
    "${x}",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "#{",
    ",",
    ":",
    ".",
    "=",
    "==",
    "<>",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "\\",
    "^",
    "&",
    "'",
    "//",
    "\n",
    "\n",
    " ",
]


def check(source: str) -> None:
    try:
        program = parse(source, file="fuzz.bas", registry=REGISTRY)
    except BasicSyntaxError as error:
        assert error.line >= 1 and error.column >= 1, (error, source)
        assert error.file == "fuzz.bas"
        assert error.message
    else:
        assert program.file == "fuzz.bas"


def test_the_sample_parses():
    parse(SAMPLE, registry=REGISTRY)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=200))
def test_random_text(source):
    check(source)


@FUZZ
@given(st.lists(st.sampled_from(VOCABULARY), max_size=40).map(" ".join))
def test_token_soup(source):
    check(source)


SAMPLE_LINES = SAMPLE.splitlines()


@st.composite
def mutated_lines(draw):
    lines = list(SAMPLE_LINES)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["delete", "duplicate", "swap"]))
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(j, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@st.composite
def mutated_chars(draw):
    text = list(SAMPLE)
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(0, len(text) - 1))
        if action == "delete":
            del text[i]
        elif action == "duplicate":
            text.insert(j, text[i])
        elif action == "swap":
            text[i], text[j] = text[j], text[i]
        else:
            text.insert(i, draw(st.sampled_from(['"', "(", ")", "{", "}", "$", "'", ":", ",", "\n", "="])))
    return "".join(text)


@FUZZ
@given(mutated_lines())
def test_mutated_lines(source):
    check(source)


@FUZZ
@given(mutated_chars())
def test_mutated_characters(source):
    check(source)
