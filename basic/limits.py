"""Limits that keep one script from hurting the process that runs it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds of one run; override any of them with ``Limits(max_steps=...)``.

    A *step* is one block of generated code or one iteration of a loop (see
    :mod:`basic.compiler.codegen`), a little coarser than a statement.
    """

    # Steps allowed between two waits (from start, or from a resume with a value, to the next
    # wait or the end): stops runaway loops without limiting long conversations.
    max_steps: int = 20_000_000
    # Wall time one slice of a run may take before it stops with an error.
    max_slice_seconds: float = 60.0
    # Size of the saved state (JSON bytes) when a run waits or pauses.
    max_state_bytes: int = 2_000_000
    # Nested SUB/FUNCTION/script calls.
    max_call_depth: int = 200
    # Preemption: pause (status "paused", state saved) after this many steps or seconds in one
    # slice, to be continued later with resume(). None: run until the next wait.
    slice_steps: int | None = None
    slice_seconds: float | None = None
    # How many steps run between checks of time and budgets (a native loop checks in between).
    check_every: int = 10_000


DEFAULT_LIMITS = Limits()
