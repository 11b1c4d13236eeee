"""Math and aggregate built-ins (basic/builtins/numbers.py, aggregates.py)."""

from __future__ import annotations

import math

import pytest

from basic.builtins import call_builtin
from basic.errors import BasicRuntimeError


def call(name, *args):
    return call_builtin(name, list(args), None)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("ABS", [-3.5], 3.5),
        ("ABS", [4], 4),
        ("ABS", ["-3"], 3),
        ("ROUND", [2.5], 3),
        ("ROUND", [-2.5], -3),
        ("ROUND", [2.4], 2),
        ("ROUND", [2.675, 2], 2.68),
        ("ROUND", [1.005, 2], 1.01),
        ("ROUND", [3.14159, 3], 3.142),
        ("ROUND", [1234, -2], 1200),
        ("ROUND", [1250, -2], 1300),
        ("ROUND", [7, 2], 7),
        ("ROUND", ["2.5"], 3),
        ("ROUND", [2.5, 0], 3),
        ("INT", [7.9], 7),
        ("INT", [-2.7], -2),
        ("INT", ["3.9"], 3),
        ("INT", [5], 5),
        ("FIX", [-2.7], -2),
        ("FIX", [2.7], 2),
        ("FLOOR", [-2.1], -3),
        ("FLOOR", [2.9], 2),
        ("CEIL", [2.1], 3),
        ("CEIL", [-2.9], -2),
        ("CEILING", [2.0], 2),
        ("MAX", [3, 7], 7),
        ("MAX", [[4, 9, 2]], 9),
        ("MAX", [1, 5, 3], 5),
        ("MAX", ["10", 9], "10"),
        ("MAX", [["b", "a"]], "b"),
        ("MIN", [3, 7], 3),
        ("MIN", [[4, 2, 9]], 2),
        ("MIN", [-1.5, 0], -1.5),
        ("MOD", [17, 5], 2),
        ("MOD", [-7, 3], -1),
        ("MOD", [7.5, 2], 1.5),
        ("MOD", ["10", "4"], 2),
        ("POW", [2, 10], 1024),
        ("POWER", [2, 0.5], math.sqrt(2)),
        ("POW", [2, -2], 0.25),
        ("SQR", [16], 4.0),
        ("SQRT", [2], math.sqrt(2)),
        ("SQR", [0], 0.0),
        ("SGN", [-5], -1),
        ("SGN", [0], 0),
        ("SGN", [0.1], 1),
        ("LOG", [math.e], 1.0),
        ("LOG10", [1000], 3.0),
        ("EXP", [0], 1.0),
        ("PI", [], math.pi),
        ("SIN", [0], 0.0),
        ("COS", [0], 1.0),
        ("TAN", [0], 0.0),
        ("ASIN", [1], math.pi / 2),
        ("ACOS", [1], 0.0),
        ("ATAN", [1], math.pi / 4),
        ("ATN", [1], math.pi / 4),
        ("ATAN", [1, 1], math.pi / 4),
        ("ATAN", [1, -1], 3 * math.pi / 4),
    ],
)
def test_math(name, args, expected):
    result = call(name, *args)
    if isinstance(expected, float):
        assert isinstance(result, float) and result == pytest.approx(expected)
    else:
        assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("ABS", ["x"], 'ABS expects a number, got "x"'),
        ("ROUND", [2.5, 1.5], "ROUND expects a number of decimals, got 1.5"),
        ("INT", [[1]], "INT expects a number, got [1]"),
        ("MAX", [5], "MAX expects two numbers or one list, got 5"),
        ("MAX", [[]], "MAX expects a list with at least one item, got an empty list"),
        ("MIN", [1, "a"], "cannot compare a text with a number"),
        ("MOD", [5, 0], "division by zero: 5 MOD 0"),
        ("MOD", ["a", 2], 'MOD expects a number, got "a"'),
        ("POW", [-8, 0.5], "not a real number"),
        ("SQR", [-1], "SQR expects a number that is 0 or more, got -1"),
        ("LOG", [0], "LOG expects a number greater than 0, got 0"),
        ("LOG10", [-5], "LOG10 expects a number greater than 0, got -5"),
        ("EXP", [1000], "EXP(1000) is too large"),
        ("ASIN", [2], "ASIN expects a number from -1 to 1, got 2"),
        ("ACOS", [-1.5], "ACOS expects a number from -1 to 1, got -1.5"),
        ("SIN", [True], "SIN expects a number, got true"),
        ("RANDOM", ["x"], 'RANDOM expects a whole number, got "x"'),
    ],
)
def test_math_errors(name, args, message):
    with pytest.raises(BasicRuntimeError) as info:
        call(name, *args)
    assert message in info.value.message


def test_random_without_arguments_is_in_0_1():
    draws = [call("RANDOM") for _ in range(500)]
    assert all(isinstance(x, float) and 0 <= x < 1 for x in draws)
    assert len(set(draws)) > 400
    assert all(0 <= call("RND") < 1 for _ in range(50))


def test_random_range_is_inclusive_and_whole():
    draws = {call("RANDOM", 1, 6) for _ in range(600)}
    assert draws == {1, 2, 3, 4, 5, 6}
    assert {call("RND", 1, 3) for _ in range(300)} == {1, 2, 3}


def test_random_with_one_argument_is_below_it():
    draws = {call("RANDOM", 4) for _ in range(400)}
    assert draws == {0, 1, 2, 3}
    assert call("RANDOM", 0) == 0
    assert call("RANDOM", -3) == 0


def test_random_with_reversed_bounds_gives_the_low_bound():
    assert call("RANDOM", 5, 5) == 5
    assert call("RANDOM", 9, 2) == 9


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("SUM", [[1, 2, "3"]], 6),
        ("SUM", [[1.5, 2.5]], 4.0),
        ("SUM", [[]], 0),
        ("SUM", [[1, None, "", 2]], 3),
        ("SUM", [1, 2, 3], 6),
        ("SUM", [[{"amount": 10}, {"amount": "5"}, {"other": 1}], "amount"], 15),
        ("AVG", [[2, 4, 9]], 5),
        ("AVG", [[1, 2]], 1.5),
        ("AVERAGE", [[10, 20]], 15),
        ("AVG", [[]], 0),
        ("AVG", [2, 3], 2.5),
        ("AVG", [[{"p": 1}, {"p": 3}], "p"], 2),
        ("COUNT", [[1, 2, 3]], 3),
        ("COUNT", [[]], 0),
        ("COUNT", [None], 0),
        ("COUNT", [{"a": 1}], 1),
        ("COUNT", ["abc"], 3),
    ],
)
def test_aggregates(name, args, expected):
    result = call(name, *args)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("SUM", [[1, "x"]], 'SUM expects numbers, got "x"'),
        ("SUM", [[1, 2], "amount"], 'SUM expects a list of maps with a field "amount", got 1'),
        ("SUM", [[1], "a", "b"], "SUM takes a list and at most a field name, got 3 arguments"),
        ("AVG", [[[1]]], "AVG expects numbers, got [1]"),
        ("COUNT", [5], "COUNT expects a list, a map or a text, got 5"),
    ],
)
def test_aggregate_errors(name, args, message):
    with pytest.raises(BasicRuntimeError) as info:
        call(name, *args)
    assert info.value.message == message
