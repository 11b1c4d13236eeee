"""/workflows/runs/ and /workflows/runs/<id>/: the run list with its filters, and one run drawn as
its diagram with each node's state, inputs, outputs, attempts and errors (runs made by the
engine in the foreground, as ``gb run`` does)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.workflows import run_page_support as page
from tests.workflows.support import make_bot, run_here
from workflows.models import ExecutionKind, ExecutionStatus, StepRun, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

FLOW = """ORCHESTRATE WORKFLOW "order-flow"
STEP 1 "classify": kind = BOT "helper" "classify the order"
STEP 2: PARALLEL
  BRANCH A:
    STEP 21: a = 1
  BRANCH B:
    b = 2
    DELAY 0
END PARALLEL
IF a + b > 100 THEN
  STEP 3: TALK "never"
END IF
STEP 4: TALK "kind=" + kind + " sum=" + (a + b)
END WORKFLOW
"""
FAILING = """ORCHESTRATE WORKFLOW "broken-flow"
STEP 1: ready = "yes"
STEP 2 "divide":
  RETRY 1
  x = 1 / 0
STEP 3: TALK "unreached"
"""
APPROVAL = """ORCHESTRATE WORKFLOW "refund-flow"
STEP 1: decision = HUMAN APPROVAL FROM "boss@example.com" FOR "refund 120"
STEP 2: TALK "done"
"""


@pytest.fixture
def viewer() -> Client:
    user = get_user_model().objects.create_user("viewer", password="pw")  # signed in, not staff
    client = Client(**{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})  # DJANGO_HTTPS in services mode
    client.force_login(user)
    return client


@pytest.fixture
def bots(make_package) -> dict[str, object]:
    make_bot(make_package, "helper", {"start.bas": 'TALK "helper got " + task\nRETURN "urgent"\n'})
    return {
        "orders": make_bot(make_package, "orders", {"flow.bas": FLOW, "broken.bas": FAILING}),
        "refunds": make_bot(make_package, "refunds", {"refund.bas": APPROVAL}),
    }


def _get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:2000]
    return response.content.decode()


def test_a_completed_run_lights_every_node_with_its_outputs(bots, viewer) -> None:
    outcome, said = run_here(bots["orders"], "flow")
    run = outcome.execution
    assert run.status == ExecutionStatus.COMPLETED, run.error
    html = _get(viewer, f"/workflows/runs/{run.pk}/")

    assert page.steps(html) == {"1": "completed", "2": "completed", "21": "completed", "3": "skipped",
                                "4": "completed"}
    assert page.branches(html) == {"A": "completed", "B": "completed"}
    [bot] = page.kinds(html, "bot")
    assert bot.status == "completed" and "helper" in bot.text and '"urgent"' in bot.text
    [delay] = page.kinds(html, "delay")
    assert delay.status == "completed"
    [parallel] = page.kinds(html, "parallel")
    assert parallel.status == "completed"
    [group] = page.kinds(html, "if")
    assert group.status == "pending"  # its one arm was not taken
    # The step's inputs and outputs (the variables it set), and the run's TALKs.
    step1 = next(node for node in page.nodes(html) if node.step == "1")
    assert '"kind": "urgent"' in " ".join(step1.text) and "classify" in step1.text
    assert "kind=urgent sum=3" in html and "helper got classify the order" in html
    assert said == ["helper got classify the order", "kind=urgent sum=3"]
    assert f'ws-connect="/ws/workflows/runs/{run.pk}/"' in html
    assert "/static/workflows/run.js" in html and "/static/django_htmx/ext/hx-ws-2.min.js" in html


def test_a_failed_step_shows_its_attempts_and_error(bots, viewer) -> None:
    outcome, _said = run_here(bots["orders"], "broken")
    run = outcome.execution
    assert run.status == ExecutionStatus.FAILED
    html = _get(viewer, f"/workflows/runs/{run.pk}/")
    assert page.steps(html) == {"1": "completed", "2": "failed", "3": "pending"}
    step2 = next(node for node in page.nodes(html) if node.step == "2")
    text = " ".join(step2.text)
    assert "division by zero" in text and "2 attempts" in text and "RETRY 1" in text
    assert StepRun.objects.filter(execution=run, step="2", status="failed").count() == 2
    assert 'id="run-error"' in html and "broken.bas:5:" in html


def test_a_pending_approval_is_shown_waiting_with_a_link_to_decide(bots, viewer) -> None:
    outcome, _said = run_here(bots["refunds"], "refund")
    run = outcome.execution
    [request] = outcome.needs_person
    html = _get(viewer, f"/workflows/runs/{run.pk}/")
    assert page.steps(html) == {"1": "waiting", "2": "pending"}
    [approval] = page.kinds(html, "approval")
    assert approval.status == "waiting" and "boss@example.com" in approval.text
    assert f'href="/approvals/#approval-{request.pk}"' in html and "refund 120" in html


def test_a_step_in_a_loop_with_a_computed_label_shows_its_latest_run(make_package, bots, viewer) -> None:
    source = """ORCHESTRATE WORKFLOW "loop-flow"
