"""The workflow engine: advancing executions, their children, timers and the reaper.

:func:`advance` is the one code path that runs workflow code, whether a Celery worker calls it
(:mod:`workflows.tasks`) or ``gb run`` does in the foreground (:mod:`workflows.engine.foreground`).
"""

from workflows.engine.advance import advance
from workflows.engine.dispatch import CeleryDispatch, Dispatch, LocalDispatch

__all__ = ["advance", "CeleryDispatch", "Dispatch", "LocalDispatch"]
