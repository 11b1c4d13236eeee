"""List (array) functions. Every one returns a new list and leaves its arguments unchanged.

Positions given to INDEX_OF, SLICE... are 0-based, as list indexes are (``list[0]``); UBOUND is the
number of items (DIALECT.md §5), so ``FOR i = 0 TO UBOUND(list) - 1`` visits every item.
The statement forms ``PUSH list, x`` and the method form ``list.PUSH(x)`` that change a list in
place belong to the VM, not to these functions.
"""

from __future__ import annotations

import json
from typing import Any

from basic.builtins.args import check_size, fail, int_arg, list_arg, text_arg
from basic.builtins.registry import builtin
from basic.errors import BasicRuntimeError
from basic.values import contains, deep_copy, eq, is_number, plain_json, to_text

L = "Arrays"


@builtin(
    "UBOUND",
    min_args=1,
    max_args=1,
    signature="UBOUND(list)",
    summary="The number of items in a list (as the templates use it: DO WHILE i < UBOUND(list)).",
    example="UBOUND([10, 20, 30]) → 3",
    category=L,
)
def ubound(v: Any) -> int:
    return len(list_arg("UBOUND", v))


@builtin(
    "LBOUND",
    min_args=1,
    max_args=1,
    signature="LBOUND(list)",
    summary="The first index of a list, always 0.",
    example="LBOUND([10, 20]) → 0",
    category=L,
)
def lbound(v: Any) -> int:
    list_arg("LBOUND", v)
    return 0


@builtin(
    "SIZE",
    min_args=1,
    max_args=1,
    signature="SIZE(list)",
    summary="The number of items in a list (keys of a map, characters of a text); empty is 0.",
    example="SIZE([1, 2]) → 2",
    category=L,
)
def size(v: Any) -> int:
    if v is None:
        return 0
    if isinstance(v, list | dict | str):
        return len(v)
    raise fail("SIZE", "a list, a map or a text", v)


@builtin(
    "PUSH",
    aliases=("ARRAY_PUSH", "APPEND"),
    min_args=2,
    max_args=None,
    signature="PUSH(list, item)",
    summary="A new list: the list with the item (or items) added at the end.",
    example="PUSH([1, 2], 3) → [1, 2, 3]",
    category=L,
)
def push(items: Any, *values: Any) -> list[Any]:
    base = list_arg("PUSH", items)
    check_size("PUSH", len(base) + len(values))
    return deep_copy(base) + [deep_copy(v) for v in values]


@builtin(
    "POP",
    aliases=("ARRAY_POP",),
    min_args=1,
    max_args=1,
    signature="POP(list)",
    summary="The last item of a list (empty if none); the list itself is not changed.",
    example="POP([1, 2, 3]) → 3",
    category=L,
)
def pop(items: Any) -> Any:
    values = list_arg("POP", items)
    return deep_copy(values[-1]) if values else None


@builtin(
    "SHIFT",
    aliases=("ARRAY_SHIFT",),
    min_args=1,
    max_args=1,
    signature="SHIFT(list)",
    summary="The first item of a list (empty if none); the list itself is not changed.",
    example="SHIFT([1, 2, 3]) → 1",
    category=L,
)
def shift(items: Any) -> Any:
    values = list_arg("SHIFT", items)
    return deep_copy(values[0]) if values else None


@builtin(
    "UNSHIFT",
    aliases=("PREPEND",),
    min_args=2,
    max_args=None,
    signature="UNSHIFT(list, item)",
    summary="A new list: the item (or items, in order) followed by the list.",
    example="UNSHIFT([2, 3], 1) → [1, 2, 3]",
    category=L,
)
def unshift(items: Any, *values: Any) -> list[Any]:
    base = list_arg("UNSHIFT", items)
    check_size("UNSHIFT", len(base) + len(values))
    return [deep_copy(v) for v in values] + deep_copy(base)


