"""The /approvals/ page: a person's pending requests with what the workflow knew at the step,
decided with a comment (htmx or a plain form); the workflow goes on; others get a 403."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.workflows.support import make_bot, run_here, start, talked, wait_final
from workflows.approvals import approval_decide
from workflows.engine import LocalDispatch
from workflows.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ExecutionStatus,
    WorkflowExecution,
)

pytestmark = pytest.mark.django_db(transaction=True)

PURCHASE = """ORCHESTRATE WORKFLOW "purchase"
STEP 1: item = "laptop"
price = 1500
STEP 2: ok = HUMAN APPROVAL FROM "alice" FOR "Buy a " + item TIMEOUT 3600 ON TIMEOUT: ESCALATE TO "carol"
TALK "purchase " + ok.decision + ": " + ok.comment
END WORKFLOW
RETURN ok.approved
"""

STRICT = """ORCHESTRATE WORKFLOW "strict"
STEP 1: HUMAN APPROVAL FROM "alice@example.com"
END WORKFLOW
"""

ASK = """ORCHESTRATE WORKFLOW "ask"
STEP 1: ok = HUMAN APPROVAL FROM "alice" FOR "Buy a mouse"
END WORKFLOW
"""

PEN = """ORCHESTRATE WORKFLOW "pen"
STEP 1: item = "pen"
STEP 2: ok = HUMAN APPROVAL FROM "alice" FOR "Buy a " + item
END WORKFLOW
"""


def _browser(username: str, *, email: str = "", staff: bool = False) -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.create_user(username, email=email, password="pw", is_staff=staff)
    )
    return client


@pytest.fixture
def people() -> dict[str, Client]:
    return {
        "alice": _browser("alice", email="alice@example.com"),
        "bob": _browser("bob"),
        "boss": _browser("boss", staff=True),
    }


@pytest.fixture
def bot(make_package):
    scripts = {"purchase.bas": PURCHASE, "strict.bas": STRICT, "ask.bas": ASK, "pen.bas": PEN}
    return make_bot(make_package, "buyer", scripts)


def _text(html: str) -> str:
    """The page's words without tags, spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _waiting(execution: WorkflowExecution, timeout: float = 30.0) -> ApprovalRequest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = ApprovalRequest.objects.filter(execution=execution, status=ApprovalStatus.PENDING).first()
        if request is not None:
            return request
        execution.refresh_from_db()
        assert not execution.is_final, execution.error
        time.sleep(0.05)
    raise AssertionError(f"workflow {execution.pk} never asked for an approval")


