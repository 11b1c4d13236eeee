"""The VM: runs compiled blocks, calls keyword handlers, suspends, resumes, handles errors.

:class:`RunContext` is both the dispatcher and the ``run`` object keyword handlers receive.
Its whole state is a stack of :class:`Frame` (script, procedure, block number, variables, ON
ERROR mode) plus a few counters, and :mod:`basic.state` turns it into plain JSON and back.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from basic.compiler import MAIN, CompiledScript
from basic.errors import BasicError, BasicLimitError, BasicRuntimeError
from basic.host import Origin
from basic.limits import Limits
from basic.registry import Suspend
from basic.vm import ops

END = -1  # the procedure ended (fell off its end or EXIT SUB/FUNCTION)
SWITCH = -2  # the frame stack changed (a call or a return)
SUSPEND = -3  # a keyword handler suspended the run
FINISHED = -4  # the last frame returned


class Jump(BaseException):  # noqa: N818 - control flow, not an error
    """ON ERROR GOTO: continue the current frame at block ``pc``."""

    def __init__(self, pc: int) -> None:
        self.pc = pc


class Frame:
    """One active procedure: where it is and its variables."""

    __slots__ = ("script", "proc", "pc", "vars", "on_error", "target", "outer", "external", "blocks")

    def __init__(self, script: CompiledScript, proc: str, pc: int, variables: dict, *,
                 on_error: str | int | None = None, target: str | None = None,
                 outer: int | None = None, external: str | None = None) -> None:
        self.script = script
        self.proc = proc
        self.pc = pc
        self.vars = variables
        self.on_error = on_error  # None, "resume" or the block number of the handler label
        self.target = target  # the caller's variable that receives the result
        self.outer = outer  # index of the frame whose variables a procedure may read
        self.external = external  # name of the other script this frame's script was CALLed as
        self.blocks = script.procedures[proc].blocks


_TARGET_RE = re.compile(r"""\s*(?:\.\s*([A-Za-z_][\w]*)|\[\s*(-?\d+|"[^"]*")\s*\])""")


def parse_target(text: str) -> tuple[str, tuple]:
    """``"order.items[0]"`` -> ``("order", ((".", "items"), ("[", 0)))`` for target slots."""
    text = text.strip()
    m = re.match(r"[A-Za-z_][\w]*", text)
    if m is None:
        raise BasicRuntimeError(f"{text!r} is not a variable name")
    base, rest, steps = m.group(0).lower(), text[m.end():], []
    while rest.strip():
        step = _TARGET_RE.match(rest)
        if step is None:
            raise BasicRuntimeError(f"{text!r} is not a variable, field or element")
        if step.group(1) is not None:
            steps.append((".", step.group(1).lower()))
        else:
            raw = step.group(2)
            steps.append(("[", raw[1:-1] if raw.startswith('"') else int(raw)))
        rest = rest[step.end():]
    return base, tuple(steps)


class RunContext:
    """A run in progress. Keyword handlers get it as ``run``: ``run.host`` for services,
    ``run.vars``/``run.assign`` for variables, ``run.line``/``run.column`` for messages."""

    def __init__(self, script: CompiledScript, host: Any, journal: Any, limits: Limits) -> None:
        self.script = script
        self.host = host
        self.journal = journal
        self.limits = limits
        self.frames: list[Frame] = []
        self.err: dict[str, Any] | None = None
        self.effects = 0
        self.steps = 0
        self.budget = 0
        self._allot = 0
        self._slice_used = 0
        self._slice_start = 0.0
        self.pending: dict[str, Any] | None = None
        self.suspended: Suspend | None = None
        self.result: Any = None
        self.target: str | None = None  # where the running keyword's value goes (None: a statement)
        self.line = 0
        self.column = 0
        self.external_scripts: dict[str, CompiledScript] = {}

    # --- what handlers and built-ins use -------------------------------------------------

    @property
    def file(self) -> str:
        return self.frames[-1].script.file if self.frames else self.script.file

    def origin(self, kind: str = "text") -> Origin:
        """The position of the keyword running now, for hosts that record who said what."""
        return Origin(self.file, self.line, self.column, kind)

    @property
    def vars(self) -> dict:
        return self.frames[-1].vars

    def get(self, name: str) -> Any:
        return self.frames[-1].vars[name.lower()]

    def set(self, name: str, value: Any) -> None:
        self.frames[-1].vars[name.lower()] = ops.cp(value)

    def assign(self, target: str, value: Any) -> None:
        """Store into a target slot's text (``name``, ``obj.field``, ``list[2]``)."""
        base, steps = parse_target(target)
        if steps:
            ops.set_path(self.frames[-1].vars, base, steps, ops.cp(value))
        else:
            self.frames[-1].vars[base] = ops.cp(value)

    def reference(self, target: str) -> Any:
        """The value stored at a target slot itself, for handlers that change it in place."""
        base, steps = parse_target(target)
        if not steps:
            return self.frames[-1].vars.get(base)
        return ops.reference(self.frames[-1].vars, base, steps)

    def log(self, level: str, message: str) -> None:
        self.host.log(level, message)

    def now(self) -> datetime:
        return self.host.now()

    @property
    def last_error(self) -> dict[str, Any] | None:
        return self.err

    @property
    def err_number(self) -> int:
        return self.err["number"] if self.err else 0

    @property
    def err_description(self) -> str:
        return self.err["description"] if self.err else ""

    def clear_error(self) -> None:
        self.err = None

    # --- called by generated code ----------------------------------------------------------

    def on_error(self, mode: str | int) -> None:
        frame = self.frames[-1]
        frame.on_error = None if mode == "off" else mode
        if mode == "off":
            self.err = None

    def handle(self, exc: BaseException, line: int, column: int) -> None:
        """An error in a statement of the current frame: apply its ON ERROR mode or re-raise."""
        frame = self.frames[-1]
        err = self.basic_error(exc, frame, (line, column))
        if isinstance(err, BasicLimitError) or frame.on_error is None:
            raise err from None
        self._record(err)
        if frame.on_error != "resume":
            raise Jump(frame.on_error)

    def kw(self, site_id: int, args: dict, nxt: int, target: str | None) -> int:
        frame = self.frames[-1]
        site = frame.script.sites[site_id]
        self.line, self.column = site.line, site.column
        spec = site.spec
        seq = None
        if spec.effect:
            self.effects += 1
            seq = self.effects
            found, result = self.journal.get(seq)
            if found:
                if spec.on_replay is not None:
                    spec.on_replay(self, args, result)
                if target:
                    frame.vars[target] = ops.cp(result)
                return nxt
        self.target = target
        try:
            result = spec.handler(self, args)
        except Exception as exc:  # noqa: BLE001 - becomes the author's error at this keyword
            self.handle(exc, site.line, site.column)
            return nxt
        if isinstance(result, Suspend):
            self.pending = {"site": site_id, "args": args, "next": nxt, "target": target, "seq": seq}
            self.suspended = result
            return SUSPEND
        if seq is not None:
            self.journal.record(seq, spec.key, result)
        if target:
            frame.vars[target] = result
        return nxt

    def finish_pending(self, value: Any) -> int:
        """Resume the keyword the run was waiting in, with the value it was waiting for."""
        pending, self.pending = self.pending, None
        frame = self.frames[-1]
        site = frame.script.sites[pending["site"]]
        self.line, self.column = site.line, site.column
        spec = site.spec
        self.target = pending["target"]
        try:
            result = spec.on_resume(self, pending["args"], value) if spec.on_resume else value
        except Exception as exc:  # noqa: BLE001 - becomes the author's error at this keyword
            frame.pc = pending["next"]
            self.handle(exc, site.line, site.column)
            return pending["next"]
        if isinstance(result, Suspend):
            self.pending = pending
            self.suspended = result
            return SUSPEND
        if pending["seq"] is not None:
            self.journal.record(pending["seq"], spec.key, result)
        if pending["target"]:
            frame.vars[pending["target"]] = result
        frame.pc = pending["next"]
        return pending["next"]

    def call(self, name: str, args: list, nxt: int, target: str | None, external: bool,
             line: int, column: int) -> int:
        caller = self.frames[-1]
        caller.pc = nxt
        if len(self.frames) >= self.limits.max_call_depth:
            raise BasicLimitError(
                f"calls are nested more than {self.limits.max_call_depth} deep: does {name.upper()} "
                f"call itself without an end?", file=caller.script.file, line=line, column=column,
            )
        if external:
            script = self.load_external(name, line, column)
            params = [p.name.lower() for p in script.params]
            if len(args) > len(params):
                raise BasicRuntimeError(
                    f"{name}.bas has {len(params)} PARAM{'s' if len(params) != 1 else ''}, "
                    f"but the CALL gives {len(args)} arguments", file=caller.script.file, line=line,
                    column=column,
                )
            variables = ops.Vars(zip(params, args, strict=False))
            frame = Frame(script, MAIN, 0, variables, target=target, external=name)
        else:
            script = caller.script
            proc = script.procedures[name]
            outer = self.main_index(len(self.frames) - 1)
            variables = ops.ProcVars(dict(zip(proc.params, args, strict=False)), self.frames[outer].vars)
            for p in proc.params[len(args):]:
                variables[p] = None
            frame = Frame(script, name, 0, variables, target=target, outer=outer)
        self.frames.append(frame)
        return SWITCH

    def main_index(self, index: int) -> int:
        """Index of the frame holding the main variables of the script of frame ``index``."""
        frame = self.frames[index]
        while frame.proc != MAIN:
            index = frame.outer
            frame = self.frames[index]
        return index

    def load_external(self, name: str, line: int, column: int) -> CompiledScript:
        from basic.builtins import unknown_function_message
        from basic.compiler import compile_source

        key = name.lower()
        if key in self.external_scripts:
            return self.external_scripts[key]
        try:
            source, file = self.host.load_script(key)
        except LookupError:
            message = unknown_function_message(name)
            raise BasicRuntimeError(
                f"{message} (no SUB or FUNCTION {name} in this script and no {key}.bas beside it)",
                file=self.file, line=line, column=column,
            ) from None
        registry = getattr(self.host, "registry", None)
        script = compile_source(source, file, registry)
        self.external_scripts[key] = script
        return script

    def ret(self, value: Any) -> int:
        frame = self.frames.pop()
        if not self.frames:
            self.result = value
            self.frames.append(frame)  # keep the finished frame for inspection
            return FINISHED
        if frame.target:
            self.frames[-1].vars[frame.target] = value
        return SWITCH

    # --- the dispatcher ----------------------------------------------------------------------

    def drive(self) -> str:
        """Run until the script finishes, waits or is preempted: "finished", "waiting",
        "paused". Raises the author's :class:`BasicError` if it fails."""
        self._slice_start = time.monotonic()
        self._slice_used = 0
        self._refill()
        while True:
            frame = self.frames[-1]
            blocks, variables, pc = frame.blocks, frame.vars, frame.pc
            try:
                while pc >= 0:
                    self.budget -= 1
                    if self.budget < 0:
                        frame.pc = pc
                        if self._check():
                            return "paused"
                    pc = blocks[pc](self, variables)
            except Jump as jump:
                self.frames[-1].pc = jump.pc
                continue
            except Exception as exc:  # noqa: BLE001 - every failure becomes a positioned BasicError
                frame.pc = pc
                self.unwind(exc, frame)
                continue
            if pc == SWITCH:
                continue
            if pc == SUSPEND:
                return "waiting"
            if pc == END:
                pc = self.ret(self._fall_off_value(frame))
            if pc == FINISHED:
                return "finished"

    def _fall_off_value(self, frame: Frame) -> Any:
        proc = frame.script.procedures[frame.proc]
        if proc.kind == "FUNCTION":
            return frame.vars.get(frame.proc)  # VB style: assigning to the function's name
        return None

    def _refill(self) -> None:
        limits = self.limits
        chunk = min(limits.check_every, max(1, limits.max_steps - self.steps + 1))
        if limits.slice_steps is not None:
            chunk = min(chunk, max(1, limits.slice_steps - self._slice_used))
        self.budget = self._allot = chunk

    def _check(self) -> bool:
        """Account the steps of the last chunk; True when the slice must pause here."""
        used = self._allot - max(self.budget, 0)
        self.steps += used
        self._slice_used += used
        limits = self.limits
        if self.steps > limits.max_steps:
            raise BasicLimitError(
                f"the script ran more than {limits.max_steps:,} steps without waiting for anything: "
                f"does a loop miss its exit?"
            )
        elapsed = time.monotonic() - self._slice_start
        if elapsed > limits.max_slice_seconds:
            raise BasicLimitError(
                f"the script ran for more than {limits.max_slice_seconds:g} seconds without waiting: "
                f"does a loop miss its exit?"
            )
        if (limits.slice_steps is not None and self._slice_used >= limits.slice_steps) or (
            limits.slice_seconds is not None and elapsed >= limits.slice_seconds
        ):
            self.budget = 0
            return True
        self._refill()
        return False

    # --- errors ------------------------------------------------------------------------------

    def basic_error(self, exc: BaseException, frame: Frame,
                    where: tuple[int, int] | None = None) -> BasicError:
        """The author-facing error for ``exc``, placed at the BASIC position it came from."""
        script = frame.script
        if isinstance(exc, BasicError):
            err = exc
        else:
            err = BasicRuntimeError(ops.python_error_message(exc))
        if not err.has_position:
            position = where or self._traceback_position(exc, script)
            if position is None or position == (0, 0):
                positions = script.procedures[frame.proc].positions
                position = positions[frame.pc] if 0 <= frame.pc < len(positions) else (0, 0)
            err.at(file=script.file, line=position[0], column=position[1])
        elif err.file is None:
            err.file = script.file
        return err

    @staticmethod
    def _traceback_position(exc: BaseException, script: CompiledScript) -> tuple[int, int] | None:
        found = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == script.code_filename:
                found = script.position_of_line(tb.tb_lineno)
            tb = tb.tb_next
        return found

    def _record(self, err: BasicError) -> None:
        self.err = {
            "number": getattr(err, "number", 1000),
            "description": err.message,
            "file": err.file,
            "line": err.line,
            "column": err.column,
        }

    def unwind(self, exc: BaseException, frame: Frame) -> None:
        """An error escaped a block: the nearest caller with ON ERROR handles it, else it is
        raised to end the run. The failing frame itself may only jump (GOTO), since resuming
        at its own block would repeat the statement that failed."""
        err = self.basic_error(exc, frame)
        if isinstance(err, BasicLimitError):
            raise err from None
        self._record(err)
        first = True
        while self.frames:
            top = self.frames[-1]
            if isinstance(top.on_error, int):
                top.pc = top.on_error
                return
            if top.on_error == "resume" and not first:
                return
            if len(self.frames) == 1:
                break
            self.frames.pop()
            first = False
        raise err from None

