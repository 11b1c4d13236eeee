"""The table of built-in functions and the decorator the family modules register with.

A built-in is a plain Python function over JSON values. The VM calls it through
:func:`call_builtin`, which checks the argument count and turns every failure into a
:class:`~basic.errors.BasicRuntimeError` the author can read.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from basic.errors import BasicError, BasicRuntimeError

CATEGORIES = (
    "Text",
    "Date and time",
    "Math",
    "Aggregates",
    "Arrays",
    "Types and nulls",
    "Errors and logging",
    "Other",
)


class BuiltinContext(Protocol):
    """What a built-in that ``needs_context`` may ask of the running script."""

    def log(self, level: str, message: str) -> None: ...

    @property
    def last_error(self) -> dict[str, Any] | None: ...

    def now(self) -> Any: ...  # a timezone-aware datetime


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    aliases: tuple[str, ...]
    func: Callable[..., Any]
    min_args: int
    max_args: int | None
    needs_context: bool
    signature: str
    summary: str
    example: str
    category: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def parameters(self) -> str:
        """The parameter list of the signature, e.g. ``"text, count"``."""
        start, end = self.signature.find("("), self.signature.rfind(")")
        return self.signature[start + 1 : end] if 0 <= start < end else ""

    def accepts(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def arity_text(self) -> str:
        if self.max_args is None:
            n = self.min_args
            return f"at least {n} argument{'s' if n != 1 else ''}"
        if self.min_args == self.max_args:
            n = self.min_args
            return f"{n} argument{'s' if n != 1 else ''}"
        return f"{self.min_args} to {self.max_args} arguments"


BUILTINS: dict[str, Builtin] = {}


def builtin(
    name: str,
    *,
    aliases: tuple[str, ...] = (),
    min_args: int,
    max_args: int | None,
    signature: str,
    summary: str,
    example: str,
    category: str,
    needs_context: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function under ``name`` and every alias (upper case)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown built-in category {category!r}")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        spec = Builtin(
            name=name.upper(),
            aliases=tuple(a.upper() for a in aliases),
            func=func,
            min_args=min_args,
            max_args=max_args,
            needs_context=needs_context,
            signature=signature,
            summary=summary,
            example=example,
            category=category,
        )
        for key in spec.names:
            if key in BUILTINS and BUILTINS[key].func is not func:
                raise ValueError(f"built-in {key} is registered twice")
            BUILTINS[key] = spec
        return func

    return register


def unknown_function_message(name: str) -> str:
    upper = name.upper()
    close = difflib.get_close_matches(upper, list(BUILTINS), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown function {name}{hint}"


def call_builtin(name: str, args: list[Any] | tuple[Any, ...], ctx: BuiltinContext | None) -> Any:
    """Call a built-in by name (any case) with evaluated arguments."""
    spec = BUILTINS.get(name.upper())
    if spec is None:
        raise BasicRuntimeError(unknown_function_message(name))
    if not spec.accepts(len(args)):
        params = f" ({spec.parameters})" if spec.parameters else ""
        raise BasicRuntimeError(
            f"{name.upper()} takes {spec.arity_text()}{params}, got {len(args)}"
        )
    try:
        if spec.needs_context:
            return spec.func(ctx, *args)
        return spec.func(*args)
    except BasicError:
        raise
    except RecursionError:
        raise BasicRuntimeError(f"{name.upper()}: the value is nested too deeply") from None
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, KeyError, IndexError) as exc:
        # A gap in a function's own argument checks must still reach the author as a clear error.
        raise BasicRuntimeError(f"{name.upper()} could not use its arguments ({exc})") from None
