"""ws/workflows/runs/<id>/: the run page's socket, fed by the engine's nudges over the run mode's
real channel layer (channels-lite on SQLite embedded, Redis in services mode), and the nudge
publisher behind them (gbproject/nudges.py)."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.test import Client

from gbproject import nudges
from gbproject.asgi import application
from gbproject.live_sockets import CLOSE_UNAUTHENTICATED
from tests.workflows import run_page_support as page
from tests.workflows.support import make_bot, run_here, start, wait_final
from workflows import live
from workflows.approvals import approval_decide
from workflows.consumers import CLOSE_UNKNOWN_RUN
from workflows.engine import LocalDispatch
from workflows.engine.foreground import run_foreground
from workflows.models import ApprovalRequest, ExecutionStatus, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
ORIGIN = (b"origin", b"http://localhost")

APPROVAL = """ORCHESTRATE WORKFLOW "refund-flow"
STEP 1: decision = HUMAN APPROVAL FROM "boss" FOR "refund 120"
STEP 2: PARALLEL
  BRANCH A: a = 1
  BRANCH B: b = 2
END PARALLEL
STEP 3: TALK "done " + (a + b)
"""
WORKER_FLOW = """ORCHESTRATE WORKFLOW "slow-flow"
STEP 1: DELAY 0.3
STEP 2: r = BOT "helper" "answer"
STEP 3: TALK "got " + r
"""


@pytest.fixture(autouse=True)
def _fresh_layer():
    """Each test runs on its own event loop; a layer built on another loop must not be reused."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _cookie(username: str = "watcher", *, staff: bool = False) -> bytes:
    user = get_user_model().objects.create_user(username, password="pw", is_staff=staff)
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(pk: int, cookie: bytes | None) -> tuple[WebsocketCommunicator, bool, int | str | None]:
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    communicator = WebsocketCommunicator(application, f"/ws/workflows/runs/{pk}/", headers=headers)
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def _until(communicator: WebsocketCommunicator, test, *, timeout: float = 60.0) -> str:
    """Fragments until one passes ``test``; each must be an out-of-band swap of the live part."""
    async def read() -> str:
        while True:
            html = await communicator.receive_from(timeout=timeout)
            assert html.startswith('<div id="run-live"') and 'hx-swap-oob="true"' in html
            if test(html):
                return html

    return await asyncio.wait_for(read(), timeout)


def _approve_and_run(request_pk: int) -> list[str]:
    said: list[str] = []
    request = ApprovalRequest.objects.get(pk=request_pk)
    user = get_user_model().objects.create_user("boss", password="pw")
    dispatch = LocalDispatch()
    approval_decide(request, user=user, approve=True, comment="ok", dispatch=dispatch)
    run_foreground(request.execution, dispatch, on_talk=lambda _e, m: said.append(m.content), max_sleep=0.05)
    return said


@pytest.mark.asyncio
async def test_the_socket_sends_the_run_again_as_it_advances(make_package) -> None:
    bot = await database_sync_to_async(make_bot)(make_package, "refunds", {"flow.bas": APPROVAL})
    outcome, _ = await database_sync_to_async(run_here)(bot, "flow")
    root = outcome.execution
    [request] = outcome.needs_person
    cookie = await database_sync_to_async(_cookie)()
    communicator, connected, code = await _connect(root.pk, cookie)
    assert connected, code
    try:
        first = await _until(communicator, lambda html: True)  # what changed since the page was rendered
        assert page.steps(first) == {"1": "waiting", "2": "pending", "3": "pending"}
        assert page.branches(first) == {"A": "pending", "B": "pending"}

        said = await database_sync_to_async(_approve_and_run)(request.pk)
        assert said == ["done 3"]
        last = await _until(communicator, lambda html: 'data-status="completed"' in html.split(">")[0])
        assert page.steps(last) == {"1": "completed", "2": "completed", "3": "completed"}
        assert page.branches(last) == {"A": "completed", "B": "completed"}
        assert "done 3" in last and "Waiting for approval" not in last
    finally:
        await communicator.disconnect()


def _wait_final_then_close(root: WorkflowExecution) -> WorkflowExecution:
    try:
        return wait_final(root)
    finally:
        connections.close_all()  # this thread's: PostgreSQL cannot drop a test database in use


