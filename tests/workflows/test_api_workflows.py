"""/api/workflows/: start (on a real worker), status with step history, list with filters,
cancel and resume; the clear errors; the OpenAPI schema."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflows.support import make_bot, run_here, wait_final
from workflows.models import (
    ApprovalRequest,
    ApprovalStatus,
    ExecutionKind,
    ExecutionStatus,
    StepRun,
    WorkflowExecution,
)
from workflows.services import WorkflowError, workflow_cancel

# Workers and the foreground loop act after commit, so most tests need real transactions.
on_commit = pytest.mark.django_db(transaction=True)

FLOW = """ORCHESTRATE WORKFLOW "order-flow"
STEP 1 "check": total = qty * price
STEP 2 "ask helper": note = BOT "helper" "summarise"
STEP 3: PARALLEL
  BRANCH A:
    a = total + 1
  BRANCH B:
    b = total + 2
END PARALLEL
END WORKFLOW
RETURN total + a + b
"""

APPROVAL = """ORCHESTRATE WORKFLOW "needs-ok"
STEP 1: amount = 5
STEP 2: ok = HUMAN APPROVAL FROM "alice" FOR "Pay " + amount
END WORKFLOW
"""

FAILING = """ORCHESTRATE WORKFLOW "fragile"
STEP 1: first = 1
STEP 2: answer = BOT "flaky" "go"
END WORKFLOW
RETURN answer
"""


@pytest.fixture
def api() -> APIClient:
    user = get_user_model().objects.create_user("api", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def bots(make_package):
    make_bot(make_package, "helper", {"start.bas": 'RETURN "summary of " + task\n'})
    return make_bot(
        make_package, "shop", {"order.bas": FLOW, "approve.bas": APPROVAL, "plain.bas": "RETURN 7\n"}
    )


def _wait_status(pk: int, status: str, timeout: float = 30.0) -> WorkflowExecution:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = WorkflowExecution.objects.get(pk=pk)
        if execution.status == status:
            return execution
        time.sleep(0.05)
    raise AssertionError(f"workflow {pk} is {WorkflowExecution.objects.get(pk=pk).status}, not {status}")


@on_commit
def test_start_by_name_runs_on_a_worker_and_status_shows_steps_and_children(
    bots, api, workflow_queue
) -> None:
    response = api.post(
        "/api/workflows/",
        {"bot": "shop", "workflow": "ORDER-FLOW", "inputs": {"qty": 3, "Price": 10}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    started = response.json()
    assert response["Location"] == f"/api/workflows/{started['id']}/"
    assert (
        started["bot"] == "shop"
        and started["workflow_name"] == "order-flow"
        and started["kind"] == "workflow"
    )
    assert started["inputs"] == {"qty": 3, "price": 10}
    assert started["script"].endswith("order.bas") and len(started["script_version"]) >= 32

    wait_final(WorkflowExecution.objects.get(pk=started["id"]))
    data = api.get(f"/api/workflows/{started['id']}/").json()
    assert data["status"] == "completed", data["error"]
    assert data["result"] == 30 + 31 + 32
    assert data["started_at"] and data["finished_at"] and data["duration_seconds"] >= 0
    assert data["current_step"] == "" and data["waiting_for"] == "" and data["pending_approvals"] == []
    root_steps = [
        (s["step"], s["title"], s["status"], s["output"])
        for s in data["steps"]
        if s["execution"] == data["id"]
    ]
    assert root_steps == [
        ("1", "check", "completed", {"total": 30}),
        ("2", "ask helper", "completed", {"note": "summary of summarise"}),
        ("3", "", "completed", {"a": 31, "b": 32}),
    ]
    assert all(s["duration_seconds"] is not None and s["worker"] for s in data["steps"])
    children = {(c["kind"], c["branch"], c["bot"]): c for c in data["children"]}
    assert set(children) == {("bot", "", "helper"), ("branch", "A", "shop"), ("branch", "B", "shop")}
    assert children[("bot", "", "helper")]["result"] == "summary of summarise"
    assert children[("branch", "A", "shop")]["result"] == {"a": 31}
    assert all(c["status"] == "completed" and c["parent"] == data["id"] for c in children.values())


@on_commit
def test_start_by_script_stem(bots, api, workflow_queue) -> None:
    response = api.post("/api/workflows/", {"bot": "shop", "script": "plain"}, format="json")
    assert response.status_code == 201
    execution = wait_final(WorkflowExecution.objects.get(pk=response.json()["id"]))
    assert execution.status == ExecutionStatus.COMPLETED and execution.result == 7


@pytest.mark.parametrize(
    ("body", "status", "field", "says"),
    [
        ({"bot": "nobody", "workflow": "order-flow"}, 404, "detail", "No active bot named 'nobody'"),
        ({"bot": "shop", "workflow": "no-such-flow"}, 404, "detail", 'ORCHESTRATE WORKFLOW "no-such-flow"'),
        ({"bot": "shop", "script": "missing"}, 404, "detail", "has no script missing.bas"),
        ({"bot": "shop", "workflow": "order-flow", "inputs": [1, 2]}, 400, "inputs", "must be a JSON object"),
        ({"bot": "shop", "workflow": "order-flow", "inputs": "x"}, 400, "inputs", "not a str"),
        ({"bot": "shop"}, 400, "non_field_errors", 'give either "workflow"'),
        ({"bot": "shop", "workflow": "order-flow", "script": "order"}, 400, "non_field_errors", "not both"),
        ({"workflow": "order-flow"}, 400, "bot", "required"),
    ],
)
@pytest.mark.django_db
def test_start_errors_say_what_to_fix(bots, api, body, status: int, field: str, says: str) -> None:
    response = api.post("/api/workflows/", body, format="json")
    assert response.status_code == status
    message = response.json()[field]
    assert says in (message if isinstance(message, str) else " ".join(message))
    assert not WorkflowExecution.objects.exists()


@pytest.mark.django_db
def test_authentication_is_required(bots) -> None:
    client = APIClient()
    assert client.get("/api/workflows/").status_code == 401
    assert (
        client.post("/api/workflows/", {"bot": "shop", "script": "plain"}, format="json").status_code == 401
    )
    assert not WorkflowExecution.objects.exists()


@on_commit
def test_list_filters_paginates_newest_first_and_hides_children(bots, api, make_package) -> None:
    other = make_bot(make_package, "other", {"order.bas": FLOW.replace("order-flow", "other-flow")})
    first, _ = run_here(bots, "order")
    second, _ = run_here(other, "order")
    waiting, _ = run_here(bots, "approve")
    assert first.execution.status == second.execution.status == ExecutionStatus.COMPLETED
    assert waiting.execution.status == ExecutionStatus.WAITING

    def ids(query: str = "") -> list[int]:
        response = api.get(f"/api/workflows/{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    newest_first = [waiting.execution.pk, second.execution.pk, first.execution.pk]
    assert ids() == newest_first
    assert ids("?bot=other") == [second.execution.pk]
    assert ids("?status=waiting") == [waiting.execution.pk]
    assert ids("?workflow=Order-Flow") == [first.execution.pk]
    assert ids("?bot=shop&status=completed") == [first.execution.pk]
    every = ids("?all=1")
    assert len(every) == 3 + 2 * 3  # each order flow: one bot call and two branches
    assert set(every) == set(WorkflowExecution.objects.values_list("pk", flat=True))

    WorkflowExecution.objects.filter(pk=first.execution.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(f"?created_before={yesterday.replace('+', '%2B')}") == [first.execution.pk]
    assert ids(f"?created_after={yesterday.replace('+', '%2B')}") == newest_first[:2]

    page = api.get("/api/workflows/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"] and page["previous"] is None
    assert [row["id"] for row in api.get(page["next"]).json()["results"]] == [first.execution.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("?status=sleeping", "status"), ("?created_after=yesterday", "created_after"), ("?all=maybe", "all")],
)
@pytest.mark.django_db
def test_list_refuses_bad_filters(bots, api, query: str, field: str) -> None:
    response = api.get(f"/api/workflows/{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_unknown_execution_is_404(bots, api) -> None:
    for response in (
        api.get("/api/workflows/999999/"),
        api.post("/api/workflows/999999/cancel/"),
        api.post("/api/workflows/999999/resume/"),
    ):
        assert response.status_code == 404
        assert "No workflow execution 999999" in response.json()["detail"]


@on_commit
def test_status_of_a_waiting_workflow_shows_what_it_waits_for(bots, api) -> None:
    outcome, _ = run_here(bots, "approve")
    data = api.get(f"/api/workflows/{outcome.execution.pk}/").json()
    assert data["status"] == "waiting" and data["waiting_for"] == "approval" and data["current_step"] == "2"
    assert data["waiting_detail"]["approver"] == "alice"
    [pending] = data["pending_approvals"]
    assert pending["approver"] == "alice" and pending["subject"] == "Pay 5" and pending["step"] == "2"
    assert pending["variables"] == {"amount": 5} and pending["decisions"] == []
    assert [(s["step"], s["status"]) for s in data["steps"]] == [("1", "completed"), ("2", "running")]
    assert data["finished_at"] is None and data["duration_seconds"] is None


@on_commit
def test_status_of_a_branch_finds_its_subtree_once(bots, api) -> None:
    """A branch's steps, children and approvals come from its own subtree, found once per
    request: it costs one query more than its root's status (which needs no search)."""
    outcome, _ = run_here(bots, "order")
    branch = WorkflowExecution.objects.get(parent=outcome.execution, branch="A")

    def status(pk: int) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/api/workflows/{pk}/")
        assert response.status_code == 200
        return len(queries), response.json()

    root_queries, _root = status(outcome.execution.pk)
    branch_queries, data = status(branch.pk)
    assert branch_queries == root_queries + 1
    assert data["kind"] == "branch" and data["children"] == [] and data["pending_approvals"] == []
    assert {s["execution"] for s in data["steps"]} <= {branch.pk}