FOR i = 1 TO 3
  STEP "item " & i: r = BOT "helper" "classify the order"
NEXT
"""
    bot = make_bot(make_package, "looper", {"loop.bas": source})
    run = run_here(bot, "loop")[0].execution
    assert run.status == ExecutionStatus.COMPLETED, run.error
    html = _get(viewer, f"/workflows/runs/{run.pk}/")
    [step] = page.kinds(html, "step")
    assert step.status == "completed" and "ran 3 times" in " ".join(step.text)
    assert step.step == '"item " & i'  # the label as written: its value changes at run time
    assert '"i": 3' in " ".join(step.text)  # the latest run's inputs
    # The BOT node shows the call of the latest run of its step.
    latest = WorkflowExecution.objects.filter(root=run, kind=ExecutionKind.BOT).order_by("-id").first()
    [call] = page.kinds(html, "bot")
    assert call.status == "completed" and f"#{latest.pk}" in " ".join(call.text)


def test_a_branch_or_bot_run_redirects_to_its_workflow_and_unknown_runs_are_404(bots, viewer) -> None:
    outcome, _said = run_here(bots["orders"], "flow")
    child = WorkflowExecution.objects.get(root=outcome.execution, kind=ExecutionKind.BOT)
    response = viewer.get(f"/workflows/runs/{child.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/workflows/runs/{outcome.execution.pk}/#run-{child.pk}"
    assert viewer.get("/workflows/runs/987654/").status_code == 404


def test_the_pages_need_a_signed_in_user(bots) -> None:
    outcome, _said = run_here(bots["orders"], "flow")
    anonymous = Client(**{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
    for url in ("/workflows/runs/", f"/workflows/runs/{outcome.execution.pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=")


def _listed(html: str) -> list[int]:
    import re

    return [int(pk) for pk in re.findall(r'class="run-row" data-run="(\d+)"', html)]


def test_the_list_filters_by_bot_status_workflow_and_day_newest_first(bots, viewer) -> None:
    done = run_here(bots["orders"], "flow")[0].execution
    failed = run_here(bots["orders"], "broken")[0].execution
    waiting = run_here(bots["refunds"], "refund")[0].execution
    old = run_here(bots["orders"], "flow")[0].execution
    WorkflowExecution.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))

    assert _listed(_get(viewer, "/workflows/runs/")) == [waiting.pk, failed.pk, done.pk, old.pk]
    assert _listed(_get(viewer, "/workflows/runs/?bot=refunds")) == [waiting.pk]
    assert _listed(_get(viewer, "/workflows/runs/?status=failed")) == [failed.pk]
    assert _listed(_get(viewer, "/workflows/runs/?workflow=order-flow")) == [done.pk, old.pk]
    today = timezone.localdate()
    assert _listed(_get(viewer, f"/workflows/runs/?since={today}")) == [waiting.pk, failed.pk, done.pk]
    week_ago = today - timedelta(days=7)
    assert _listed(_get(viewer, f"/workflows/runs/?until={week_ago}&bot=orders")) == [old.pk]
    # Children (branches, called bots) are not listed: only workflows.
    assert WorkflowExecution.objects.count() > 4

    html = _get(viewer, "/workflows/runs/?since=yesterday")
    assert _listed(html) == [] and "Write the From day as YYYY-MM-DD." in html
    html = _get(viewer, f"/workflows/runs/?since={today}&until={week_ago}")
    assert "The From day is after the To day" in html
    assert "There is no bot named nobody." in _get(viewer, "/workflows/runs/?bot=nobody")


def test_the_list_is_paginated_keeping_the_filters(bots, viewer, monkeypatch) -> None:
    from workflows.web import runs

    monkeypatch.setattr(runs, "RUNS_PER_PAGE", 2)
    made = [run_here(bots["orders"], "broken")[0].execution.pk for _ in range(3)]
    run_here(bots["refunds"], "refund")
    first = _get(viewer, "/workflows/runs/?status=failed")
    assert _listed(first) == made[::-1][:2] and "Page 1 of 2 (3 runs)" in first
    assert 'href="?status=failed&amp;page=2"' in first
    assert _listed(_get(viewer, "/workflows/runs/?status=failed&page=2")) == made[:1]
