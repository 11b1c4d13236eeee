"""What ``gb check`` runs over each script that parses: the grammar first, then script checkers.

The grammar only knows the language; an app that gives keywords a meaning (workflows, say) can
find mistakes the parser cannot see, before anything runs. It registers a checker factory in
its ``AppConfig.ready``::

    register_script_checker(WorkflowChecker)

A factory is called once per ``gb check`` run and returns a checker,
``checker(program, path) -> list[ScriptProblem]``; what the checker learns once per run (the
known bots, say) lives in the object the factory returned, so the next run sees fresh data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from basic.cli import check_paths
from basic.nodes import Program


@dataclass(frozen=True, slots=True)
class ScriptProblem:
    """A mistake at a position of a script; prints as ``FILE:LINE:COL: message``."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


ScriptChecker = Callable[[Program, Path], list[ScriptProblem]]
CheckerFactory = Callable[[], ScriptChecker]

_factories: list[CheckerFactory] = []


def register_script_checker(factory: CheckerFactory) -> None:
    """Have every ``gb check`` run the checker ``factory()`` makes (registering twice is harmless)."""
    if factory not in _factories:
        _factories.append(factory)


def script_checkers() -> list[ScriptChecker]:
    """A fresh checker of each registered factory, for one ``gb check`` run."""
    return [factory() for factory in _factories]


def check_scripts(paths: list[str], out: TextIO, checkers: list[ScriptChecker] | None = None) -> int:
    """Parse every script under ``paths``, run the checkers over each that parses, and print one
    ``FILE:LINE:COL: message`` line per problem (a script's in order of position); 0 if none."""
    checkers = script_checkers() if checkers is None else checkers

    def problems(program: Program, path: Path) -> list[str]:
        found = [problem for checker in checkers for problem in checker(program, path)]
        return [str(problem) for problem in sorted(found, key=lambda p: (p.line, p.column))]

    return check_paths(paths, out, more=problems)
