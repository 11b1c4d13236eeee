"""Drivers of native loops: the loop machinery, compiled once with this module.

A loop whose body cannot suspend runs as one block: a driver made here calls the body, a
generated Python function with inlined fast paths (see :mod:`basic.compiler.codegen`), once per
iteration. The driver owns what every loop repeats: the FOR/FOR EACH test and step, and the
budget that lets the VM preempt a loop between iterations. Keeping that here rather than in each
generated loop makes a script's generated source several times smaller, and CPython's compile()
of it is most of what compiling a script costs; the price is one call per iteration.

The body returns None to go on, :data:`BREAK` for EXIT of this loop or a failed WHILE/UNTIL test,
or a block number (or control code) to leave the loop for. All loop state lives in variables
(the loop variable and hidden ``#e``/``#p``/``#l``/``#i`` entries), so when the budget runs out
the driver returns its own block and re-entering it continues exactly where it stopped.

A driver's parameters are bound as default arguments of the function it returns rather than
captured: fewer objects per loop, and locals are the fastest names to read per iteration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from basic import values
from basic.vm import ops

BREAK = -99  # the body left the loop (EXIT, or its WHILE/UNTIL test said stop)

Body = Callable[[Any, dict], "int | None"]
Block = Callable[[Any, dict], int]


def for_driver(body: Body, head: int, after: int, var: str, end_name: str, step_name: str) -> Block:
    """``FOR var = ... TO end STEP step``: set-up already stored the start, end and step."""

    def run(rt: Any, v: dict, body: Body = body, head: int = head, after: int = after, var: str = var,
            end_name: str = end_name, step_name: str = step_name, add: Any = values.add,
            for_done: Any = ops.for_done) -> int:
        n = rt.budget
        end, step = v[end_name], v[step_name]
        up = step > 0
        while True:
            i = v[var]
            if (i > end if up else i < end) if i.__class__ is int else for_done(i, end, step):
                break
            r = body(rt, v)
            if r is not None:
                if r == BREAK:
                    break
                rt.budget = n
                return r
            i = v[var]
            v[var] = i + step if i.__class__ is step.__class__ is int else add(i, step)
            n -= 1
            if n <= 0:
                rt.budget = n
                return head
        rt.budget = n
        return after

    return run


def each_driver(body: Body, head: int, after: int, var: str, items_name: str, index_name: str) -> Block:
    """``FOR EACH var IN list``: set-up stored a copy of the items and the position 0."""

    def run(rt: Any, v: dict, body: Body = body, head: int = head, after: int = after, var: str = var,
            items_name: str = items_name, index_name: str = index_name, cp: Any = ops.cp) -> int:
        n = rt.budget
        while True:
            k, items = v[index_name], v[items_name]
            if k >= len(items):
                break
            v[var] = cp(items[k])
            v[index_name] = k + 1
            r = body(rt, v)
            if r is not None:
                if r == BREAK:
                    break
                rt.budget = n
                return r
            n -= 1
            if n <= 0:
                rt.budget = n
                return head
        rt.budget = n
        return after

    return run


def while_driver(body: Body, head: int, after: int) -> Block:
    """WHILE and DO loops: their test is part of the body (first or last), returning BREAK."""

    def run(rt: Any, v: dict, body: Body = body, head: int = head, after: int = after) -> int:
        n = rt.budget
        while True:
            r = body(rt, v)
            if r is not None:
                if r == BREAK:
                    break
                rt.budget = n
                return r
            n -= 1
            if n <= 0:
                rt.budget = n
                return head
        rt.budget = n
        return after

    return run
