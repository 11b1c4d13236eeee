"""Text built-ins (basic/builtins/text.py) and FIRST/LAST."""

from __future__ import annotations

import pytest

from basic.builtins import call_builtin
from basic.errors import BasicRuntimeError


def call(name, *args):
    return call_builtin(name, list(args), None)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("LEN", ["hello"], 5),
        ("LEN", [""], 0),
        ("LEN", [None], 0),
        ("LEN", [12345], 5),
        ("LEN", ["ação"], 4),
        ("LEN", [[1, 2, 3]], 3),
        ("LEN", [{"a": 1, "b": 2}], 2),
        ("LEFT", ["hello", 2], "he"),
        ("LEFT", ["hello", 0], ""),
        ("LEFT", ["hi", 10], "hi"),
        ("LEFT", [12345, 2], "12"),
        ("LEFT", ["hello", "3"], "hel"),
        ("LEFT", [None, 3], ""),
        ("RIGHT", ["hello", 3], "llo"),
        ("RIGHT", ["hello", 0], ""),
        ("RIGHT", ["hi", 5], "hi"),
        ("MID", ["General Bots", 9, 3], "Bot"),
        ("MID", ["General Bots", 9], "Bots"),
        ("MID", ["abc", 1, 1], "a"),
        ("MID", ["abc", 5], ""),
        ("MID", ["abc", 2, 0], ""),
        ("MID", ["abc", 2, 99], "bc"),
        ("INSTR", ["banana", "an"], 2),
        ("INSTR", ["banana", "x"], 0),
        ("INSTR", ["banana", "an", 3], 4),
        ("INSTR", [3, "banana", "an"], 4),
        ("INSTR", ["banana", "an", 99], 0),
        ("INSTR", ["banana", ""], 1),
        ("INSTR", ["Banana", "b"], 0),
        ("UCASE", ["Olá"], "OLÁ"),
        ("UPPER", ["abc"], "ABC"),
        ("LCASE", ["HeLLo"], "hello"),
        ("LOWER", ["ÁB"], "áb"),
        ("TRIM", ["  hi  "], "hi"),
        ("TRIM", ["\t hi \n"], "hi"),
        ("LTRIM", ["  hi  "], "hi  "),
        ("RTRIM", ["  hi  "], "  hi"),
        ("REPLACE", ["a-b-c", "-", "+"], "a+b+c"),
        ("REPLACE", ["aaa", "a", ""], ""),
        ("REPLACE", ["abc", "", "x"], "abc"),
        ("REPLACE", ["Abc", "a", "x"], "Abc"),
        ("REPLACE", ["price 10", 10, 20], "price 20"),
        ("SPLIT", ["a,b,c", ","], ["a", "b", "c"]),
        ("SPLIT", ["a,b,c"], ["a", "b", "c"]),
        ("SPLIT", ["a b", " "], ["a", "b"]),
        ("SPLIT", ["", ","], []),
        ("SPLIT", ["a,,b", ","], ["a", "", "b"]),
        ("SPLIT", ["abc", ""], ["a", "b", "c"]),
        ("SPLIT", ["a; b", "; "], ["a", "b"]),
        ("JOIN", [["a", "b"], " - "], "a - b"),
        ("JOIN", [["a", "b"]], "a,b"),
        ("JOIN", [[1, 2.0, True, None], "|"], "1|2|true|"),
        ("JOIN", [[], ","], ""),
        ("JOIN", [None, ","], ""),
        ("STR", [42], "42"),
        ("STR", [8.0], "8"),
        ("STR", [2.5], "2.5"),
        ("STR", [None], ""),
        ("STR", [True], "true"),
        ("STR", ["x"], "x"),
        ("VAL", ["42"], 42),
        ("VAL", ["3.5 kg"], 3.5),
        ("VAL", ["12abc"], 12),
        ("VAL", ["  -7"], -7),
        ("VAL", ["abc"], 0),
        ("VAL", [""], 0),
        ("VAL", [9.5], 9.5),
        ("VAL", [True], 1),
        ("CINT", ["42"], 42),
        ("CINT", ["41.6"], 42),
        ("CINT", [2.5], 3),
        ("CINT", [-2.5], -3),
        ("CINT", [2.4], 2),
        ("CINT", [True], 1),
        ("CINT", [None], 0),
        ("CDBL", ["2.5"], 2.5),
        ("CDBL", ["2,5"], 2.5),
        ("CDBL", [3], 3.0),
        ("CDBL", [None], 0.0),
        ("ISNUMERIC", ["42"], True),
        ("ISNUMERIC", [" -2.5 "], True),
        ("ISNUMERIC", [7], True),
        ("ISNUMERIC", ["abc"], False),
        ("ISNUMERIC", [""], False),
        ("ISNUMERIC", [None], False),
        ("ISNUMERIC", [True], False),
        ("IS_NUMERIC", ["1e3"], True),
        ("FIRST", ["General Bots rocks"], "General"),
        ("FIRST", ["  spaced   words "], "spaced"),
        ("FIRST", [""], ""),
        ("FIRST", [[7, 8]], 7),
        ("FIRST", [[]], None),
        ("LAST", ["General Bots rocks"], "rocks"),
        ("LAST", [""], ""),
        ("LAST", [[7, 8]], 8),
    ],
)
def test_text_functions(name, args, expected):
    result = call(name, *args)
    assert result == expected and type(result) is type(expected)


def test_cdbl_returns_a_float_that_prints_whole():
    from basic.values import to_text

    assert to_text(call("CDBL", "3")) == "3"


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("LEFT", ["hello", "abc"], 'LEFT expects a number of characters, got "abc"'),
        ("LEFT", ["hello", -1], "LEFT expects a number of characters of 0 or more, got -1"),
        ("LEFT", ["hello", 1.5], "LEFT expects a number of characters, got 1.5"),
        ("RIGHT", [[1], 1], "RIGHT expects a text, got [1]"),
        ("MID", ["abc", 0], "MID expects a start position of 1 or more, got 0"),
        ("MID", ["abc", 1, -2], "MID expects a number of characters of 0 or more, got -2"),
        ("INSTR", ["abc", "b", 0], "INSTR expects a start position of 1 or more, got 0"),
        ("UCASE", [{"a": 1}], 'UCASE expects a text, got {"a": 1}'),
        ("SPLIT", ["a", ["x"]], 'SPLIT expects a separator text, got ["x"]'),
        ("JOIN", ["abc", ","], 'JOIN expects a list, got "abc"'),
        ("CINT", ["abc"], 'CINT expects a number or numeric text, got "abc"'),
        ("CDBL", [[1]], "CDBL expects a number or numeric text, got [1]"),
        ("CINT", [[1]], "CINT expects a number or numeric text, got [1]"),
    ],
)
def test_text_errors(name, args, message):
    with pytest.raises(BasicRuntimeError) as info:
        call(name, *args)
    assert info.value.message == message


def test_replace_refuses_to_build_a_huge_text():
    with pytest.raises(BasicRuntimeError, match="limit"):
        call("REPLACE", "a" * 1000, "a", "b" * 2000)
