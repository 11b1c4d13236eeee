"""List built-ins (basic/builtins/lists.py): every one returns a new list."""

from __future__ import annotations

import pytest

from basic.builtins import call_builtin
from basic.errors import BasicRuntimeError


def call(name, *args):
    return call_builtin(name, list(args), None)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("UBOUND", [[10, 20, 30]], 3),
        ("UBOUND", [[]], 0),
        ("UBOUND", [None], 0),
        ("LBOUND", [[10, 20]], 0),
        ("SIZE", [[1, 2]], 2),
        ("SIZE", [{"a": 1}], 1),
        ("SIZE", ["abc"], 3),
        ("SIZE", [None], 0),
        ("PUSH", [[1, 2], 3], [1, 2, 3]),
        ("PUSH", [[], [1]], [[1]]),
        ("PUSH", [None, "a"], ["a"]),
        ("PUSH", [[1], 2, 3], [1, 2, 3]),
        ("ARRAY_PUSH", [[1], 2], [1, 2]),
        ("APPEND", [["a"], "b"], ["a", "b"]),
        ("POP", [[1, 2, 3]], 3),
        ("POP", [[]], None),
        ("ARRAY_POP", [[1, 2]], 2),
        ("SHIFT", [[1, 2, 3]], 1),
        ("SHIFT", [[]], None),
        ("ARRAY_SHIFT", [[5]], 5),
        ("UNSHIFT", [[2, 3], 1], [1, 2, 3]),
        ("UNSHIFT", [[3], 1, 2], [1, 2, 3]),
        ("PREPEND", [[], "a"], ["a"]),
        ("SLICE", [[1, 2, 3, 4, 5], 1, 3], [2, 3]),
        ("SLICE", [[1, 2, 3, 4, 5], 2], [3, 4, 5]),
        ("SLICE", [[1, 2, 3, 4, 5], -2], [4, 5]),
        ("SLICE", [[1, 2, 3], 0, -1], [1, 2]),
        ("SLICE", [[1, 2, 3], 5], []),
        ("SLICE", ["hello", 1, 3], "el"),
        ("SUBARRAY", [[1, 2, 3], 1, 2], [2]),
        ("MID_ARRAY", [[1, 2, 3], 1], [2, 3]),
        ("SORT", [[3, 1, 2]], [1, 2, 3]),
        ("SORT", [["b", "C", "a"]], ["C", "a", "b"]),
        ("SORT", [[2, "a", None, 1.5, True]], [None, True, 1.5, 2, "a"]),
        ("SORT", [[3, 1, 2], "desc"], [3, 2, 1]),
        ("SORT", [[{"n": "b"}, {"n": "a"}], "n"], [{"n": "a"}, {"n": "b"}]),
        ("SORT", [[{"n": 1}, {"n": 3}, {"n": 2}], "n", "DESC"], [{"n": 3}, {"n": 2}, {"n": 1}]),
        ("SORT_ASC", [[2, 1]], [1, 2]),
        ("SORT_DESC", [[1, 3, 2]], [3, 2, 1]),
        ("SORT_DESC", [[{"p": 1}, {"p": 2}], "p"], [{"p": 2}, {"p": 1}]),
        ("UNIQUE", [[1, 2, 1, 3]], [1, 2, 3]),
        ("UNIQUE", [[1, 1.0, "1"]], [1, "1"]),
        ("UNIQUE", [[{"a": 1}, {"a": 1}]], [{"a": 1}]),
        ("DISTINCT", [["a", "a"]], ["a"]),
        ("CONTAINS", [["a", "b"], "b"], True),
        ("CONTAINS", [[1, 2], "2"], True),
        ("CONTAINS", [["a"], "z"], False),
        ("CONTAINS", ["hello", "ell"], True),
        ("CONTAINS", [{"k": 1}, "k"], True),
        ("CONTAINS", [None, 1], False),
        ("INCLUDES", [[1], 1], True),
        ("IN_ARRAY", ["b", ["a", "b"]], True),
        ("IN_ARRAY", [["a", "b"], "c"], False),
        ("HAS", [{"name": "x"}, "name"], True),
        ("INDEX_OF", [["a", "b", "c"], "b"], 1),
        ("INDEX_OF", [["a"], "z"], -1),
        ("INDEX_OF", [[1, 2, 1], "1"], 0),
        ("INDEX_OF", ["hello", "l"], 2),
        ("LAST_INDEX_OF", [[1, 2, 1], 1], 2),
        ("LAST_INDEX_OF", [[1], 5], -1),
        ("LAST_INDEX_OF", ["hello", "l"], 3),
        ("REVERSE", [[1, 2, 3]], [3, 2, 1]),
        ("REVERSE", ["abc"], "cba"),
        ("CONCAT", [[1, 2], [3]], [1, 2, 3]),
        ("CONCAT", [[1], [2], [3, 4]], [1, 2, 3, 4]),
        ("CONCAT", [[1], None], [1]),
        ("CONCAT", ["a", "b", 1], "ab1"),
        ("FLATTEN", [[[1, 2], 3, [4]]], [1, 2, 3, 4]),
        ("FLATTEN", [[[1, [2]]]], [1, [2]]),
        ("RANGE", [1, 5], [1, 2, 3, 4, 5]),
        ("RANGE", [3], [1, 2, 3]),
        ("RANGE", [0, 10, 5], [0, 5, 10]),
        ("RANGE", [5, 1, -2], [5, 3, 1]),
        ("RANGE", [5, 1], []),
        ("RANGE", [0], []),
        ("HEAD", [[1, 2, 3], 2], [1, 2]),
        ("HEAD", [[1, 2, 3]], 1),
        ("HEAD", [[]], None),
        ("TAIL", [[1, 2, 3], 2], [2, 3]),
        ("TAIL", [[1, 2, 3]], [2, 3]),
        ("TAIL", [[1, 2, 3], 0], []),
        ("TAIL", [[1], 5], [1]),
        ("INIT", [[1, 2, 3]], [1, 2]),
        ("INIT", [[1, 2, 3], 2], [1]),
        ("INIT", [[], 1], []),
        ("TAKE", [[1, 2, 3], 2], [1, 2]),
        ("TAKE", [[1], 9], [1]),
        ("DROP", [[1, 2, 3], 1], [2, 3]),
        ("DROP", [[1, 2], 5], []),
        ("CHUNK", [[1, 2, 3, 4, 5], 2], [[1, 2], [3, 4], [5]]),
        ("CHUNK", [[], 3], []),
        ("BATCH", [[1, 2, 3], 3], [[1, 2, 3]]),
        ("FILL", ["x", 3], ["x", "x", "x"]),
        ("FILL", [0, 0], []),
        ("FIRST_ELEM", [[7, 8]], 7),
        ("FIRST_ELEM", [[]], None),
        ("LAST_ELEM", [[7, 8]], 8),
        ("LAST_ELEM", [[]], None),
        ("EMPTY_ARRAY", [], []),
    ],
)
def test_list_functions(name, args, expected):
    result = call(name, *args)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("PUSH", [[[1]], 2]),
        ("UNSHIFT", [[[1]], 0]),
        ("SORT", [[[2], [1]]]),
        ("SLICE", [[[1], [2]], 0]),
        ("REVERSE", [[[1], [2]]]),
        ("UNIQUE", [[[1]]]),
        ("FLATTEN", [[[[1]]]]),
        ("TAKE", [[[1]], 1]),
        ("CHUNK", [[[1]], 1]),
        ("CONCAT", [[[1]], []]),
    ],
)
def test_results_never_share_lists_with_arguments(name, args):
    snapshot = repr(args)
    result = call(name, *args)
    assert repr(args) == snapshot
    _scribble(result)
    assert repr(args) == snapshot, f"{name} returned a list shared with its argument"


