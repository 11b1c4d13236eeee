"""Bench (a): statements per second of a loop-heavy BASIC script vs the same algorithm in
plain CPython, measured in the same run. Goal: within 20x of CPython.

Run: .venv/bin/python bench/basic_loop.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import basic.keywords  # noqa: E402,F401
from basic.compiler import compile_source  # noqa: E402
from basic.host import BufferHost  # noqa: E402
from basic.vm import start  # noqa: E402

N = 300_000
SOURCE = f"""
total = 0
evens = 0
FOR i = 1 TO {N}
  IF i MOD 3 = 0 THEN
    total = total + i * 2
  ELSE
    total = total - 1
  END IF
  j = 0
  DO WHILE j < 2
    j = j + 1
    evens = evens + j
  LOOP
NEXT
TALK total + evens
"""
# Statements executed per outer iteration: IF test + 1 branch + j=0 + 2x(test, 2 assignments)
# + final test + NEXT, about 11.
STATEMENTS_PER_ITERATION = 11


def python_version() -> int:
    total = 0
    evens = 0
    i = 1
    while i <= N:
        if i % 3 == 0:
            total = total + i * 2
        else:
            total = total - 1
        j = 0
        while j < 2:
            j = j + 1
            evens = evens + j
        i += 1
    return total + evens


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    script = compile_source(SOURCE, "bench_loop.bas")
    hosts: list[BufferHost] = []

    def basic_run() -> None:
        host = BufferHost()
        result = start(script, host)
        assert result.status == "finished", result.error
        hosts.append(host)

    basic_time = best_of(basic_run)
    python_time = best_of(python_version)
    assert hosts[-1].output == [str(python_version())]
    statements = N * STATEMENTS_PER_ITERATION
    print(f"BASIC:   {statements / basic_time:,.0f} statements/s ({basic_time * 1000:.0f} ms)")
    print(f"CPython: {statements / python_time:,.0f} statements/s ({python_time * 1000:.0f} ms)")
    print(f"ratio:   {basic_time / python_time:.1f}x slower than CPython (goal: within 20x)")


if __name__ == "__main__":
    main()
