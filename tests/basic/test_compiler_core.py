"""The compiler: caching by content hash, sandboxed generated code, hand-built ASTs."""

from __future__ import annotations

from basic import nodes as n
from basic.compiler import compile_program, compile_source
from basic.host import BufferHost
from basic.registry import registry
from basic.vm import start
from basic.vm.ops import NAMESPACE
from tests.basic.vm_support import compile_text


def test_compile_source_is_cached_by_content():
    one = compile_source('TALK "a"\n', "a.bas", registry)
    assert compile_source('TALK "a"\n', "a.bas", registry) is one
    assert compile_source('TALK "b"\n', "a.bas", registry) is not one


def test_generated_code_has_no_python_builtins():
    assert NAMESPACE["__builtins__"] == {}
    # The loop body is generated Python; the code around it runs as closures (no source at all).
    script = compile_text("x = 1\nSUB bump\n  x = x + 1\nEND SUB\nFOR i = 1 TO 3\n  x = x * 2\nNEXT\nTALK x")
    functions = [b for p in script.procedures.values() for b in p.blocks
                 if b.__code__.co_filename == script.code_filename]
    assert functions, "hot code is generated Python"
    for function in functions:
        assert function.__globals__["__builtins__"] == {}
        assert "open" not in function.__globals__ and "__import__" not in function.__globals__


def test_script_names_cannot_reach_python():
    # Identifiers are dictionary keys, never Python names.
    script = compile_text('__import__ = 1\nopen = "x"\nTALK open + __import__')
    host = BufferHost()
    assert start(script, host).status == "finished" and host.output == ["x1"]


def test_hand_built_ast_compiles_and_runs():
    lit = lambda v: n.Literal(1, 1, v)  # noqa: E731
    body = [
        n.Assign(1, 1, n.Name(1, 1, "s"), lit(0)),
        n.ForRange(2, 1, "i", lit(1), lit(4), lit(1), [
            n.Assign(3, 1, n.Name(3, 1, "s"), n.Binary(3, 5, "+", n.Name(3, 5, "s"), n.Name(3, 9, "i"))),
        ]),
        n.Command(4, 1, n.KeywordCall(4, 1, "TALK", {"message": n.Name(4, 6, "s")})),
    ]
    script = compile_program(n.Program(1, 1, "ast.bas", body, {}, [], None), registry)
    host = BufferHost()
    assert start(script, host).status == "finished" and host.output == ["10"]


def test_only_loop_bodies_and_procedures_become_python_source():
    script = compile_text('TALK "start"\nFOR i = 1 TO 3\n  x = x + i\nNEXT\nHEAR y\nTALK "done " + y')
    assert script.python_source.count("def ") == 1  # the loop body; the rest are closures
    assert "x" in script.python_source and "start" not in script.python_source
    assert "done" not in script.python_source


def test_keyword_phrase_callable_as_a_function_with_underscores():
    script = compile_text("x = CLEAR_ERROR()\nTALK \"ok\"")
    host = BufferHost()
    assert start(script, host).status == "finished" and host.output == ["ok"]
