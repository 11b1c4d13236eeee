"""The built-in table: every name of DIALECT.md §2.3 with its aliases, docs, and call_builtin's checks."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basic.builtins import BUILTINS, CATEGORIES, Builtin, call_builtin
from basic.builtins.context import StandaloneContext
from basic.errors import BasicRuntimeError

# Every name DIALECT.md §2.3 lists (and the aliases the brief names), in its spellings.
DIALECT_NAMES = """
LEN LEFT RIGHT MID INSTR UCASE UPPER LCASE LOWER TRIM LTRIM RTRIM REPLACE SPLIT JOIN STR VAL CINT CDBL
ISNUMERIC IS_NUMERIC
NOW NOW_STR NOW_UTC TODAY TODAY_STR TIME TIME_STR TIMESTAMP TIMESTAMP_MS UNIX_TIMESTAMP YEAR MONTH DAY
HOUR MINUTE SECOND WEEKDAY DATEADD DATEDIFF FORMAT_DATE ISDATE IS_DATE FORMAT
ABS ROUND INT FIX FLOOR CEIL CEILING MAX MIN MOD POW POWER SQR SQRT SGN RANDOM RND LOG LOG10 EXP PI
SIN COS TAN ASIN ACOS ATAN ATN
SUM AVG AVERAGE COUNT
UBOUND LBOUND SIZE PUSH ARRAY_PUSH APPEND POP SHIFT UNSHIFT PREPEND SLICE SUBARRAY MID_ARRAY SORT
SORT_ASC SORT_DESC UNIQUE DISTINCT CONTAINS INCLUDES IN_ARRAY HAS INDEX_OF LAST_INDEX_OF REVERSE
CONCAT FLATTEN RANGE HEAD TAIL INIT TAKE DROP CHUNK BATCH FILL FIRST_ELEM LAST_ELEM EMPTY_ARRAY
ISNULL ISEMPTY ISARRAY ISSTRING ISNUMBER ISBOOL TYPEOF TYPENAME NVL IFNULL COALESCE IIF IF_FUNC CHOOSE
SWITCH_FUNC
THROW RAISE ERROR IS_ERROR ISERROR ASSERT GET_ERROR_MESSAGE LOG_DEBUG LOG_INFO LOG_WARN LOG_ERROR
FIRST LAST
""".split()

ALIAS_GROUPS = [
    ("UCASE", "UPPER"),
    ("LCASE", "LOWER"),
    ("ISNUMERIC", "IS_NUMERIC"),
    ("ISDATE", "IS_DATE"),
    ("TIMESTAMP", "UNIX_TIMESTAMP"),
    ("CEIL", "CEILING"),
    ("POW", "POWER"),
    ("SQR", "SQRT"),
    ("RANDOM", "RND"),
    ("ATAN", "ATN"),
    ("AVG", "AVERAGE"),
    ("PUSH", "ARRAY_PUSH", "APPEND"),
    ("POP", "ARRAY_POP"),
    ("SHIFT", "ARRAY_SHIFT"),
    ("UNSHIFT", "PREPEND"),
    ("SLICE", "SUBARRAY", "MID_ARRAY"),
    ("SORT", "SORT_ASC"),
    ("UNIQUE", "DISTINCT"),
    ("CONTAINS", "INCLUDES", "IN_ARRAY", "HAS"),
    ("CHUNK", "BATCH"),
    ("TYPEOF", "TYPENAME"),
    ("NVL", "IFNULL", "COALESCE"),
    ("IIF", "IF_FUNC"),
    ("THROW", "RAISE"),
    ("IS_ERROR", "ISERROR"),
]


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_every_dialect_name_is_a_builtin(name):
    assert name in BUILTINS


@pytest.mark.parametrize("group", ALIAS_GROUPS, ids=lambda g: "/".join(g))
def test_aliases_share_one_spec(group):
    specs = {id(BUILTINS[name]) for name in group}
    assert len(specs) == 1
    spec = BUILTINS[group[0]]
    assert spec.name == group[0]
    assert set(group[1:]) <= set(spec.aliases)


def _specs() -> list[Builtin]:
    return sorted({id(s): s for s in BUILTINS.values()}.values(), key=lambda s: s.name)


@pytest.mark.parametrize("spec", _specs(), ids=lambda s: s.name)
def test_every_builtin_is_documented(spec):
    assert spec.category in CATEGORIES
    assert re.fullmatch(rf"{spec.name}\(.*\)", spec.signature), spec.signature
    assert spec.summary and spec.summary[0].isupper() and spec.summary.endswith((".", ")"))
    assert "→" in spec.example and spec.example.upper().count(spec.name) >= 1
    assert spec.max_args is None or spec.max_args >= spec.min_args
    assert all(name == name.upper() for name in spec.names)


def test_names_are_upper_case_keys():
    assert all(key == key.upper() for key in BUILTINS)


def test_call_is_case_insensitive():
    assert call_builtin("left", ["hello", 2], None) == "he"
    assert call_builtin("Left", ["hello", 2], None) == "he"


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("LEFT", ["hello"], "LEFT takes 2 arguments (text, count), got 1"),
        ("MID", ["a"], "MID takes 2 to 3 arguments (text, start, length), got 1"),
        ("PI", [1], "PI takes 0 arguments, got 1"),
        ("NVL", [], "NVL takes at least 1 argument (value, default), got 0"),
        ("upper", [], "UPPER takes 1 argument (text), got 0"),
    ],
)
def test_wrong_argument_count(name, args, message):
    with pytest.raises(BasicRuntimeError) as info:
        call_builtin(name, args, None)
    assert info.value.message == message
    assert not info.value.has_position


def test_unknown_function_suggests_the_closest():
    with pytest.raises(BasicRuntimeError, match="unknown function UCASEE; did you mean UCASE"):
        call_builtin("UCASEE", ["x"], None)
    with pytest.raises(BasicRuntimeError) as info:
        call_builtin("ZZZQQQ", [], None)
    assert info.value.message == "unknown function ZZZQQQ"


def test_context_functions_receive_the_context():
    ctx = StandaloneContext()
    call_builtin("LOG_INFO", ["hello", 42], ctx)
    assert ctx.lines == [("info", "hello 42")]


_numbers = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)
_scalars = st.none() | st.booleans() | _numbers
_values = st.recursive(
    _scalars | st.text(max_size=12) | st.sampled_from(["2026-11-21", "10:30", "day", "#,##0.00", "desc"]),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=3),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(BUILTINS)), st.lists(_values, max_size=4))
def test_any_arguments_give_a_value_or_a_clear_error(name, args):
    ctx = StandaloneContext(fixed_now=datetime(2026, 11, 21, 10, 30, tzinfo=UTC))
    try:
        result = call_builtin(name, args, ctx)
    except BasicRuntimeError as exc:
        assert exc.message and "Traceback" not in exc.message
        return
    json.dumps(result)  # every result is a JSON tree