@on_commit
def test_cancel_a_waiting_workflow_then_conflicts(bots, api) -> None:
    outcome, _ = run_here(bots, "approve")
    pk = outcome.execution.pk
    response = api.post(f"/api/workflows/{pk}/cancel/", {"reason": "not needed"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "cancelled" and data["error"] == "cancelled: not needed" and data["finished_at"]
    assert data["pending_approvals"] == []
    assert ApprovalRequest.objects.get().status == ApprovalStatus.CANCELLED

    again = api.post(f"/api/workflows/{pk}/cancel/")
    assert again.status_code == 409
    assert again.json()["detail"] == f"workflow execution {pk} has already cancelled"
    resumed = api.post(f"/api/workflows/{pk}/resume/")
    assert resumed.status_code == 409
    assert resumed.json()["detail"] == f"only a failed workflow can be resumed; execution {pk} is cancelled"


@on_commit
def test_cancel_of_a_branch_or_bot_call_points_at_the_root(bots, api) -> None:
    outcome, _ = run_here(bots, "order")
    child = WorkflowExecution.objects.filter(parent=outcome.execution, kind=ExecutionKind.BOT).get()
    response = api.post(f"/api/workflows/{child.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"execution {child.pk} is a bot call of workflow {outcome.execution.pk}; "
        "cancel the workflow at the top of the tree"
    )
    # the rule is the service's, whoever calls it (the admin, gb, a script of the operator's)
    running = WorkflowExecution.objects.filter(pk=child.pk)
    running.update(status=ExecutionStatus.RUNNING, finished_at=None)
    with pytest.raises(WorkflowError, match="cancel the workflow at the top of the tree"):
        workflow_cancel(child)
    assert running.get().status == ExecutionStatus.RUNNING


@on_commit
def test_resume_a_failed_workflow_skips_completed_steps(make_package, api, workflow_queue) -> None:
    make_bot(make_package, "flaky", {"start.bas": 'THROW "the printer is on fire"\n'})
    bot = make_bot(make_package, "ops", {"fragile.bas": FAILING})
    outcome, _ = run_here(bot, "fragile")
    pk = outcome.execution.pk
    assert outcome.execution.status == ExecutionStatus.FAILED
    assert "the printer is on fire" in outcome.execution.error

    running = api.post(f"/api/workflows/{pk}/resume/")  # still broken: fails again on the worker
    assert running.status_code == 200 and running.json()["status"] == "running"
    assert wait_final(WorkflowExecution.objects.get(pk=pk)).status == ExecutionStatus.FAILED

    Path(make_package.root, "flaky.gbai/flaky.gbdialog/start.bas").write_text(
        'RETURN "printed " + first\n', encoding="utf-8"
    )
    assert api.post(f"/api/workflows/{pk}/resume/").status_code == 200
    execution = wait_final(WorkflowExecution.objects.get(pk=pk))
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert execution.result == "printed 1"
    attempts = list(StepRun.objects.filter(execution=execution).values_list("step", "attempt", "status"))
    assert attempts == [("1", 1, "completed"), ("2", 1, "failed"), ("2", 2, "failed"), ("2", 3, "completed")]
    again = api.post(f"/api/workflows/{pk}/resume/")
    assert again.status_code == 409 and "is completed" in again.json()["detail"]


def test_openapi_schema_describes_the_workflow_api(client, db) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/workflows/",
        "/api/workflows/{id}/",
        "/api/workflows/{id}/cancel/",
        "/api/workflows/{id}/resume/",
        "/api/approvals/",
        "/api/approvals/{id}/",
        "/api/approvals/{id}/approve/",
        "/api/approvals/{id}/reject/",
    } <= set(paths)
    assert paths["/api/workflows/"]["post"]["operationId"] == "workflows_start"
    assert set(paths["/api/workflows/"]["post"]["responses"]) >= {"201", "400", "404"}
    params = {p["name"] for p in paths["/api/workflows/"]["get"]["parameters"]}
    assert params >= {
        "bot",
        "status",
        "workflow",
        "created_after",
        "created_before",
        "all",
        "page",
        "page_size",
    }
    assert set(paths["/api/workflows/{id}/cancel/"]["post"]["responses"]) >= {"200", "409"}
    assert set(paths["/api/approvals/{id}/approve/"]["post"]["responses"]) >= {"200", "403", "409"}
    detail = schema["components"]["schemas"]["WorkflowDetail"]["properties"]
    assert {"steps", "children", "pending_approvals", "inputs", "result", "error", "current_step"} <= set(
        detail
    )
    assert "results" in schema["components"]["schemas"]["PaginatedWorkflowListList"]["properties"]


def test_the_api_document_covers_every_endpoint_of_the_schema(client, db, settings) -> None:
    text = (Path(settings.BASE_DIR) / "docs/api/workflow-api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `(GET|POST) (/api/[^`]+)`", text, re.MULTILINE))
    documented |= {(m, p) for m, p in re.findall(r"`(GET|POST) (/api/approvals/<id>/[a-z/]*)`", text)}
    schema = client.get("/api/openapi.json").json()["paths"]
    served = {
        (method.upper(), path.replace("{id}", "<id>"))
        for path, operations in schema.items()
        if path.startswith(("/api/workflows/", "/api/approvals/"))
        for method in operations
    }
    assert served == documented