@builtin(
    "SLICE",
    aliases=("SUBARRAY", "MID_ARRAY"),
    min_args=2,
    max_args=3,
    signature="SLICE(list, start, end)",
    summary=(
        "The items from 0-based start up to, not including, end (to the end if omitted); negative "
        "positions count from the end. Works on text too."
    ),
    example="SLICE([1, 2, 3, 4, 5], 1, 3) → [2, 3]",
    category=L,
)
def slice_(items: Any, start: Any, end: Any = None) -> Any:
    s = int_arg("SLICE", start, "a start position")
    e = None if end is None else int_arg("SLICE", end, "an end position")
    if isinstance(items, str):
        return items[s:e]
    return deep_copy(list_arg("SLICE", items, "a list or a text")[s:e])


def sort_key(v: Any) -> tuple[int, Any]:
    """A total order over mixed values: empty, booleans, numbers, texts, then lists and maps."""
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (1, int(v))
    if is_number(v):
        return (2, v)
    if isinstance(v, str):
        return (3, v)
    return (4, json.dumps(plain_json(v), sort_keys=True, ensure_ascii=False))


def _sorted(fn: str, items: Any, a: Any, b: Any, descending: bool) -> list[Any]:
    values = list_arg(fn, items)
    field = None
    for option in (a, b):
        if option is None:
            continue
        word = text_arg(fn, option, 'a field name, "asc" or "desc"')
        if word.strip().lower() in ("asc", "desc"):
            descending = word.strip().lower() == "desc"
        else:
            field = word
    if field is not None:
        for v in values:
            if not isinstance(v, dict):
                raise fail(fn, f'a list of maps to sort by "{field}"', v)
        result = sorted(values, key=lambda m: sort_key(m.get(field)), reverse=descending)
    else:
        result = sorted(values, key=sort_key, reverse=descending)
    return deep_copy(result)


@builtin(
    "SORT",
    aliases=("SORT_ASC",),
    min_args=1,
    max_args=3,
    signature='SORT(list, field, "asc|desc")',
    summary=(
        "A new list in ascending order (numbers by value, texts alphabetically, case-sensitive); "
        'optionally by a field of maps and/or "desc".'
    ),
    example='SORT([3, 1, 2]) → [1, 2, 3]',
    category=L,
)
def sort(items: Any, a: Any = None, b: Any = None) -> list[Any]:
    return _sorted("SORT", items, a, b, False)


@builtin(
    "SORT_DESC",
    min_args=1,
    max_args=2,
    signature="SORT_DESC(list, field)",
    summary="A new list in descending order, optionally by a field of maps.",
    example="SORT_DESC([3, 1, 2]) → [3, 2, 1]",
    category=L,
)
def sort_desc(items: Any, a: Any = None) -> list[Any]:
    return _sorted("SORT_DESC", items, a, None, True)


def _identity(v: Any) -> str:
    return json.dumps(plain_json(v), sort_keys=True, ensure_ascii=False)


@builtin(
    "UNIQUE",
    aliases=("DISTINCT",),
    min_args=1,
    max_args=1,
    signature="UNIQUE(list)",
    summary="A new list without repeated items, keeping the first of each (1 and 1.0 are the same item).",
    example="UNIQUE([1, 2, 1, 3]) → [1, 2, 3]",
    category=L,
)
def unique(items: Any) -> list[Any]:
    seen: set[str] = set()
    result = []
    for v in list_arg("UNIQUE", items):
        key = _identity(v)
        if key not in seen:
            seen.add(key)
            result.append(deep_copy(v))
    return result


@builtin(
    "CONTAINS",
    aliases=("INCLUDES", "IN_ARRAY", "HAS"),
    min_args=2,
    max_args=2,
    signature="CONTAINS(list, item)",
    summary=(
        "True if the list holds the item (compared with =), the text holds the piece, or the map has "
        "the key; IN_ARRAY(item, list) with the list second works too."
    ),
    example='CONTAINS(["a", "b"], "b") → true',
    category=L,
)
def contains_(container: Any, item: Any) -> bool:
    if not isinstance(container, list) and isinstance(item, list):
        container, item = item, container
    if container is not None and not isinstance(container, list | dict | str):
        raise fail("CONTAINS", "a list, a text or a map", container)
    return contains(container, item)


