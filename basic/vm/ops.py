"""The helpers generated code calls: variable paths, member/index access, loop support.

Generated code runs with these names (plus the operators of :mod:`basic.values` and the
built-in functions it uses) as its only globals and no Python builtins, so a script can reach
nothing else. Every helper raises :class:`BasicRuntimeError` without a position; the VM adds
the position of the statement that was running.
"""

from __future__ import annotations

from typing import Any

from basic import values
from basic.builtins import BUILTINS
from basic.errors import BasicError, BasicRuntimeError

Value = Any


class Vars(dict):
    """A frame's variables: reading a name that was never set gives empty (None)."""

    __slots__ = ()

    def __missing__(self, key: str) -> None:
        return None


class ProcVars(dict):
    """A SUB/FUNCTION's variables: a name it has not set reads the script's main variables
    (read-only; assignments always create a local)."""

    __slots__ = ("outer",)

    def __init__(self, data: dict, outer: dict) -> None:
        super().__init__(data)
        self.outer = outer

    def __missing__(self, key: str) -> Value:
        return self.outer.get(key)


def cp(x: Value) -> Value:
    """Copy lists and maps so that no two variables share one (assignment is by value)."""
    cls = x.__class__
    if cls is list:
        return [cp(i) for i in x]
    if cls is dict:
        return {k: cp(i) for k, i in x.items()}
    return x


def pos(x: Value) -> Value:
    return values.to_number(x, what="a number after unary +")


def _key(name: str, obj: dict) -> str | None:
    if name in obj:
        return name
    lower = name.lower()
    for k in obj:
        if k.lower() == lower:
            return k
    return None


def mem(obj: Value, name: str) -> Value:
    """``obj.name``: map fields match exactly first, then ignoring case; missing gives empty."""
    if obj.__class__ is dict:
        if name in obj:
            return obj[name]
        key = _key(name, obj)
        return obj[key] if key is not None else None
    if obj is None:
        return None
    if isinstance(obj, list) and name in ("length", "count", "size"):
        return len(obj)
    raise BasicRuntimeError(f"cannot read field {name} of {values.kind_of(obj)}: {values.describe(obj)}")


def _list_index(lst: list, i: Value, *, for_write: bool = False) -> int:
    if isinstance(i, bool) or not values.is_numeric(i):
        raise BasicRuntimeError(f"a list index must be a number, got {values.describe(i)}")
    number = values.to_number(i)
    if isinstance(number, float):
        if not number.is_integer():
            raise BasicRuntimeError(f"a list index must be a whole number, got {values.describe(i)}")
        number = int(number)
    limit = len(lst) + (1 if for_write else 0)
    if not 0 <= number < limit:
        size = len(lst)
        raise BasicRuntimeError(
            f"index {number} is out of range for a list of {size} item{'s' if size != 1 else ''} "
            f"(indexes start at 0)"
        )
    return number


def idx(obj: Value, i: Value) -> Value:
    """``obj[i]``: list element (from 0), map entry, or character of a text."""
    cls = obj.__class__
    if cls is list:
        if i.__class__ is int and 0 <= i < len(obj):
            return obj[i]
        return obj[_list_index(obj, i)]
    if cls is dict:
        key = values.to_text(i)
        if key in obj:
            return obj[key]
        found = _key(key, obj)
        return obj[found] if found is not None else None
    if cls is str:
        return obj[_list_index(list(obj), i)]
    if obj is None:
        return None
    raise BasicRuntimeError(f"cannot index {values.kind_of(obj)}: {values.describe(obj)}")


def _child(container: Value, step: tuple[str, Value], *, create: bool, where: str) -> tuple[Value, Value]:
    """(container, key) for one step of a path, making maps for missing fields."""
    kind, key = step
    if kind == ".":
        if container.__class__ is not dict:
            raise BasicRuntimeError(f"cannot set field {key} of {values.kind_of(container)} {where}")
        found = _key(key, container)
        return container, (found if found is not None else key)
    if container.__class__ is list:
        return container, _list_index(container, key, for_write=create)
    if container.__class__ is dict:
        text = values.to_text(key)
        found = _key(text, container)
        return container, (found if found is not None else text)
    raise BasicRuntimeError(f"cannot set an element of {values.kind_of(container)} {where}")


def _get(container: Value, key: Value) -> Value:
    if isinstance(container, dict):  # a map, or a frame's variables
        return container.get(key)
    return container[key] if key < len(container) else None


def _put(container: Value, key: Value, value: Value) -> None:
    if container.__class__ is list and key == len(container):
        container.append(value)
    else:
        container[key] = value


def _walk(v: dict, base: str, steps: tuple) -> tuple[Value, Value]:
    """Container and key the last step of ``base.steps`` refers to, creating what is missing:
    a map for a field, a list for a numeric index."""
    container, key = v, base
    for step in steps:
        current = _get(container, key)
        if current is None:
            current = [] if step[0] == "[" and values.is_number(step[1]) else {}
            _put(container, key, current)
        container, key = _child(current, step, create=True, where=f"in {base}")
    return container, key


def set_path(v: dict, base: str, steps: tuple, value: Value) -> None:
    """``base.a[i].b = value``."""
    container, key = _walk(v, base, steps)
    _put(container, key, value)


def ensure_map(v: dict, base: str, steps: tuple) -> None:
    """WITH target: make it a map if it is empty."""
    container, key = _walk(v, base, steps)
    current = _get(container, key)
    if current is None:
        _put(container, key, {})
    elif current.__class__ is not dict:
        raise BasicRuntimeError(
            f"WITH needs a map, got {values.kind_of(current)}: {values.describe(current)}"
        )


