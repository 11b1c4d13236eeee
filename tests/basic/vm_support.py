"""Helpers for the compiler and VM tests: run BASIC source through the real parser, compiler
and VM with a :class:`~basic.host.BufferHost`, answering HEARs from a list."""

from __future__ import annotations

import json
from typing import Any

import basic.keywords  # noqa: F401  (registers the core keywords)
from basic.compiler import compile_source
from basic.host import BufferHost
from basic.journal import MemoryJournal
from basic.limits import Limits
from basic.registry import registry
from basic.vm import RunResult, resume, start


def compile_text(source: str, file: str = "test.bas"):
    return compile_source(source.strip("\n") + "\n", file, registry)


def run(source: str, answers: list[Any] | None = None, *, file: str = "test.bas",
        limits: Limits | None = None, host: BufferHost | None = None,
        inputs: dict | None = None) -> tuple[RunResult, BufferHost]:
    """Run to the end (or to a failure, or to a wait with no answers left); every resume goes
    through a JSON round trip of the state, as in production."""
    script = compile_text(source, file)
    host = host or BufferHost()
    journal = MemoryJournal()
    pending = list(answers or [])
    result = start(script, host, inputs, journal=journal, limits=limits)
    while result.status in ("waiting", "paused"):
        if result.status == "waiting":
            if result.waiting_for == "input" and not pending:
                break
            value = pending.pop(0) if result.waiting_for == "input" else None
        else:
            value = None
        result = resume(script, json.loads(result.state_json), value, host, journal=journal, limits=limits)
    return result, host


def output(source: str, answers: list[Any] | None = None, **kw: Any) -> list[str]:
    """What the script TALKed; fails the test if the script failed."""
    result, host = run(source, answers, **kw)
    assert result.status != "failed", str(result.error)
    return host.output


def error(source: str, answers: list[Any] | None = None, **kw: Any) -> str:
    """The ``FILE:LINE:COL: message`` of a script that must fail at run time."""
    result, _ = run(source, answers, **kw)
    assert result.status == "failed", f"expected a failure, got {result.status}"
    return str(result.error)