@pytest.mark.asyncio
async def test_a_workers_progress_reaches_the_open_socket(make_package, workflow_queue) -> None:
    """The nudges come from a Celery worker process, through the run mode's channel layer."""
    await database_sync_to_async(make_bot)(make_package, "helper", {"start.bas": 'RETURN "42"\n'})
    bot = await database_sync_to_async(make_bot)(make_package, "slow", {"flow.bas": WORKER_FLOW})
    cookie = await database_sync_to_async(_cookie)()
    root = await database_sync_to_async(start)(bot, "flow")
    communicator, connected, code = await _connect(root.pk, cookie)
    assert connected, code
    try:
        # Not on asgiref's one thread for sync code, which the consumer needs to read the run.
        ended = asyncio.ensure_future(asyncio.to_thread(_wait_final_then_close, root))
        seen: list[dict[str, str]] = []

        def record(html: str) -> bool:
            seen.append(page.steps(html))
            return page.steps(html).get("3") == "completed"

        last = await _until(communicator, record)
        assert (await ended).status == ExecutionStatus.COMPLETED
        assert page.steps(last) == {"1": "completed", "2": "completed", "3": "completed"}
        [call] = page.kinds(last, "bot")
        assert call.status == "completed" and '"42"' in call.text and "got 42" in last
        # It lit up step by step, not only at the end: some update showed a step still going.
        assert any(set(steps.values()) & {"running", "waiting"} for steps in seen), seen
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_the_socket_needs_a_signed_in_user_and_a_known_run(make_package) -> None:
    bot = await database_sync_to_async(make_bot)(make_package, "refunds", {"flow.bas": APPROVAL})
    outcome, _ = await database_sync_to_async(run_here)(bot, "flow")
    path = f"/ws/workflows/runs/{outcome.execution.pk}/"
    assert await _refused(path, [ORIGIN]) == CLOSE_UNAUTHENTICATED
    cookie = await database_sync_to_async(_cookie)()
    assert await _refused("/ws/workflows/runs/987654/", [ORIGIN, (b"cookie", cookie)]) == CLOSE_UNKNOWN_RUN
    await _refused(path, [(b"origin", b"http://evil.example"), (b"cookie", cookie)])
    communicator, connected, _code = await _connect(outcome.execution.pk, cookie)  # the same, signed in
    assert connected
    await communicator.disconnect()


async def _refused(path: str, headers: list[tuple[bytes, bytes]]) -> int | str | None:
    """The close code of a socket the server refuses (the app is then let finish)."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=10)
    await communicator.disconnect()
    assert not connected
    return code


# --- the publisher ------------------------------------------------------------------------------


def _layer():
    """A layer for the current call's event loop (each ``async_to_sync`` call has its own)."""
    channel_layers.backends.clear()
    return get_channel_layer()


def _listen(group: str) -> str:
    channel = f"nudge-test.{uuid.uuid4().hex}"  # a plain channel: any layer instance may read it

    async def listen() -> None:
        await _layer().group_add(group, channel)

    async_to_sync(listen)()
    return channel


def _received(channel: str) -> dict:
    async def receive() -> dict:
        return await asyncio.wait_for(_layer().receive(channel), 20)

    return async_to_sync(receive)()


def test_a_nudge_is_sent_after_commit_and_never_for_a_rollback() -> None:
    channel = _listen(live.run_group(7001))
    sent = nudges.publisher.sent
    with transaction.atomic():
        live.run_changed(7001)
        nudges.drain()
        assert nudges.publisher.sent == sent  # not before the commit
    nudges.drain()
    assert nudges.publisher.sent == sent + 1
    assert _received(channel) == {"type": live.RUN_UPDATE, "root": 7001}

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        live.run_changed(7001)
        raise Rollback
    nudges.drain()
    assert nudges.publisher.sent == sent + 1


def test_nudges_queued_for_a_group_are_merged() -> None:
    one, two = _listen(live.run_group(7002)), _listen(live.run_group(7003))
    publisher = nudges.publisher
    live.run_changed(7002)  # starts the publisher's loop
    nudges.drain()
    _received(one)
    sent = publisher.sent
    loop, _wake = publisher._running_loop()

    def burst() -> None:  # on the loop's thread: nothing can be sent until all are queued
        for number in range(100):
            publisher.submit(live.run_group(7002), {"type": live.RUN_UPDATE, "root": 7002, "n": number})
            publisher.submit(live.run_group(7003), {"type": live.RUN_UPDATE, "root": 7003, "n": number})

    queued = threading.Event()
    loop.call_soon_threadsafe(lambda: (burst(), queued.set()))
    assert queued.wait(20)
    nudges.drain()
    assert publisher.sent == sent + 2  # one per group, with the latest message
    assert _received(one)["n"] == 99 and _received(two)["n"] == 99


def test_a_failed_send_is_logged_and_the_next_nudge_still_goes(caplog) -> None:
    channel = _listen(live.run_group(7004))
    failed = nudges.publisher.failed
    with caplog.at_level(logging.ERROR, logger="gbproject.nudges"):
        nudges.nudge("not a valid group name!", {"type": live.RUN_UPDATE})
        nudges.drain()
    assert nudges.publisher.failed == failed + 1
    assert "could not nudge not a valid group name!" in caplog.text
    live.run_changed(7004)
    nudges.drain()
    assert _received(channel)["root"] == 7004