def reference(v: dict, base: str, steps: tuple) -> Value:
    """The stored value at a path itself (not a copy), for changes in place."""
    container, key = _walk(v, base, steps)
    return _get(container, key)


_IN_PLACE = {"PUSH", "APPEND", "ADD", "POP", "SHIFT", "UNSHIFT", "PREPEND", "CLEAR"}


def change_list(target: list, method: str, args: list) -> Value:
    """Run an in-place list method (``PUSH``/``APPEND``/``ADD``, ``POP``, ``SHIFT``,
    ``UNSHIFT``/``PREPEND``, ``CLEAR``) and return its value."""
    if method in ("PUSH", "APPEND", "ADD"):
        target.extend(args)
        return len(target)
    if method in ("UNSHIFT", "PREPEND"):
        target[0:0] = args
        return len(target)
    if args:
        raise BasicRuntimeError(f"{method} takes no arguments, got {len(args)}")
    if method == "POP":
        return target.pop() if target else None
    if method == "SHIFT":
        return target.pop(0) if target else None
    target.clear()
    return None


def method_ref(rt: Any, v: dict, base: str, steps: tuple, method: str, args: list) -> Value:
    """``obj.METHOD(args)`` on a variable: list methods change it in place, the others are
    built-in functions called with the value as their first argument."""
    if method in _IN_PLACE:
        if v.get(base) is None and not steps:
            v[base] = []
        target = reference(v, base, steps)
        if target is None:
            target = []
            set_path(v, base, steps, target)
        if target.__class__ is list:
            return change_list(target, method, args)
    return method_value(rt, reference(v, base, steps) if steps else v[base], method, args)


def method_value(rt: Any, obj: Value, method: str, args: list) -> Value:
    if obj.__class__ is list and method in _IN_PLACE:
        return change_list(cp(obj), method, args)
    spec = BUILTINS.get(method)
    if spec is None:
        raise BasicRuntimeError(f"unknown method {method} for {values.kind_of(obj)}")
    count = len(args) + 1
    if not spec.accepts(count):
        raise BasicRuntimeError(
            f"{method} takes {spec.arity_text()}, got {count} with the value it is called on"
        )
    if spec.needs_context:
        return spec.func(rt, cp(obj), *args)
    return spec.func(cp(obj), *args)


def fornum(x: Value, what: str) -> int | float:
    """A FOR loop's start or end value, which must be a number."""
    if x.__class__ is int or x.__class__ is float:
        return x
    if values.is_numeric(x) and not isinstance(x, bool):
        return values.to_number(x)
    raise BasicRuntimeError(f"FOR needs a number as its {what} value, got {values.describe(x)}")


def forstep(x: Value) -> int | float:
    step = fornum(x, "STEP")
    if step == 0:
        raise BasicRuntimeError("FOR ... STEP 0 would never end: use a positive or negative step")
    return step


def for_done(i: Value, end: int | float, step: int | float) -> bool:
    """Whether a FOR loop is over (the loop variable passed its end value)."""
    if i.__class__ is not int and i.__class__ is not float:
        i = fornum(i, "loop variable's")
    return i > end if step > 0 else i < end


def eachlist(x: Value) -> list:
    """What FOR EACH walks: a list's items, a map's keys, a text's characters; empty: nothing."""
    if x is None:
        return []
    if x.__class__ is list:
        return cp(x)
    if x.__class__ is dict:
        return list(x)
    if x.__class__ is str:
        return list(x)
    raise BasicRuntimeError(f"FOR EACH needs a list, a map or a text, got {values.describe(x)}")


_COMPARE = {"=": values.eq, "<>": values.ne, "<": values.lt, "<=": values.le, ">": values.gt, ">=": values.ge}


def case_compare(op: str, subject: Value, value: Value) -> bool:
    """``CASE IS > x`` and ``CASE a TO b``: values without an order simply do not match."""
    try:
        return _COMPARE[op](subject, value)
    except BasicRuntimeError:
        return False


def end_block(rt: Any, v: dict) -> int:
    """Stands in for a block number no code jumps to."""
    return -1


def python_error_message(exc: BaseException) -> str:
    """An author-facing message for a Python error raised while running generated code."""
    if isinstance(exc, BasicError):
        return exc.message
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, RecursionError):
        return "the expression or value is nested too deeply"
    if isinstance(exc, OverflowError):
        return "a number is too large"
    if isinstance(exc, MemoryError):
        return "the script used too much memory"
    if isinstance(exc, (TypeError, ValueError)):
        return f"a value has the wrong type or form here ({exc})"
    return f"the statement failed ({type(exc).__name__}: {exc})"


NAMESPACE: dict[str, Any] = {
    "__builtins__": {},
    "len": len,
    "_PLAIN": (int, str, float),
    "int": int,
    "Exception": Exception,
    "float": float,
    "cp": cp, "pos": pos, "mem": mem, "idx": idx, "set_path": set_path, "ensure_map": ensure_map,
    "method_ref": method_ref, "method_value": method_value, "fornum": fornum, "forstep": forstep,
    "for_done": for_done, "eachlist": eachlist, "case_compare": case_compare,
    "add": values.add, "sub": values.sub, "mul": values.mul, "div": values.div, "idiv": values.idiv,
    "mod": values.mod, "power": values.power, "neg": values.neg, "concat": values.concat,
    "eq": values.eq, "ne": values.ne, "lt": values.lt, "le": values.le, "gt": values.gt, "ge": values.ge,
    "like": values.like, "contains": values.contains, "truthy": values.truthy, "to_text": values.to_text,
}
"""The globals every generated module starts from."""