def test_login_is_required(client, db) -> None:
    response = client.get("/approvals/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/approvals/"
    response = client.post("/approvals/1/decide/", {"decision": "approve"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_approve_on_the_page_with_htmx_resumes_the_workflow(bot, people, workflow_queue) -> None:
    execution = start(bot, "purchase")  # on the worker
    request = _waiting(execution)

    page = people["alice"].get("/approvals/")
    assert page.status_code == 200
    html = page.content.decode()
    text = _text(html)
    assert "Waiting for a decision (1)" in text
    assert "Buy a laptop" in text and "purchase · bot buyer" in text and "Step 2" in text
    assert "Approver alice" in text and f"by workflow execution #{execution.pk}" in text
    assert 'then ESCALATE TO "carol"' in html.replace("&quot;", '"')
    assert re.search(r"<th scope=\"row\">item</th><td>&quot;laptop&quot;</td>", html)
    assert re.search(r"<th scope=\"row\">price</th><td>1500</td>", html)
    assert f'hx-post="/approvals/{request.pk}/decide/"' in html
    assert 'name="decision" value="approve"' in html and 'name="decision" value="reject"' in html

    bobs = _text(people["bob"].get("/approvals/").content.decode())
    assert "Nothing is waiting for you." in bobs and "Buy a laptop" not in bobs
    refused = people["bob"].post(
        f"/approvals/{request.pk}/decide/",
        {"decision": "approve", "comment": "me too"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 403
    assert refused["HX-Retarget"] == f"#approval-{request.pk}-status" and refused["HX-Reswap"] == "innerHTML"
    assert _text(refused.content.decode()) == (
        f"Only alice or a staff member may decide approval request {request.pk}; you are signed in as bob."
    )
    assert not ApprovalDecision.objects.exists()
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING

    card = people["alice"].post(
        f"/approvals/{request.pk}/decide/",
        {"decision": "approve", "comment": "Within budget"},
        HTTP_HX_REQUEST="true",
    )
    assert card.status_code == 200
    fragment = card.content.decode()
    assert fragment.lstrip().startswith(f'<article class="approval" id="approval-{request.pk}"')
    assert "Approved by alice on" in _text(fragment) and "“Within budget”" in fragment
    assert "<form" not in fragment  # decided: no buttons any more

    finished = wait_final(execution)
    assert finished.status == ExecutionStatus.COMPLETED, finished.error
    assert finished.result is True
    assert talked(finished) == ["purchase approved: Within budget"]
    decision = ApprovalDecision.objects.get()
    assert (decision.decided_by.username, decision.actor, decision.comment) == (
        "alice",
        "alice",
        "Within budget",
    )
    assert decision.decided_at is not None

    after = _text(people["alice"].get("/approvals/").content.decode())
    assert "Waiting for a decision (0)" in after and "Nothing is waiting for you." in after
    assert "Decided" in after and "Buy a laptop" in after and "Approved by alice on" in after


def test_reject_with_a_plain_form_redirects_with_a_message(bot, people, workflow_queue) -> None:
    outcome, _ = run_here(bot, "strict")
    [request] = outcome.needs_person
    response = people["alice"].post(
        f"/approvals/{request.pk}/decide/", {"decision": "reject", "comment": "No."}
    )
    assert response.status_code == 302 and response["Location"] == "/approvals/"
    page = _text(people["alice"].get("/approvals/").content.decode())
    assert f"Approval request {request.pk} rejected." in page
    assert "Rejected by alice on" in page and "“No.”" in page
    finished = wait_final(outcome.execution)
    assert finished.status == ExecutionStatus.FAILED
    assert "HUMAN APPROVAL was rejected by alice: No." in finished.error


def test_staff_see_every_request_and_conflicts_and_bad_input_are_explained(bot, people) -> None:
    first, _ = run_here(bot, "strict")
    second, _ = run_here(bot, "ask")
    boss_page = _text(people["boss"].get("/approvals/").content.decode())
    assert "(staff: every request)" in boss_page and "Waiting for a decision (2)" in boss_page

    request = first.needs_person[0]
    alice = get_user_model().objects.get(username="alice")
    approval_decide(request, user=alice, approve=True, comment="done", dispatch=LocalDispatch())
    late = people["boss"].post(f"/approvals/{request.pk}/decide/", {"decision": "reject"})
    assert late.status_code == 409
    assert f"Approval request {request.pk}: this request was already approved." in _text(
        late.content.decode()
    )
    assert ApprovalDecision.objects.count() == 1

    other = second.needs_person[0]
    bad = people["alice"].post(f"/approvals/{other.pk}/decide/", {"decision": "maybe"})
    assert bad.status_code == 400 and 'Choose "approve" or "reject"' in unescape(bad.content.decode())
    missing = people["alice"].post("/approvals/999999/decide/", {"decision": "approve"})
    assert missing.status_code == 404 and "There is no approval request 999999." in missing.content.decode()
    plain_refusal = people["bob"].post(f"/approvals/{other.pk}/decide/", {"decision": "approve"})
    assert plain_refusal.status_code == 403 and "<!DOCTYPE html>" in plain_refusal.content.decode()
    other.refresh_from_db()
    assert other.status == ApprovalStatus.PENDING


def _page_queries(client: Client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/approvals/")
    assert page.status_code == 200
    return len(queries), page.content.decode()


def test_the_page_reads_the_same_rows_for_one_card_or_many(bot, people) -> None:
    """The variables of every card come from one query, not one per card."""
    alice = get_user_model().objects.get(username="alice")

    def decided_one() -> None:
        outcome, _ = run_here(bot, "pen")
        approval_decide(outcome.needs_person[0], user=alice, approve=True, dispatch=LocalDispatch())

    decided_one()
    run_here(bot, "pen")  # and one still waiting
    one, _html = _page_queries(people["alice"])
    for _ in range(4):
        decided_one()
        run_here(bot, "pen")
    many, html = _page_queries(people["alice"])
    assert many == one
    text = _text(html)
    assert "Waiting for a decision (5)" in text and text.count("Approved by alice on") == 5
    # each card shows the variables: a waiting one from its state, a decided one from its step
    assert html.count('<th scope="row">item</th><td>&quot;pen&quot;</td>') == 10


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_site(tmp_path: Path, workflow_queue: str) -> Iterator[str]:
    """The app in a real server process (daphne) on the test databases, plain http, sending
    workflow wake-ups to the test worker's queue; yields its URL."""
    from django.conf import settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gbproject.settings", "DJANGO_HTTPS": "0"}
    env["GB_WORKFLOW_QUEUE"] = workflow_queue
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        env["GB_SQLITE_PATH"] = str(default["NAME"])
    else:
        env["DATABASE_URL"] = (
            urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{default['NAME']}").geturl()
        )
    if "channels" in settings.DATABASES:
        env["GB_CHANNELS_SQLITE_PATH"] = str(settings.DATABASES["channels"]["NAME"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "daphne.log"
    command = [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "gbproject.asgi:application",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"daphne exited:\n{log.read_text()[-4000:]}"
            try:
                with urllib.request.urlopen(f"{base}/admin/login/", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, f"daphne did not answer:\n{log.read_text()[-4000:]}"
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_in_a_browser_the_decided_card_replaces_the_form(bot, live_site: str) -> None:
    """htmx in headless Chromium: the clicked button's value and the comment are sent, and the
    card is swapped in place without a reload."""
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)")
    execution = start(bot, "purchase")
    request = _waiting(execution)
    alice = Client()
    alice.force_login(get_user_model().objects.create_user("alice", password="pw"))
    session = alice.cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_site}])
            page = context.new_page()
            page.goto(f"{live_site}/approvals/")
            card = page.locator(f"#approval-{request.pk}")
            expect(card).to_contain_text("Buy a laptop")
            page.evaluate("window.loadedOnce = true")
            card.locator("textarea").fill("Go ahead")
            card.get_by_role("button", name="Approve").click()
            expect(card.locator(".decision")).to_contain_text("Approved by alice")
            expect(card.locator(".decision")).to_contain_text("Go ahead")
            expect(card.locator("form")).to_have_count(0)
            assert page.evaluate("window.loadedOnce") is True  # swapped in place, not reloaded
        finally:
            browser.close()
    finished = wait_final(execution)
    assert finished.status == ExecutionStatus.COMPLETED and talked(finished) == [
        "purchase approved: Go ahead"
    ]
    decision = ApprovalDecision.objects.get()
    assert (decision.decided_by.username, decision.comment) == ("alice", "Go ahead")
