"""The live run view in headless Chromium: the page of a workflow waiting for an approval lights
its steps up, without a reload, as the workflow goes on in this process (LocalDispatch, as
``gb run`` does) and its nudges travel through the run mode's channel layer to the page's socket.

The app runs in a real ASGI server (daphne, in a subprocess on the test databases), as in
tests/bots/test_webchat_browser.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from tests.bots import test_webchat_browser as web
from tests.workflows.support import make_bot, run_here
from workflows.approvals import approval_decide
from workflows.engine import LocalDispatch
from workflows.engine.foreground import run_foreground
from workflows.models import ApprovalRequest, ExecutionStatus, WorkflowExecution

CHROMIUM, CHROMIUM_ARGS = web.CHROMIUM, web.CHROMIUM_ARGS
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

FLOW = """ORCHESTRATE WORKFLOW "launch"
STEP 1 "approve": go = HUMAN APPROVAL FROM "lead" FOR "launch the rocket"
STEP 2: PARALLEL
  BRANCH fuel: fuel = "full"
  BRANCH crew: crew = 3
END PARALLEL
STEP 3 "announce": TALK "launched with " + crew + " crew, fuel " + fuel
"""


@pytest.fixture
def live_server_url(tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    port = web._free_port()
    log = tmp_path / "daphne.log"
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    command.append("gbproject.asgi:application")
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=web._server_env(), stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        web._wait_until_serving(f"{base}/static/workflows/run.js", process, log)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _approve_and_advance(request: ApprovalRequest, user) -> WorkflowExecution:
    """On a thread of its own: Playwright's loop runs on this one, and the ORM refuses to run
    beside an event loop; the thread's connection is closed, so the test database can be dropped."""
    def work() -> WorkflowExecution:
        try:
            dispatch = LocalDispatch()
            approval_decide(request, user=user, approve=True, comment="go", dispatch=dispatch)
            return run_foreground(request.execution, dispatch, max_sleep=0.05).execution
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result(timeout=60)


def test_a_step_turns_completed_on_the_open_page_without_a_reload(make_package, live_server_url) -> None:
    from playwright.sync_api import expect, sync_playwright

    bot = make_bot(make_package, "rockets", {"launch.bas": FLOW})
    outcome, _said = run_here(bot, "launch")
    run = outcome.execution
    [request] = outcome.needs_person
    lead = get_user_model().objects.create_user("lead", password="pw")
    client = Client()
    client.force_login(lead)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}]
            )
            page = context.new_page()
            page.goto(f"{live_server_url}/workflows/runs/{run.pk}/")
            expect(page.get_by_role("heading", level=1)).to_contain_text("launch")
            expect(page.locator("#run")).to_have_attribute("data-connected", "true")
            expect(page.locator('li.node-step[data-step="1"]')).to_have_attribute("data-status", "waiting")
            expect(page.locator('li.node-step[data-step="3"]')).to_have_attribute("data-status", "pending")
            expect(page.get_by_role("region", name="Pending approvals")).to_contain_text("launch the rocket")
            page.evaluate("window.__sameDocument = true")

            ended = _approve_and_advance(request, lead)
            assert ended.status == ExecutionStatus.COMPLETED, ended.error

            expect(page.locator('li.node-step[data-step="3"]')).to_have_attribute("data-status", "completed")
            expect(page.locator('li.node-step[data-step="1"]')).to_have_attribute("data-status", "completed")
            fuel = page.locator('li.node-branch[data-branch="fuel"]')
            expect(fuel).to_have_attribute("data-status", "completed")
            expect(page.locator("#run-status")).to_have_text("completed")
            expect(page.get_by_role("log")).to_contain_text("launched with 3 crew, fuel full")
            expect(page.get_by_role("region", name="Pending approvals")).to_have_count(0)
            assert page.evaluate("window.__sameDocument") is True  # updated in place, never reloaded
            assert int(page.locator("#run").get_attribute("data-updates") or 0) >= 1
        finally:
            browser.close()
