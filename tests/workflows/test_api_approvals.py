"""/api/approvals/: a HUMAN APPROVAL waits; the named approver decides through the API with a
comment and the workflow, on a real worker, goes on; anyone else gets 403 and nothing changes."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflows.support import make_bot, run_here, talked, wait_final
from workflows.approvals import ApprovalError, ApprovalForbidden, approval_decide
from workflows.engine import LocalDispatch
from workflows.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ExecutionStatus,
    WorkflowExecution,
)

pytestmark = pytest.mark.django_db(transaction=True)

REFUND = """ORCHESTRATE WORKFLOW "refund"
STEP 1 "prepare": amount = 120
customer = "Ana"
STEP 2 "manager": answer = HUMAN APPROVAL FROM "Alice@Example.com" FOR "Refund " + amount + " to " + customer
TALK "decided: " + answer.decision + " by " + answer.by + ": " + answer.comment
END WORKFLOW
RETURN answer.approved
"""

STRICT = """ORCHESTRATE WORKFLOW "strict"
STEP 1: HUMAN APPROVAL FROM "alice"
END WORKFLOW
RETURN "went on"
"""


def _client(username: str, *, email: str = "", staff: bool = False) -> APIClient:
    user = get_user_model().objects.create_user(username, email=email, password="pw", is_staff=staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def people() -> dict[str, APIClient]:
    return {
        "alice": _client("alice", email="alice@example.com"),
        "bob": _client("bob", email="bob@example.com"),
        "boss": _client("boss", staff=True),
    }


@pytest.fixture
def bot(make_package):
    return make_bot(make_package, "money", {"refund.bas": REFUND, "strict.bas": STRICT})


def _waiting_for_approval(pk: int, timeout: float = 30.0) -> WorkflowExecution:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = WorkflowExecution.objects.get(pk=pk)
        if execution.waiting_for == "approval":
            return execution
        assert not execution.is_final, execution.error
        time.sleep(0.05)
    raise AssertionError(f"workflow {pk} never waited for an approval")


def test_approve_through_the_api_resumes_the_workflow_on_a_worker(bot, people, workflow_queue) -> None:
    started = people["bob"].post("/api/workflows/", {"bot": "money", "workflow": "refund"}, format="json")
    assert started.status_code == 201
    pk = started.json()["id"]
    _waiting_for_approval(pk)

    inbox = people["alice"].get("/api/approvals/").json()
    assert inbox["count"] == 1
    [request] = inbox["results"]
    assert request["approver"] == "Alice@Example.com" and request["status"] == "pending"
    assert request["subject"] == "Refund 120 to Ana" and request["step"] == "2"
    assert request["workflow"] == pk and request["workflow_name"] == "refund" and request["bot"] == "money"
    assert request["variables"] == {"amount": 120, "customer": "Ana"}
    assert people["bob"].get("/api/approvals/").json()["count"] == 0

    refused = people["bob"].post(
        f"/api/approvals/{request['id']}/approve/", {"comment": "sure"}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        f"Only Alice@Example.com or a staff member may decide approval request {request['id']}."
    )
    assert people["bob"].get(f"/api/approvals/{request['id']}/").status_code == 403
    assert not ApprovalDecision.objects.exists()
    assert ApprovalRequest.objects.get().status == ApprovalStatus.PENDING
    assert WorkflowExecution.objects.get(pk=pk).status == ExecutionStatus.WAITING

    approved = people["alice"].post(
        f"/api/approvals/{request['id']}/approve/", {"comment": "  Budget checked.  "}, format="json"
    )
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["decided_at"]
    assert [(d["decision"], d["actor"], d["comment"]) for d in body["decisions"]] == [
        ("approved", "alice", "Budget checked.")
    ]

    execution = wait_final(WorkflowExecution.objects.get(pk=pk))
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert execution.result is True
    assert talked(execution) == ["decided: approved by alice: Budget checked."]
    decision = ApprovalDecision.objects.get()
    assert decision.decided_by.username == "alice" and decision.comment == "Budget checked."
    assert decision.decided_at is not None and decision.decision == ApprovalStatus.APPROVED

    again = people["alice"].post(
        f"/api/approvals/{request['id']}/reject/", {"comment": "oops"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["detail"] == f"Approval request {request['id']}: this request was already approved."
    assert ApprovalDecision.objects.count() == 1
    assert people["alice"].get("/api/approvals/").json()["count"] == 0
    history = people["alice"].get("/api/approvals/?status=approved").json()["results"]
    assert [item["id"] for item in history] == [request["id"]]
    assert history[0]["variables"] == {
        "amount": 120,
        "customer": "Ana",
        "answer": execution_answer(execution),
    }


def execution_answer(execution: WorkflowExecution) -> dict:
    """The map HUMAN APPROVAL gave the script, as the step recorded it."""
    return execution.steps.get(step="2").output["answer"]


def test_staff_reject_without_assignment_fails_the_step_with_the_comment(bot, people, workflow_queue) -> None:
    outcome, _ = run_here(bot, "strict")
    [request] = outcome.needs_person
    assert [r["id"] for r in people["boss"].get("/api/approvals/").json()["results"]] == [request.pk]
    response = people["boss"].post(
        f"/api/approvals/{request.pk}/reject/", {"comment": "no budget"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    execution = wait_final(outcome.execution)
    assert execution.status == ExecutionStatus.FAILED
    assert "HUMAN APPROVAL was rejected by boss: no budget" in execution.error
    assert ApprovalDecision.objects.get().decided_by.username == "boss"


def test_list_filters_by_status_and_shows_only_the_callers_requests(bot, people) -> None:
    first, _ = run_here(bot, "strict")
    second, _ = run_here(bot, "refund")
    decided = first.needs_person[0]
    alice = get_user_model().objects.get(username="alice")
    approval_decide(decided, user=alice, approve=True, comment="fine", dispatch=LocalDispatch())
    pending = second.needs_person[0]

    def ids(client: APIClient, query: str = "") -> list[int]:
        response = client.get(f"/api/approvals/{query}")
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["results"]]

    # alice is "alice" in one request and "Alice@Example.com" (her e-mail, another case) in the other
    assert ids(people["alice"]) == [pending.pk]
    assert ids(people["alice"], "?status=approved") == [decided.pk]
    assert ids(people["alice"], "?status=all") == [pending.pk, decided.pk]
    assert ids(people["bob"], "?status=all") == []
    assert ids(people["boss"], "?status=all") == [pending.pk, decided.pk]
    bad = people["alice"].get("/api/approvals/?status=maybe")
    assert bad.status_code == 400 and "status" in bad.json()
    detail = people["alice"].get(f"/api/approvals/{decided.pk}/").json()
    assert detail["decisions"][0]["comment"] == "fine" and detail["decisions"][0]["actor"] == "alice"


def test_unknown_request_and_anonymous_caller(bot, people) -> None:
    assert people["alice"].post("/api/approvals/424242/approve/").status_code == 404
    assert people["alice"].get("/api/approvals/424242/").json()["detail"] == "No approval request 424242."
    assert APIClient().get("/api/approvals/").status_code == 401
    outcome, _ = run_here(bot, "strict")
    assert APIClient().post(f"/api/approvals/{outcome.needs_person[0].pk}/approve/").status_code == 401
    assert ApprovalRequest.objects.get().status == ApprovalStatus.PENDING


def test_the_list_reads_the_same_rows_for_one_request_or_many(bot, people) -> None:
    """The variables of every listed request come from one query, not one per request."""
    alice = get_user_model().objects.get(username="alice")

    def decided_one() -> None:
        outcome, _ = run_here(bot, "refund")
        approval_decide(outcome.needs_person[0], user=alice, approve=True, dispatch=LocalDispatch())

    def listed() -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as queries:
            response = people["alice"].get("/api/approvals/?status=all")
        assert response.status_code == 200
        return len(queries), response.json()["results"]

    decided_one()
    run_here(bot, "refund")
    one, _results = listed()
    for _ in range(4):
        decided_one()
        run_here(bot, "refund")
    many, results = listed()
    assert many == one and len(results) == 10
    assert sorted(item["status"] for item in results) == ["approved"] * 5 + ["pending"] * 5
    # a decided one from its step's record (the workflow has not gone on here), a pending one
    # from its waiting state
    assert all(item["variables"] == {"amount": 120, "customer": "Ana"} for item in results)


def test_the_list_and_the_decision_read_the_approver_alike(bot, people) -> None:
    """Listed for a person exactly when that person may decide: user name or e-mail, any case,
    spaces around ignored; a blank approver names nobody (not a user without an e-mail)."""
    outcome, _ = run_here(bot, "strict")
    request = outcome.needs_person[0]
    people["nomail"] = _client("nomail")
    cases = [
        (" ALICE@example.com ", "alice", True),
        ("  alice", "alice", True),
        ("alice bob", "alice", False),
        ("", "nomail", False),
        (" ", "nomail", False),
    ]
    for approver, who, addressed in cases:
        ApprovalRequest.objects.filter(pk=request.pk).update(approver=approver)
        listed = [item["id"] for item in people[who].get("/api/approvals/").json()["results"]]
        shown = people[who].get(f"/api/approvals/{request.pk}/").status_code
        assert ((request.pk in listed), shown) == (addressed, 200 if addressed else 403), approver

    bob = get_user_model().objects.get(username="bob")
    with pytest.raises(ApprovalForbidden, match="or a staff member may decide this request") as refused:
        approval_decide(ApprovalRequest.objects.get(pk=request.pk), user=bob, approve=True)
    assert isinstance(refused.value, ApprovalError)
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalStatus.PENDING
