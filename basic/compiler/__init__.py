"""The BASIC compiler: a parsed :class:`~basic.nodes.Program` to a :class:`CompiledScript`.

A compiled script is a table of block functions per procedure (generated Python for hot code,
closures for code that runs once, see :mod:`basic.compiler.codegen`) plus the tables the VM
needs: keyword call sites and the map from generated lines back to BASIC positions.
Compilation happens once per content hash: :func:`compile_source` caches on the SHA-256 of the
source and the registry's version.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from basic import nodes as n
from basic.compiler.lower import Lowerer, Site
from basic.registry import KeywordRegistry
from basic.registry import registry as default_registry

MAIN = ""  # the procedure name of a script's top-level statements


@dataclass(slots=True)
class CompiledProcedure:
    name: str
    kind: str  # "MAIN", "SUB" or "FUNCTION"
    params: list[str]
    blocks: list[Any]  # block number -> function(rt, v) -> next block or control code
    positions: list[tuple[int, int]]  # block number -> (line, column) where it starts


@dataclass(slots=True)
class CompiledScript:
    file: str
    hash: str
    procedures: dict[str, CompiledProcedure]
    sites: list[Site]
    params: list[n.Param]
    description: str | None
    python_source: str
    code_filename: str
    line_positions: list[tuple[int, int]] = field(repr=False, default_factory=list)

    def position_of_line(self, line: int) -> tuple[int, int]:
        if 0 < line < len(self.line_positions):
            return self.line_positions[line]
        return (0, 0)


def program_hash(program: n.Program) -> str:
    return hashlib.sha256(repr(program).encode()).hexdigest()


def compile_program(program: n.Program, registry: KeywordRegistry | None = None, *,
                    source_hash: str | None = None) -> CompiledScript:
    """Compile a parsed script. Raises :class:`~basic.errors.BasicSyntaxError` for mistakes
    found before running (unknown keyword or label, wrong argument count, misplaced EXIT)."""
    # Compiling makes many small objects and hardly any garbage cycles: as in the parser, the
    # cyclic collector would only re-scan the program's nodes over and over, so it waits.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compile_program(program, registry, source_hash)
    finally:
        if collecting:
            gc.enable()


def _compile_program(program: n.Program, registry: KeywordRegistry | None, source_hash: str | None
                     ) -> CompiledScript:
    # Imported here: the code generator's closures use the VM's helpers, which import us.
    from basic.compiler.codegen import ProcCodegen, ScriptCodegen
    from basic.vm.ops import NAMESPACE, end_block

    registry = registry if registry is not None else default_registry
    digest = source_hash or program_hash(program)
    lowerer = Lowerer(program, registry)
    lowered: dict[str, tuple[str, list[str], list]] = {MAIN: ("MAIN", [], lowerer.body(program.body))}
    for name, proc in program.procedures.items():
        lowered[name.lower()] = (proc.kind.upper(), [p.lower() for p in proc.params], lowerer.body(proc.body))
    done: set[str] = set()
    while len(done) < len(lowerer.extra_procedures):
        for name, proc in list(lowerer.extra_procedures.items()):
            if name not in done:
                done.add(name)
                lowered[name] = ("SUB", [], lowerer.body(proc.body))

    code_filename = f"<basic {program.file} {digest[:12]}>"
    script_code = ScriptCodegen(program.file)
    generated = []
    for index, (name, (kind, params, body)) in enumerate(lowered.items()):
        gen = ProcCodegen(script_code, index, name, body, is_function=kind == "FUNCTION", cold=kind == "MAIN")
        generated.append((name, kind, params, gen.generate(), gen.next_id))
    source = script_code.source()
    namespace = dict(NAMESPACE)
    namespace.update(script_code.builtin_globals)
    if script_code.lines:
        exec(compile(source, code_filename, "exec"), namespace)  # noqa: S102 - our own generated code

    procedures: dict[str, CompiledProcedure] = {}
    for name, kind, params, code, count in generated:
        blocks = [code.closures[i] if i in code.closures
                  else namespace[code.function_names[i]] if i in code.function_names else end_block
                  for i in range(count)]
        for head, (driver, body) in code.drivers.items():
            blocks[head] = driver(blocks[body])
        positions = [code.positions.get(i, (0, 0)) for i in range(count)]
        procedures[name] = CompiledProcedure(name, kind, params, blocks, positions)
    # The blocks hold the generated functions, which no generated code names: out of the
    # namespace they use as globals, they make no reference cycle with it, so a script dropped
    # from the cache is freed at once instead of waiting for the cyclic collector.
    for _, _, _, code, _ in generated:
        for function_name in code.function_names.values():
            del namespace[function_name]
    return CompiledScript(
        file=program.file, hash=digest, procedures=procedures, sites=lowerer.sites,
        params=program.params, description=program.description, python_source=source,
        code_filename=code_filename, line_positions=script_code.line_positions,
    )


_CACHE: OrderedDict[tuple, CompiledScript] = OrderedDict()
_CACHE_SIZE = 256
_LOCK = threading.Lock()


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def compile_source(source: str, file: str, registry: KeywordRegistry | None = None) -> CompiledScript:
    """Parse and compile, once per (source, file, registry version)."""
    from basic.parser import parse

    registry = registry if registry is not None else default_registry
    digest = source_hash(source)
    key = (digest, file, id(registry), registry.version)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    collecting = gc.isenabled()
    gc.disable()  # once for both stages (see compile_program)
    try:
        # No name for the parsed program: it is freed as soon as it is compiled, before the
        # collector runs again (which then has only the compiled script to look at).
        script = compile_program(parse(source, file=file, registry=registry), registry, source_hash=digest)
    finally:
        if collecting:
            gc.enable()
    with _LOCK:
        _CACHE[key] = script
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return script


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
