"""Running compiled BASIC: :func:`start` a run, :func:`resume` it from its saved state.

A run ends "finished" (with ``result``, the value of a top-level RETURN), "waiting" (a keyword
suspended it: ``waiting_for`` and ``detail`` say for what; resume with the value that came),
"paused" (preempted by ``Limits.slice_steps``/``slice_seconds``; resume with no value) or
"failed" (``error`` is the author's :class:`~basic.errors.BasicError`). Waiting and paused runs
carry ``state``, a JSON-able dict, and ``state_json``, the same as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from basic.compiler import MAIN, CompiledScript
from basic.errors import BasicError
from basic.journal import MemoryJournal
from basic.limits import DEFAULT_LIMITS, Limits
from basic.vm import ops
from basic.vm.run import Frame, Jump, RunContext


@dataclass(slots=True)
class RunResult:
    status: str  # "finished" | "waiting" | "paused" | "failed"
    waiting_for: str | None = None
    detail: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    state_json: str | None = None
    error: BasicError | None = None
    result: Any = None
    variables: dict[str, Any] | None = None  # a finished run's main variables


def _context(script: CompiledScript, host: Any, journal: Any, limits: Limits | None) -> RunContext:
    if journal is None:
        journal = getattr(host, "journal", None) or MemoryJournal()
    return RunContext(script, host, journal, limits or DEFAULT_LIMITS)


def start(script: CompiledScript, host: Any, inputs: dict[str, Any] | None = None, *,
          journal: Any = None, limits: Limits | None = None, entry: str = MAIN,
          inline: bool = False) -> RunResult:
    """Run a script from its beginning (or a procedure of it, e.g. a keyword block's body),
    with ``inputs`` as its first variables (PARAM values). An ``inline`` entry runs as code of
    the script itself (a PARALLEL branch): it reads and sets the main variables."""
    run = _context(script, host, journal, limits)
    variables = ops.Vars({str(k).lower(): ops.cp(v) for k, v in (inputs or {}).items()})
    if entry != MAIN:
        if entry not in script.procedures:
            raise KeyError(f"no procedure {entry!r} in {script.file}")
        # The main frame holds the variables and ends as soon as the procedure returns.
        run.frames.append(Frame(script, MAIN, -1, variables))
        proc = script.procedures[entry]
        local = variables if inline else ops.ProcVars({p: variables.get(p) for p in proc.params}, variables)
        run.frames.append(Frame(script, entry, 0, local, outer=0))
        return _advance(run)
    run.frames.append(Frame(script, MAIN, 0, variables))
    return _advance(run)


def resume(script: CompiledScript, state: dict[str, Any], value: Any = None, host: Any = None, *,
           journal: Any = None, limits: Limits | None = None) -> RunResult:
    """Continue a saved run: with the awaited ``value`` if it was waiting, or where it was
    preempted if it was paused. ``state`` is not modified, so it may be resumed again."""
    from basic import state as state_module

    run = _context(script, host, journal, limits)
    try:
        state_module.load(run, state)
    except BasicError as err:
        return RunResult("failed", error=err)
    if run.pending is not None:
        run.steps = 0
        frame = run.frames[-1]
        try:
            if run.finish_pending(ops.cp(value)) < -2:
                return _saved(run, "waiting")
        except Jump as jump:
            run.frames[-1].pc = jump.pc
        except Exception as exc:  # noqa: BLE001 - the author's error, with its position
            try:
                run.unwind(exc, frame)
            except BasicError as err:
                return RunResult("failed", error=err)
    return _advance(run)


def _advance(run: RunContext) -> RunResult:
    try:
        status = run.drive()
    except BasicError as err:
        return RunResult("failed", error=err)
    if status == "finished":
        return RunResult("finished", result=run.result, variables=run.frames[0].vars)
    return _saved(run, status)


def _saved(run: RunContext, status: str) -> RunResult:
    from basic import state as state_module

    try:
        state = state_module.dump(run)
        text = state_module.encode(run, state)
    except BasicError as err:
        # The state is saved at the keyword that suspended (or was preempted): report it there.
        where = (run.line, run.column) if status == "waiting" and run.line else None
        return RunResult("failed", error=run.basic_error(err, run.frames[-1], where))
    suspended = run.suspended if status == "waiting" else None
    return RunResult(
        status,
        waiting_for=suspended.waiting_for if suspended else None,
        detail=dict(suspended.detail) if suspended else None,
        state=state,
        state_json=text,
    )


__all__ = ["RunResult", "RunContext", "start", "resume"]