def _scribble(value):
    """Change every list inside a result, to see whether the arguments change with it."""
    if isinstance(value, list):
        for item in value:
            _scribble(item)
        value.append("changed")



def test_fill_copies_the_value():
    filled = call("FILL", {"a": 1}, 2)
    filled[0]["a"] = 2
    assert filled[1] == {"a": 1}


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("UBOUND", ["abc"], 'UBOUND expects a list, got "abc"'),
        ("PUSH", [5, 1], "PUSH expects a list, got 5"),
        ("POP", [{"a": 1}], 'POP expects a list, got {"a": 1}'),
        ("SLICE", [[1], "x"], 'SLICE expects a start position, got "x"'),
        ("SLICE", [5, 0], "SLICE expects a list or a text, got 5"),
        ("SORT", [[1, 2], ["x"]], 'SORT expects a field name, "asc" or "desc", got ["x"]'),
        ("SORT", [[1, 2], "name"], 'SORT expects a list of maps to sort by "name", got 1'),
        ("CONTAINS", [5, 5], "CONTAINS expects a list, a text or a map, got 5"),
        ("RANGE", [1, 10, 0], "RANGE expects a step other than 0, got 0"),
        ("RANGE", [1, 10**9], "RANGE would build 1000000000 items; the limit is 1000000"),
        ("RANGE", ["a"], 'RANGE expects a whole number, got "a"'),
        ("HEAD", [[1], -1], "HEAD expects a number of items of 0 or more, got -1"),
        ("TAKE", [[1], 1.5], "TAKE expects a number of items, got 1.5"),
        ("CHUNK", [[1], 0], "CHUNK expects a chunk size of 1 or more, got 0"),
        ("FILL", ["x", 10**8], "FILL would build 100000000 items; the limit is 1000000"),
        ("FILL", ["x", -1], "FILL expects a number of items of 0 or more, got -1"),
        ("FIRST_ELEM", ["abc"], 'FIRST_ELEM expects a list, got "abc"'),
    ],
)
def test_list_errors(name, args, message):
    with pytest.raises(BasicRuntimeError) as info:
        call(name, *args)
    assert info.value.message == message