def _find(fn: str, items: Any, item: Any, reverse: bool) -> int:
    if isinstance(items, str):
        piece = text_arg(fn, item, "a text to find")
        return items.rfind(piece) if reverse else items.find(piece)
    values = list_arg(fn, items, "a list or a text")
    positions = range(len(values) - 1, -1, -1) if reverse else range(len(values))
    for i in positions:
        if eq(values[i], item):
            return i
    return -1


@builtin(
    "INDEX_OF",
    min_args=2,
    max_args=2,
    signature="INDEX_OF(list, item)",
    summary="The 0-based position of the first item equal to item (or of a piece in a text), -1 if absent.",
    example='INDEX_OF(["a", "b", "c"], "b") → 1',
    category=L,
)
def index_of(items: Any, item: Any) -> int:
    return _find("INDEX_OF", items, item, False)


@builtin(
    "LAST_INDEX_OF",
    min_args=2,
    max_args=2,
    signature="LAST_INDEX_OF(list, item)",
    summary="The 0-based position of the last item equal to item (or of a piece in a text), -1 if absent.",
    example="LAST_INDEX_OF([1, 2, 1], 1) → 2",
    category=L,
)
def last_index_of(items: Any, item: Any) -> int:
    return _find("LAST_INDEX_OF", items, item, True)


@builtin(
    "REVERSE",
    min_args=1,
    max_args=1,
    signature="REVERSE(list)",
    summary="A new list in reverse order; a text reversed.",
    example="REVERSE([1, 2, 3]) → [3, 2, 1]",
    category=L,
)
def reverse(items: Any) -> Any:
    if isinstance(items, str):
        return items[::-1]
    return deep_copy(list_arg("REVERSE", items, "a list or a text")[::-1])


@builtin(
    "CONCAT",
    min_args=1,
    max_args=None,
    signature="CONCAT(a, b)",
    summary="Lists joined into one new list; if any argument is not a list, their texts joined as one text.",
    example="CONCAT([1, 2], [3]) → [1, 2, 3]",
    category=L,
)
def concat_(*parts: Any) -> Any:
    if all(isinstance(p, list) or p is None for p in parts):
        result: list[Any] = []
        for p in parts:
            result.extend(deep_copy(p or []))
            check_size("CONCAT", len(result))
        return result
    return "".join(to_text(p) for p in parts)


@builtin(
    "FLATTEN",
    min_args=1,
    max_args=1,
    signature="FLATTEN(list)",
    summary="A new list with the items of inner lists spread out, one level deep.",
    example="FLATTEN([[1, 2], 3, [4]]) → [1, 2, 3, 4]",
    category=L,
)
def flatten(items: Any) -> list[Any]:
    result: list[Any] = []
    for v in list_arg("FLATTEN", items):
        if isinstance(v, list):
            result.extend(deep_copy(v))
        else:
            result.append(deep_copy(v))
    return result


@builtin(
    "RANGE",
    min_args=1,
    max_args=3,
    signature="RANGE(start, end, step)",
    summary=(
        "The whole numbers from start to end inclusive, by step (1 by default, may be negative); "
        "RANGE(n) is 1 to n."
    ),
    example="RANGE(1, 5) → [1, 2, 3, 4, 5]",
    category=L,
)
def range_(a: Any, b: Any = None, c: Any = None) -> list[int]:
    if b is None:
        start, end = 1, int_arg("RANGE", a, "a whole number")
    else:
        start, end = int_arg("RANGE", a, "a whole start"), int_arg("RANGE", b, "a whole end")
    step = 1 if c is None else int_arg("RANGE", c, "a whole step")
    if step == 0:
        raise BasicRuntimeError("RANGE expects a step other than 0, got 0")
    numbers = range(start, end + (1 if step > 0 else -1), step)
    check_size("RANGE", len(numbers))
    return list(numbers)


def _count(fn: str, n: Any) -> int:
    return int_arg(fn, n, "a number of items", minimum=0)


@builtin(
    "HEAD",
    min_args=1,
    max_args=2,
    signature="HEAD(list, count)",
    summary="The first count items as a new list; HEAD(list) alone is the first item (empty if none).",
    example="HEAD([1, 2, 3], 2) → [1, 2]",
    category=L,
)
def head(items: Any, n: Any = None) -> Any:
    values = list_arg("HEAD", items)
    if n is None:
        return deep_copy(values[0]) if values else None
    return deep_copy(values[: _count("HEAD", n)])


