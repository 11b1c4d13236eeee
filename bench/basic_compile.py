"""Bench (b): parse + compile time of a generated, varied 1,000-line script (cold cache), beside
CPython's own compile() of comparable Python source in the same run. Goal: under 50 ms.
Also the same figures for a realistic package: every conformance script under
tests/basic/conformance that compiles, each compiled on its own (nothing is deferred: all the
Python a script needs is generated and compile()d up front).

Run: .venv/bin/python bench/basic_compile.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import basic.keywords  # noqa: E402,F401
from basic.compiler import clear_cache, compile_program, compile_source  # noqa: E402
from basic.parser import parse  # noqa: E402
from basic.registry import registry  # noqa: E402

CHUNK_BASIC = """x{n} = {n} * 2 + LEN("abc")
IF x{n} > 10 THEN
  TALK "big " + x{n}
ELSE
  y = UCASE("s{n}")
END IF
FOR i = 1 TO 3
  total = total + i * x{n}
NEXT
HEAR answer{n}
"""  # 10 lines

CHUNK_PYTHON = """x{n} = {n} * 2 + len("abc")
if x{n} > 10:
    talk("big " + str(x{n}))
else:
    y = "s{n}".upper()
for i in range(1, 4):
    total = total + i * x{n}
answer{n} = hear()
"""


def best_of(fns: dict, repeat: int = 15) -> dict:
    """The best time of each function over ``repeat`` rounds. The functions take turns within
    a round, so that a change in the machine's load hits the BASIC figures and their CPython
    baseline alike (measured one after the other, the ratio swung with the load)."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def main() -> None:
    basic_source = "".join(CHUNK_BASIC.format(n=n) for n in range(100))
    python_source = "".join(CHUNK_PYTHON.format(n=n) for n in range(100))
    lines = basic_source.count("\n")

    counter = iter(range(1_000_000))

    def basic_compile() -> None:
        clear_cache()
        # A different file name each time: nothing is reused between rounds.
        compile_source(basic_source + f"' round {next(counter)}\n", "bench_compile.bas")

    def python_compile() -> None:
        compile(python_source, "<bench>", "exec")

    program = parse(basic_source, file="p.bas", registry=registry)
    best = best_of({
        "basic": basic_compile,
        "parse": lambda: parse(basic_source, file="p.bas", registry=registry),
        "compile": lambda: compile_program(program, registry, source_hash="x"),
        "python": python_compile,
    })
    basic_time = best["basic"] * 1000 / lines * 1000
    parse_time = best["parse"] * 1000 / lines * 1000
    compile_time = best["compile"] * 1000 / lines * 1000
    python_time = best["python"] * 1000 / python_source.count("\n") * 1000
    print(f"BASIC parse+compile: {basic_time:.1f} ms per 1,000 lines (goal: under 50 ms)")
    print(f"  of which parse:    {parse_time:.1f} ms; compile to Python and compile(): {compile_time:.1f} ms")
    print(f"CPython compile():   {python_time:.1f} ms per 1,000 lines")
    print(f"ratio:               {basic_time / python_time:.1f}x")
    package()


def package() -> None:
    """Parse and compile shares over the conformance scripts, as a package of small scripts."""
    from basic.errors import BasicError

    folder = Path(__file__).resolve().parent.parent / "tests" / "basic" / "conformance"
    programs = []
    for path in sorted(folder.rglob("*.bas")):
        source = path.read_text(encoding="utf-8")
        try:
            program = parse(source, file=path.name, registry=registry)
            compile_program(program, registry, source_hash="x")
        except BasicError:
            continue  # scripts that test compile errors
        programs.append((source, path.name, program))
    if not programs:
        return
    lines = sum(source.count("\n") + 1 for source, _, _ in programs)

    def parse_all() -> None:
        for source, name, _ in programs:
            parse(source, file=name, registry=registry)

    def compile_all() -> None:
        for _, _, program in programs:
            compile_program(program, registry, source_hash="x")

    best = best_of({"parse": parse_all, "compile": compile_all}, repeat=5)
    parse_time = best["parse"] * 1000 / lines * 1000
    compile_time = best["compile"] * 1000 / lines * 1000
    print(f"package of {len(programs)} conformance scripts, {lines:,} lines:")
    print(f"  parse {parse_time:.1f} ms + compile {compile_time:.1f} ms per 1,000 lines "
          f"(compile share {compile_time / (parse_time + compile_time):.0%})")


if __name__ == "__main__":
    main()
