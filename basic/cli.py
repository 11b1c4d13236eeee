"""Command-line entry points of the language: ``gb check`` and ``gb run``.

``manage.py gb`` wires these in; they only need the ``basic`` package.

``gb run`` runs one script as a one-user conversation on the console. Each TALK writes its
message and a newline to stdout; each HEAR reads the next line of stdin (a typed HEAR that does
not fit prints the hint and reads again); WAIT sleeps. Exit status: 0 when the script finished,
1 on a script error (``FILE:LINE:COL: message`` on stderr), 3 when it stopped waiting for
something the console cannot give (the end of stdin, an event, an approval), said on stderr.

``gb check`` parses every .bas under the given files and folders (.gbai packages included) and
prints ``FILE:LINE:COL: message`` for each problem; the exit status is 0 only if all parse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import basic.keywords  # noqa: F401  (registers the core keywords)
from basic.compiler import compile_source
from basic.errors import BasicError, BasicSyntaxError
from basic.host import Origin
from basic.journal import MemoryJournal
from basic.limits import Limits
from basic.nodes import Program
from basic.parser import parse
from basic.registry import KeywordRegistry
from basic.registry import registry as default_registry
from basic.vm import resume, start

EXIT_FINISHED = 0
EXIT_ERROR = 1
EXIT_WAITING = 3


class ConsoleHost:
    """A host that talks on text streams and finds ``<name>.bas`` beside the script or in the
    ``.gbdialog`` folders of the package (``*.gbai``) it belongs to."""

    def __init__(
        self, script_path: Path, stdout: TextIO, stderr: TextIO, registry: KeywordRegistry | None = None
    ) -> None:
        self.script_path = script_path
        self.stdout = stdout
        self.stderr = stderr
        self.registry = registry

    def talk(self, text: str, *, origin: Origin) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def talk_to(self, recipient: str, text: str, *, origin: Origin) -> None:
        self.stdout.write(f"[to {recipient}] {text}\n")
        self.stdout.flush()

    def print(self, text: str) -> None:
        self.stderr.write(text + "\n")

    def log(self, level: str, message: str) -> None:
        self.stderr.write(f"[{level.lower()}] {message}\n")

    def now(self):
        from datetime import datetime

        return datetime.now().astimezone()

    def search_folders(self) -> list[Path]:
        folders = [self.script_path.parent]
        for parent in self.script_path.parents:
            if parent.suffix.lower() == ".gbai":
                folders.extend(sorted(p for p in parent.rglob("*") if p.is_dir()
                                      and p.suffix.lower() == ".gbdialog"))
                break
        return folders

    def load_script(self, name: str) -> tuple[str, str]:
        wanted = f"{name.lower()}.bas"
        for folder in self.search_folders():
            for candidate in sorted(folder.glob("*")):
                if candidate.name.lower() == wanted and candidate.is_file():
                    return candidate.read_text(encoding="utf-8"), str(candidate)
        raise LookupError(name)


def run_file(path: str | Path, *, stdin: TextIO, stdout: TextIO, stderr: TextIO,
             registry: KeywordRegistry | None = None, limits: Limits | None = None) -> int:
    """Run ``path`` as a console conversation; returns the exit status (see above)."""

    registry = registry if registry is not None else default_registry
    script_path = Path(path)
    try:
        source = script_path.read_text(encoding="utf-8")
    except OSError as exc:
        stderr.write(f"{path}: cannot read the script ({exc.strerror or exc})\n")
        return EXIT_ERROR
    try:
        script = compile_source(source, str(path), registry)
    except BasicError as err:
        stderr.write(f"{err}\n")
        return EXIT_ERROR
    host = ConsoleHost(script_path, stdout, stderr, registry)
    journal = MemoryJournal()
    result = start(script, host, journal=journal, limits=limits)
    while True:
        if result.status == "finished":
            return EXIT_FINISHED
        if result.status == "failed":
            stderr.write(f"{result.error}\n")
            return EXIT_ERROR
        if result.status == "paused":
            result = resume(script, result.state, None, host, journal=journal, limits=limits)
            continue
        value: Any = None
        if result.waiting_for == "input":
            line = stdin.readline()
            if not line:
                variable = (result.detail or {}).get("variable", "")
                stderr.write(f"{path}: waiting for input (HEAR {variable}) at the end of stdin\n")
                return EXIT_WAITING
            value = line.rstrip("\r\n")
        elif result.waiting_for == "timer":
            time.sleep(max(0.0, float((result.detail or {}).get("seconds", 0))))
        else:
            stderr.write(f"{path}: waiting for {result.waiting_for} {result.detail or ''}\n".rstrip() + "\n")
            return EXIT_WAITING
        result = resume(script, result.state, value, host, journal=journal, limits=limits)




def bas_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The .bas files named by or found under ``paths`` (sorted), and the paths that do not exist."""
    found: list[Path] = []
    missing: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".bas"))
        elif path.is_file():
            found.append(path)
        else:
            missing.append(name)
    return found, missing


def check_paths(
    paths: list[str],
    out: TextIO,
    registry: KeywordRegistry | None = None,
    more: Callable[[Program, Path], list[str]] | None = None,
) -> int:
    """Parse every script; print one ``FILE:LINE:COL: message`` line per problem; 0 if none.
    ``more(program, path)`` finds what the parser cannot see in a script that parses (apps'
    checks), as ``FILE:LINE:COL: message`` lines."""

    files, missing = bas_files(paths)
    status = 0
    for name in missing:
        out.write(f"{name}:0:0: no such file or folder\n")
        status = 1
    for path in files:
        try:
            source = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            out.write(f"{path}:0:0: cannot read the script ({exc})\n")
            status = 1
            continue
        try:
            program = parse(source, file=str(path), registry=registry)
        except BasicSyntaxError as err:
            out.write(f"{err}\n")
            status = 1
            continue
        for line in more(program, path) if more is not None else ():
            out.write(f"{line}\n")
            status = 1
    return status