@builtin(
    "TAIL",
    min_args=1,
    max_args=2,
    signature="TAIL(list, count)",
    summary="The last count items as a new list; TAIL(list) alone is every item but the first.",
    example="TAIL([1, 2, 3], 2) → [2, 3]",
    category=L,
)
def tail(items: Any, n: Any = None) -> list[Any]:
    values = list_arg("TAIL", items)
    if n is None:
        return deep_copy(values[1:])
    k = _count("TAIL", n)
    return deep_copy(values[len(values) - k :] if k else [])


@builtin(
    "INIT",
    min_args=1,
    max_args=2,
    signature="INIT(list, count)",
    summary="Every item but the last count (1 by default), as a new list.",
    example="INIT([1, 2, 3]) → [1, 2]",
    category=L,
)
def init(items: Any, n: Any = 1) -> list[Any]:
    values = list_arg("INIT", items)
    k = _count("INIT", n)
    return deep_copy(values[: max(0, len(values) - k)])


@builtin(
    "TAKE",
    min_args=2,
    max_args=2,
    signature="TAKE(list, count)",
    summary="The first count items, as a new list.",
    example="TAKE([1, 2, 3], 2) → [1, 2]",
    category=L,
)
def take(items: Any, n: Any) -> list[Any]:
    return deep_copy(list_arg("TAKE", items)[: _count("TAKE", n)])


@builtin(
    "DROP",
    min_args=2,
    max_args=2,
    signature="DROP(list, count)",
    summary="Every item after the first count, as a new list.",
    example="DROP([1, 2, 3], 1) → [2, 3]",
    category=L,
)
def drop(items: Any, n: Any) -> list[Any]:
    return deep_copy(list_arg("DROP", items)[_count("DROP", n) :])


@builtin(
    "CHUNK",
    aliases=("BATCH",),
    min_args=2,
    max_args=2,
    signature="CHUNK(list, size)",
    summary="The list cut into lists of size items (the last may be shorter).",
    example="CHUNK([1, 2, 3, 4, 5], 2) → [[1, 2], [3, 4], [5]]",
    category=L,
)
def chunk(items: Any, size_: Any) -> list[list[Any]]:
    values = list_arg("CHUNK", items)
    k = int_arg("CHUNK", size_, "a chunk size", minimum=1)
    return [deep_copy(values[i : i + k]) for i in range(0, len(values), k)]


@builtin(
    "FILL",
    min_args=2,
    max_args=2,
    signature="FILL(value, count)",
    summary="A new list of count copies of value.",
    example='FILL("x", 3) → ["x", "x", "x"]',
    category=L,
)
def fill(value: Any, n: Any) -> list[Any]:
    k = _count("FILL", n)
    check_size("FILL", k)
    return [deep_copy(value) for _ in range(k)]


@builtin(
    "FIRST_ELEM",
    min_args=1,
    max_args=1,
    signature="FIRST_ELEM(list)",
    summary="The first item of a list, empty if the list is empty.",
    example="FIRST_ELEM([7, 8]) → 7",
    category=L,
)
def first_elem(items: Any) -> Any:
    values = list_arg("FIRST_ELEM", items)
    return deep_copy(values[0]) if values else None


@builtin(
    "LAST_ELEM",
    min_args=1,
    max_args=1,
    signature="LAST_ELEM(list)",
    summary="The last item of a list, empty if the list is empty.",
    example="LAST_ELEM([7, 8]) → 8",
    category=L,
)
def last_elem(items: Any) -> Any:
    values = list_arg("LAST_ELEM", items)
    return deep_copy(values[-1]) if values else None


@builtin(
    "EMPTY_ARRAY",
    min_args=0,
    max_args=0,
    signature="EMPTY_ARRAY()",
    summary="A new empty list.",
    example="EMPTY_ARRAY() → []",
    category=L,
)
def empty_array() -> list[Any]:
    return []
