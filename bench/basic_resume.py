"""Bench (c): suspend and resume through JSON of a run whose state holds 100 variables, beside
a bare json.dumps/json.loads of the same variables in the same run. Goal: under 1 ms.

Run: .venv/bin/python bench/basic_resume.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import basic.keywords  # noqa: E402,F401
from basic.compiler import compile_source  # noqa: E402
from basic.host import BufferHost  # noqa: E402
from basic.journal import MemoryJournal  # noqa: E402
from basic.vm import resume, start  # noqa: E402

ROUNDS = 2_000


def main() -> None:
    lines = [f'v{i} = "value number {i}"' if i % 3 else f"v{i} = [{i}, {i + 1}, #{{k: {i}}}]"
             for i in range(100)]
    source = "\n".join(lines) + "\nDO\n  HEAR answer\nLOOP\n"
    script = compile_source(source, "bench_resume.bas")
    host, journal = BufferHost(), MemoryJournal()
    result = start(script, host, journal=journal)
    assert result.status == "waiting" and len(result.state["frames"][0]["vars"]) >= 100
    text = result.state_json

    t = time.perf_counter()
    for _ in range(ROUNDS):
        result = resume(script, json.loads(text), "hi", host, journal=journal)
        text = result.state_json
    vm_time = (time.perf_counter() - t) / ROUNDS

    variables = result.state["frames"][0]["vars"]
    t = time.perf_counter()
    for _ in range(ROUNDS):
        variables = json.loads(json.dumps(variables))
    bare_time = (time.perf_counter() - t) / ROUNDS

    print(f"state: {len(text):,} bytes of JSON, {len(variables)} variables")
    print(f"VM resume + run to next wait + save, through JSON: {vm_time * 1e6:.0f} us (goal: under 1 ms)")
    print(f"bare json.dumps + json.loads of the variables:     {bare_time * 1e6:.0f} us")
    print(f"ratio: {vm_time / bare_time:.1f}x")


if __name__ == "__main__":
    main()
