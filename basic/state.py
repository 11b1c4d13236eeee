"""The VM state as plain JSON, and back.

A saved state holds everything a run needs to continue in another process: the frame stack
(script, procedure, block number, variables, ON ERROR mode), the last error, the effect and
step counters and, when waiting, the keyword call it waits in. Frames of scripts reached with
CALL name the script, and its content hash, so it is reloaded through the host on resume.
"""

from __future__ import annotations

import json
from typing import Any

from basic.compiler import MAIN, CompiledScript
from basic.errors import BasicLimitError, BasicRuntimeError
from basic.vm import ops
from basic.vm.run import Frame, RunContext

STATE_VERSION = 1


def dump(run: RunContext) -> dict[str, Any]:
    """The run's state as a JSON-able dict (it shares values with the run: save it, then drop
    the run)."""
    frames = []
    for frame in run.frames:
        shared = frame.outer is not None and frame.vars is run.frames[frame.outer].vars
        frames.append({
            "proc": frame.proc,
            "pc": frame.pc,
            "vars": None if shared else dict(frame.vars),  # None: an inline block's, the main ones
            "on_error": frame.on_error,
            "target": frame.target,
            "outer": frame.outer,
            "script": {"name": frame.external, "hash": frame.script.hash} if frame.external else None,
        })
    return {
        "version": STATE_VERSION,
        "script": run.script.hash,
        "file": run.script.file,
        "frames": frames,
        "err": run.err,
        "effects": run.effects,
        "steps": run.steps,
        "pending": run.pending,
    }


def encode(run: RunContext, state: dict[str, Any]) -> str:
    """The state as JSON text, refusing states over the size limit."""
    try:
        text = json.dumps(state, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise BasicRuntimeError(f"the run cannot be saved: a value is not plain data ({exc})") from None
    limit = run.limits.max_state_bytes
    if len(text) > limit:
        raise BasicLimitError(
            f"the run's saved state would be {len(text):,} bytes, over the limit of {limit:,}: "
            f"keep fewer or smaller values in variables"
        )
    return text


def load(run: RunContext, state: dict[str, Any]) -> None:
    """Rebuild ``run`` from a saved state (the state itself is not changed or shared)."""
    if state.get("version") != STATE_VERSION:
        raise BasicRuntimeError(f"saved state has version {state.get('version')}, expected {STATE_VERSION}")
    if state.get("script") != run.script.hash:
        raise BasicRuntimeError(
            f"this saved run belongs to another version of {run.script.file}: a run continues "
            f"with the script it started with"
        )
    frames: list[Frame] = []
    for data in state["frames"]:
        script: CompiledScript = run.script
        external = None
        if data.get("script"):
            external = data["script"]["name"]
            script = run.load_external(external, 0, 0)
            if script.hash != data["script"]["hash"]:
                raise BasicRuntimeError(
                    f"{external}.bas changed while this run was waiting; it cannot continue"
                )
        if data["vars"] is None:
            frame_vars: dict = frames[data["outer"]].vars
        elif data["proc"] == MAIN:
            frame_vars = ops.Vars({k: ops.cp(x) for k, x in data["vars"].items()})
        else:
            own = {k: ops.cp(x) for k, x in data["vars"].items()}
            frame_vars = ops.ProcVars(own, frames[data["outer"]].vars)
        frames.append(Frame(script, data["proc"], data["pc"], frame_vars, on_error=data.get("on_error"),
                            target=data.get("target"), outer=data.get("outer"), external=external))
    run.frames = frames
    run.err = state.get("err")
    run.effects = state.get("effects", 0)
    run.steps = state.get("steps", 0)
    pending = state.get("pending")
    run.pending = ops.cp(pending) if pending else None
