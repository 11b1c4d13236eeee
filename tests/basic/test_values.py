"""Value semantics: operators, comparisons, LIKE, IN, truth and display (basic/values.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basic import values as v
from basic.errors import BasicRuntimeError

# --- arithmetic -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 2, 3),
        (1.5, 2, 3.5),
        ("3", 1, "31"),
        (1, "3", "13"),
        ("a", "b", "ab"),
        ("Total: ", 8.0, "Total: 8"),
        ("x", None, "x"),
        (None, 2, 2),
        (None, None, 0),
        ("ok? ", True, "ok? true"),
        ([1], [2, 3], [1, 2, 3]),
    ],
)
def test_add(a, b, expected):
    result = v.add(a, b)
    assert result == expected and type(result) is type(expected)


def test_add_concatenates_left_to_right():
    # 1 + 2 + "x" is (1 + 2) + "x" = "3x"; "x" + 1 + 2 is "x12"
    assert v.add(v.add(1, 2), "x") == "3x"
    assert v.add(v.add("x", 1), 2) == "x12"


def test_add_lists_does_not_share_items():
    inner = {"a": 1}
    joined = v.add([inner], [])
    joined[0]["a"] = 2
    assert inner == {"a": 1}


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        (v.sub, 5, 3, 2),
        (v.sub, "5", 3, 2),
        (v.sub, 2.5, 0.5, 2.0),
        (v.mul, "3", 2, 6),
        (v.mul, 1.5, 2, 3.0),
        (v.div, 6, 2, 3),
        (v.div, 7, 2, 3.5),
        (v.div, -7, 2, -3.5),
        (v.div, 1.0, 4, 0.25),
        (v.idiv, 7, 2, 3),
        (v.idiv, -7, 2, -3),
        (v.idiv, 7.9, 2, 3),
        (v.mod, 17, 5, 2),
        (v.mod, -7, 3, -1),
        (v.mod, 7, -3, 1),
        (v.mod, 5.5, 2, 1.5),
        (v.power, 2, 10, 1024),
        (v.power, 2, -1, 0.5),
        (v.power, 4, 0.5, 2.0),
        (v.power, "3", 2, 9),
    ],
)
def test_numeric_operators(op, a, b, expected):
    result = op(a, b)
    assert result == expected and type(result) is type(expected)


def test_div_exact_integers_stay_integers():
    assert isinstance(v.div(10, 5), int)
    assert isinstance(v.div(10, 4), float)


@pytest.mark.parametrize("op", [v.div, v.idiv, v.mod])
def test_division_by_zero_is_a_clear_error(op):
    with pytest.raises(BasicRuntimeError, match="division by zero"):
        op(1, 0)


@pytest.mark.parametrize(
    ("op", "a", "b", "words"),
    [
        (v.sub, "abc", 1, 'cannot subtract a text (left side of "abc" - 1)'),
        (v.mul, 2, "x", 'cannot multiply a text (right side of 2 * "x")'),
        (v.div, [1], 2, "cannot divide a list"),
        (v.sub, True, 1, "cannot subtract a boolean"),
        (v.add, {"a": 1}, 1, "cannot add a map"),
        (v.power, "two", 2, "cannot raise a text"),
    ],
)
def test_type_errors_name_the_problem(op, a, b, words):
    with pytest.raises(BasicRuntimeError) as info:
        op(a, b)
    assert words in info.value.message
    assert "expected numbers" in info.value.message


def test_power_errors():
    with pytest.raises(BasicRuntimeError, match="not a real number"):
        v.power(-8, 0.5)
    with pytest.raises(BasicRuntimeError, match="division by zero"):
        v.power(0, -1)
    with pytest.raises(BasicRuntimeError, match="too large"):
        v.power(10, 100000)
    with pytest.raises(BasicRuntimeError, match="too large"):
        v.power(10.0, 1000)


def test_float_overflow_is_an_error_not_infinity():
    with pytest.raises(BasicRuntimeError, match="not a finite number"):
        v.mul(1e308, 10)


@pytest.mark.parametrize(("a", "expected"), [(3, -3), (-2.5, 2.5), ("4", -4), (None, 0)])
def test_neg(a, expected):
    assert v.neg(a) == expected


def test_neg_of_text_is_an_error():
    with pytest.raises(BasicRuntimeError, match='cannot negate a text: -"x"'):
        v.neg("x")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(1, 2, "12"), ("a", None, "a"), (2.0, "x", "2x"), (True, "", "true"), ([1, 2], "", "[1, 2]")],
)
def test_concat(a, b, expected):
    assert v.concat(a, b) == expected


# --- comparison -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 1.0, True),
        (2, "2", True),
        ("2", 2, True),
        ("2.0", 2, True),
        ("abc", "abc", True),
        ("abc", "ABC", False),
        (None, "", True),
        (None, 0, True),
        (None, None, True),
        (None, "x", False),
        (None, False, False),
        (True, "true", True),
        ("FALSE", False, True),
        (True, 1, False),
        ([1, "2"], [1, 2], True),
        ([1], [1, 2], False),
        ({"a": 1}, {"a": 1.0}, True),
        ({"a": 1}, {"b": 1}, False),
        ("x", 1, False),
        ("1", "1.0", False),
    ],
)
def test_eq(a, b, expected):
    assert v.eq(a, b) is expected
    assert v.eq(b, a) is expected
    assert v.ne(a, b) is (not expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 2, True),
        (2, 1, False),
        ("10", 9, False),
        (9, "10", True),
        ("10", "9", True),
        ("apple", "banana", True),
        (None, 1, True),
        (None, "a", True),
        (False, True, True),
        ([1, 2], [1, 3], True),
        ("2026-01-05", "2026-11-21", True),
    ],
)
def test_lt(a, b, expected):
    assert v.lt(a, b) is expected


def test_ordering_operators_agree():
    assert v.le(2, 2) and v.ge(2, 2) and not v.gt(2, 2)
    assert v.gt(3, "2") and v.ge("3", 3)


def test_comparing_unrelated_types_is_an_error():
    with pytest.raises(BasicRuntimeError, match='cannot compare a text with a list: "a" and \\[1\\]'):
        v.lt("a", [1])
    with pytest.raises(BasicRuntimeError, match="cannot compare a number with a text"):
        v.gt(1, "abc")


def test_date_map_compares_as_its_formatted_text():
    now = {"formatted": "2026-11-21 10:00:00", "year": 2026}
    assert v.eq(now, "2026-11-21 10:00:00")
    assert v.lt("2026-01-01", now)


# --- LIKE and IN --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("hello world", "hello*", True),
        ("hello world", "%world", True),
        ("HELLO", "hello", True),
        ("cat", "c?t", True),
        ("cat", "c_t", True),
        ("cart", "c?t", False),
        ("a1", "a#", True),
        ("ab", "a#", False),
        ("b", "[abc]", True),
        ("d", "[!abc]", True),
        ("a", "[!abc]", False),
        ("m", "[a-z]", True),
        ("a*b", "a[*]b", True),
        ("axb", "a[*]b", False),
        ("x.y", "x.y", True),
        ("xzy", "x.y", False),
        ("line1\nline2", "line1*", True),
        (123, "1*", True),
        ("", "*", True),
    ],
)
def test_like(text, pattern, expected):
    assert v.like(text, pattern) is expected


def test_like_rejects_a_list():
    with pytest.raises(BasicRuntimeError, match="LIKE expects a text on its left"):
        v.like([1], "*")
    with pytest.raises(BasicRuntimeError, match="LIKE expects a text pattern"):
        v.like("a", ["*"])


@pytest.mark.parametrize(
    ("container", "item", "expected"),
    [
        ([1, 2, 3], 2, True),
        ([1, 2, 3], "2", True),
        (["a"], "A", False),
        ("hello", "ell", True),
        ("hello", "xyz", False),
        ({"name": 1}, "name", True),
        ({"name": 1}, 1, False),
        (None, 1, False),
        ("a1", 1, True),
    ],
)
def test_contains(container, item, expected):
    assert v.contains(container, item) is expected


def test_contains_needs_a_container():
    with pytest.raises(BasicRuntimeError) as info:
        v.contains(5, 1)
    assert info.value.message == "IN expects a list, a text or a map on its right, got a number: 5"


# --- truth, display, types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (True, True),
        (0, False),
        (0.0, False),
        (-1, True),
        ("", False),
        ("  ", False),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", True),
        ("x", True),
        ([], False),
        ([0], True),
        ({}, False),
        ({"a": 1}, True),
    ],
)
def test_truthy(value, expected):
    assert v.truthy(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (8.0, "8"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e20, "100000000000000000000"),
        (1.5e-7, "0.00000015"),
        ("text", "text"),
        ([1, 2.0, "a", None], '[1, 2, "a", null]'),
        ({"a": 1.0, "b": [True]}, '{"a": 1, "b": [true]}'),
        ({"nome": "João"}, '{"nome": "João"}'),
        ({"formatted": "2026-11-21 10:00:00", "year": 2026, "month": 11}, "2026-11-21 10:00:00"),
        ({"formatted": "10:00:00", "hour": 10}, "10:00:00"),
        ({"$error": "bad"}, "bad"),
    ],
)
def test_to_text(value, expected):
    assert v.to_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "empty"),
        (True, "boolean"),
        (1, "integer"),
        (1.0, "float"),
        ("1", "string"),
        ([], "array"),
        ({}, "map"),
        ({"$error": "x"}, "error"),
    ],
)
def test_type_name(value, expected):
    assert v.type_name(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), (" -7 ", -7), ("2.5", 2.5), (".5", 0.5), ("1e3", 1000.0), ("abc", None), ("", None),
     ("nan", None), ("inf", None), ("1_000", None), ("3,5", None)],
)
def test_parse_number(text, expected):
    assert v.parse_number(text) == expected


def test_to_number():
    assert v.to_number("3") == 3
    assert v.to_number(None) == 0
    with pytest.raises(BasicRuntimeError, match='expected a number, got "x"'):
        v.to_number("x")


def test_deep_copy_is_independent():
    tree = {"a": [1, {"b": 2}]}
    copy = v.deep_copy(tree)
    copy["a"][1]["b"] = 3
    assert tree == {"a": [1, {"b": 2}]}


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
scalars = scalars | st.text()
json_values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_to_text_never_fails_and_lists_are_valid_json(value):
    text = v.to_text(value)
    assert isinstance(text, str)
    if isinstance(value, list):
        assert json.loads(text) == v.plain_json(value)


@given(json_values)
def test_eq_is_reflexive(value):
    assert v.eq(value, v.deep_copy(value))


@given(json_values, json_values)
def test_add_never_raises_anything_but_basic_errors(a, b):
    try:
        v.add(a, b)
    except BasicRuntimeError:
        pass
