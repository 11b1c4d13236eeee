"""Type checks, choice functions, errors and logging (basic/builtins/checks.py, failures.py)."""

from __future__ import annotations

import pytest

from basic.builtins import call_builtin
from basic.builtins.context import StandaloneContext
from basic.errors import BasicRuntimeError


def call(name, *args, ctx=None):
    return call_builtin(name, list(args), ctx)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("ISNULL", [None], True),
        ("ISNULL", [""], False),
        ("ISNULL", [0], False),
        ("ISEMPTY", [None], True),
        ("ISEMPTY", [""], True),
        ("ISEMPTY", ["  "], True),
        ("ISEMPTY", [[]], True),
        ("ISEMPTY", [{}], True),
        ("ISEMPTY", [0], False),
        ("ISEMPTY", ["a"], False),
        ("ISEMPTY", [[None]], False),
        ("ISARRAY", [[1]], True),
        ("ISARRAY", ["[1]"], False),
        ("ISSTRING", ["42"], True),
        ("ISSTRING", [42], False),
        ("ISNUMBER", [42], True),
        ("ISNUMBER", [4.2], True),
        ("ISNUMBER", ["42"], False),
        ("ISNUMBER", [True], False),
        ("ISBOOL", [False], True),
        ("ISBOOL", ["true"], False),
        ("ISBOOL", [0], False),
        ("TYPEOF", ["x"], "string"),
        ("TYPEOF", [1], "integer"),
        ("TYPEOF", [2.5], "float"),
        ("TYPEOF", [True], "boolean"),
        ("TYPEOF", [[1]], "array"),
        ("TYPEOF", [{"a": 1}], "map"),
        ("TYPEOF", [None], "empty"),
        ("TYPENAME", [{"$error": "x"}], "error"),
        ("NVL", [None, "guest"], "guest"),
        ("NVL", ["", "guest"], "guest"),
        ("NVL", ["Ana", "guest"], "Ana"),
        ("NVL", [0, 5], 0),
        ("NVL", [False, True], False),
        ("IFNULL", [None, 1], 1),
        ("COALESCE", [None, "", "c", "d"], "c"),
        ("COALESCE", [None, None], None),
        ("COALESCE", [None, ""], ""),
        ("IIF", [True, "yes", "no"], "yes"),
        ("IIF", [0, "yes", "no"], "no"),
        ("IIF", ["false", 1, 2], 2),
        ("IIF", ["x", 1, 2], 1),
        ("IF_FUNC", [None, 1, 2], 2),
        ("CHOOSE", [2, "red", "green", "blue"], "green"),
        ("CHOOSE", [1, "red"], "red"),
        ("CHOOSE", [4, "a", "b"], None),
        ("CHOOSE", [0, "a"], None),
        ("CHOOSE", ["2", "a", "b"], "b"),
        ("SWITCH_FUNC", [2, 1, "one", 2, "two", "many"], "two"),
        ("SWITCH_FUNC", [9, 1, "one", 2, "two", "many"], "many"),
        ("SWITCH_FUNC", [9, 1, "one", 2, "two"], None),
        ("SWITCH_FUNC", ["2", 2, "two"], "two"),
        ("SWITCH_FUNC", ["b", "a", 1, "b", 2], 2),
    ],
)
def test_checks_and_choices(name, args, expected):
    result = call(name, *args)
    assert result == expected and type(result) is type(expected)


def test_choose_needs_a_whole_index():
    with pytest.raises(BasicRuntimeError, match='CHOOSE expects a whole index, got "x"'):
        call("CHOOSE", "x", "a")


def test_throw_raises_a_runtime_error_with_number():
    with pytest.raises(BasicRuntimeError) as info:
        call("THROW", "Order not found", 404)
    assert info.value.message == "Order not found" and info.value.number == 404
    with pytest.raises(BasicRuntimeError) as info:
        call("RAISE", "boom")
    assert info.value.message == "boom" and info.value.number == 1000


def test_throw_rethrows_an_error_value():
    err = call("ERROR", "bad input", 42)
    with pytest.raises(BasicRuntimeError) as info:
        call("THROW", err)
    assert info.value.message == "bad input" and info.value.number == 42


def test_throw_rejects_a_bad_number():
    with pytest.raises(BasicRuntimeError, match='THROW expects a whole error number, got "x"'):
        call("THROW", "m", "x")


def test_error_values():
    err = call("ERROR", "bad input")
    assert err == {"$error": "bad input"}
    assert call("ERROR", "x", 7) == {"$error": "x", "number": 7}
    assert call("IS_ERROR", err) is True
    assert call("ISERROR", {"a": 1}) is False
    assert call("IS_ERROR", "bad input") is False


def test_assert():
    assert call("ASSERT", 1 == 1, "fine") is True
    assert call("ASSERT", "x") is True
    with pytest.raises(BasicRuntimeError) as info:
        call("ASSERT", 0, "total must be positive")
    assert info.value.message == "Assertion failed: total must be positive"
    with pytest.raises(BasicRuntimeError, match="Assertion failed: the condition is false"):
        call("ASSERT", "")


def test_get_error_message():
    ctx = StandaloneContext()
    assert call("GET_ERROR_MESSAGE", ctx=ctx) == ""
    ctx.last_error = {"number": 1000, "description": "division by zero: 1 / 0"}
    assert call("GET_ERROR_MESSAGE", ctx=ctx) == "division by zero: 1 / 0"
    assert call("GET_ERROR_MESSAGE", call("ERROR", "bad"), ctx=ctx) == "bad"
    assert call("GET_ERROR_MESSAGE", None, ctx=ctx) == ""
    assert call("GET_ERROR_MESSAGE", "plain text", ctx=ctx) == "plain text"


@pytest.mark.parametrize(
    ("name", "level"),
    [("LOG_DEBUG", "debug"), ("LOG_INFO", "info"), ("LOG_WARN", "warning"), ("LOG_ERROR", "error")],
)
def test_logging(name, level):
    ctx = StandaloneContext()
    assert call(name, "order", 42, 2.0, None, ctx=ctx) is None
    assert ctx.lines == [(level, "order 42 2 ")]


def test_logging_without_a_context_is_a_clear_error():
    with pytest.raises(BasicRuntimeError, match="LOG_INFO cannot log here"):
        call("LOG_INFO", "x")
