"""The run page's socket: sends the changing part of ``/workflows/runs/<id>/`` again whenever the
workflow tree changes.

The engine nudges the tree's group (``run.update``, workflows/live.py) after each commit; the
consumer then reads the run from the database and sends the fragment (an htmx out-of-band swap
that the page's htmx ws extension applies). Nudges that arrive while a fragment is being read
are merged into one more read, so a burst of steps costs a page a few reads, not one per save.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from gbproject.live_sockets import NudgedSocket
from workflows import selectors
from workflows.live import run_group
from workflows.web import runs

CLOSE_UNKNOWN_RUN = 4404


class RunConsumer(NudgedSocket):
    root_id: int = 0
    _last = ""

    async def open(self) -> None:
        pk = int(self.scope["url_route"]["kwargs"]["pk"])
        execution = await database_sync_to_async(selectors.execution_get)(pk=pk)
        if execution is None:
            await self.close(code=CLOSE_UNKNOWN_RUN)
            return
        self.root_id = execution.tree_root_id
        await self.follow(run_group(self.root_id))

    async def run_update(self, message: dict[str, Any]) -> None:
        self.nudged()

    def read(self) -> str | None:
        execution = selectors.execution_get(pk=self.root_id)
        return runs.live_fragment(execution) if execution is not None else None

    async def send_changes(self, html: str | None) -> None:
        if html is not None and html != self._last:
            self._last = html
            await self.send(text_data=html)
