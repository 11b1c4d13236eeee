"""The workflow admin: every page renders read-only with its filters, search and inlines; the
approve/reject actions go through approval_decide, so the workflow resumes on a worker."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.workflows.support import make_bot, run_here, start, wait_final
from workflows.engine import LocalDispatch, advance
from workflows.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ExecutionEffect,
    ExecutionKind,
    ExecutionStatus,
    StepRun,
    WorkflowExecution,
    WorkflowTimer,
)

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = """ORCHESTRATE WORKFLOW "order-flow"
STEP 1 "total": total = 2 * 21
STEP 2: note = BOT "helper" "summarise"
STEP 3: PARALLEL
  BRANCH A:
    a = 1
  BRANCH B:
    b = 2
END PARALLEL
END WORKFLOW
"""

ASK = """ORCHESTRATE WORKFLOW "ask-boss"
STEP 1: amount = 99
STEP 2: ok = HUMAN APPROVAL FROM "boss" FOR "Spend 99"
END WORKFLOW
RETURN ok.comment
"""

NAP = """ORCHESTRATE WORKFLOW "nap"
STEP 1: DELAY 3600
END WORKFLOW
"""


@pytest.fixture
def runs(make_package) -> dict[str, WorkflowExecution]:
    make_bot(make_package, "helper", {"start.bas": 'RETURN "noted " + task\n'})
    bot = make_bot(make_package, "ops", {"order.bas": ORDER, "ask.bas": ASK, "nap.bas": NAP})
    order, _ = run_here(bot, "order")
    ask, _ = run_here(bot, "ask")
    dispatch = LocalDispatch()
    nap = start(bot, "nap", dispatch=dispatch)
    assert advance(dispatch.ready.popleft(), dispatch=dispatch, worker="test") == "waiting"
    assert order.execution.status == ExecutionStatus.COMPLETED
    return {"order": order.execution, "ask": ask.execution, "nap": nap}


@pytest.mark.parametrize(
    ("model", "search", "hits"),
    [
        ("workflowexecution", "order-flow", 3),  # the workflow and its two branches (not the bot call)
        ("steprun", "total", 1),
        ("workflowtimer", "nap", 1),
        ("approvalrequest", "Spend 99", 1),
        ("executioneffect", "BOT", 1),
    ],
)
def test_admin_pages_render_read_only(admin_client, runs, model: str, search: str, hits: int) -> None:
    changelist = reverse(f"admin:workflows_{model}_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200 and response.context["cl"].result_count >= hits
    found = admin_client.get(changelist, {"q": search})
    assert found.status_code == 200 and found.context["cl"].result_count == hits
    assert admin_client.get(changelist, {"q": "no-such-thing-anywhere"}).context["cl"].result_count == 0
    obj = found.context["cl"].result_list[0]
    change = admin_client.get(reverse(f"admin:workflows_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()  # nothing to edit by hand
    assert admin_client.get(reverse(f"admin:workflows_{model}_add")).status_code == 403


def test_execution_filters_inlines_and_children_link(admin_client, runs) -> None:
    changelist = reverse("admin:workflows_workflowexecution_changelist")
    waiting = admin_client.get(changelist, {"status__exact": "waiting"}).context["cl"].result_list
    assert {e.pk for e in waiting} == {runs["ask"].pk, runs["nap"].pk}
    branches = admin_client.get(changelist, {"kind__exact": "branch"}).context["cl"].result_list
    assert sorted(e.branch for e in branches) == ["A", "B"]
    helper = WorkflowExecution.objects.get(kind=ExecutionKind.BOT)
    by_bot = admin_client.get(changelist, {"bot__id__exact": helper.bot_id}).context["cl"].result_list
    assert [e.pk for e in by_bot] == [helper.pk]

    order = runs["order"]
    page = admin_client.get(
        reverse("admin:workflows_workflowexecution_change", args=[order.pk])
    ).content.decode()
    assert "noted summarise" in page  # the StepRun inline shows what step 2 set
    assert "42" in page and "total" in page
    link = re.search(r'href="([^"]+\?parent__id__exact=\d+)">3 branch\(es\) and bot call\(s\)</a>', page)
    assert link is not None
    children = admin_client.get(link.group(1).replace("&amp;", "&")).context["cl"].result_list
    assert {e.pk for e in children} == set(order.children.values_list("pk", flat=True))
    child_page = admin_client.get(reverse("admin:workflows_workflowexecution_change", args=[helper.pk]))
    assert (
        f'href="{reverse("admin:workflows_workflowexecution_change", args=[order.pk])}"'
        in child_page.content.decode()
    )


def test_approve_action_resumes_the_workflow_and_keeps_the_decision(
    admin_client, runs, workflow_queue
) -> None:
    request = ApprovalRequest.objects.get()
    page = admin_client.get(
        reverse("admin:workflows_approvalrequest_change", args=[request.pk])
    ).content.decode()
    assert "Spend 99" in page and "boss" in page
    changelist = reverse("admin:workflows_approvalrequest_changelist")
    response = admin_client.post(
        changelist, {"action": "approve", "_selected_action": [request.pk]}, follow=True
    )
    assert "Approved 1 request(s); their workflows go on." in response.content.decode()

    execution = wait_final(runs["ask"])
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert execution.result == "approved in the admin"
    decision = ApprovalDecision.objects.get()
    assert (decision.decision, decision.actor, decision.decided_by.username) == ("approved", "admin", "admin")
    page = admin_client.get(
        reverse("admin:workflows_approvalrequest_change", args=[request.pk])
    ).content.decode()
    assert "approved in the admin" in page  # the decision inline

    again = admin_client.post(changelist, {"action": "reject", "_selected_action": [request.pk]}, follow=True)
    assert f"Approval #{request.pk}: this request was already approved." in again.content.decode()
    assert ApprovalDecision.objects.count() == 1
    assert ApprovalRequest.objects.get().status == ApprovalStatus.APPROVED


def test_cancel_action_cancels_roots_only(admin_client, runs) -> None:
    changelist = reverse("admin:workflows_workflowexecution_changelist")
    branch = WorkflowExecution.objects.filter(kind=ExecutionKind.BRANCH).first()
    selected = [runs["nap"].pk, runs["order"].pk, branch.pk]
    response = admin_client.post(
        changelist, {"action": "cancel_executions", "_selected_action": selected}, follow=True
    )
    page = response.content.decode()
    assert "Cancelled 1 workflow(s)." in page
    assert f"#{runs['order'].pk}: workflow execution {runs['order'].pk} has already completed" in page
    assert (
        f"#{branch.pk}: execution {branch.pk} is a parallel branch of workflow {runs['order'].pk}; "
        "cancel the workflow at the top of the tree"
    ) in page
    runs["nap"].refresh_from_db()
    assert runs["nap"].status == ExecutionStatus.CANCELLED and runs["nap"].error.startswith(
        "cancelled: in the admin"
    )
    assert not WorkflowTimer.objects.filter(execution=runs["nap"], fired_at__isnull=True).exists()
    assert StepRun.objects.filter(execution=runs["order"]).count() == 3
    assert ExecutionEffect.objects.filter(execution=runs["order"]).exists()
