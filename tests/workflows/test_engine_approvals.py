"""HUMAN APPROVAL: a workflow waits for a named person, resumes with the decision, and the
ON TIMEOUT actions decide when nobody does; every decision is kept with who and when."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.workflows.support import make_bot, run_here
from workflows.approvals import ApprovalError, approval_decide
from workflows.engine import LocalDispatch
from workflows.engine.foreground import run_foreground
from workflows.models import ApprovalDecision, ApprovalRequest, ExecutionStatus

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

FLOW = """ORCHESTRATE WORKFLOW "refund"
amount = 120
STEP 1: decision = HUMAN APPROVAL FROM "Manager@Example.com" FOR "refund of " + amount
STEP 2: TALK "approved=" + decision.approved + " by " + decision.by + ": " + decision.comment
"""


@pytest.fixture
def manager():
    return get_user_model().objects.create_user("maria", email="manager@example.com", password="x")


def decide(request: ApprovalRequest, user, *, approve: bool, comment: str) -> list[str]:
    said: list[str] = []
    dispatch = LocalDispatch()
    approval_decide(request, user=user, approve=approve, comment=comment, dispatch=dispatch)
    run_foreground(request.execution, dispatch, on_talk=lambda _e, m: said.append(m.content), max_sleep=0.05)
    return said


def test_the_named_approver_decides_and_the_workflow_goes_on(make_package, manager) -> None:
    bot = make_bot(make_package, "refunds", {"flow.bas": FLOW})
    outcome, said = run_here(bot, "flow")
    assert said == [] and outcome.execution.status == ExecutionStatus.WAITING
    [request] = outcome.needs_person
    assert (request.approver, request.subject, request.step, request.status) == (
        "Manager@Example.com",
        "refund of 120",
        "1",
        "pending",
    )
    stranger = get_user_model().objects.create_user("sam", email="sam@example.com", password="x")
    with pytest.raises(ApprovalError, match="only Manager@Example.com or a staff member"):
        approval_decide(request, user=stranger, approve=True, dispatch=LocalDispatch())
    assert decide(request, manager, approve=True, comment="fine") == ["approved=true by maria: fine"]
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_at is not None
    decision = ApprovalDecision.objects.get(request=request)
    assert (decision.decision, decision.actor, decision.decided_by, decision.comment) == (
        "approved",
        "maria",
        manager,
        "fine",
    )
    with pytest.raises(ApprovalError, match="already approved"):
        approval_decide(request, user=manager, approve=False, dispatch=LocalDispatch())
    request.execution.refresh_from_db()
    assert request.execution.status == ExecutionStatus.COMPLETED


def test_an_unassigned_rejection_stops_the_workflow_with_the_reason(make_package, manager) -> None:
    bot = make_bot(
        make_package,
        "refunds",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "refund"
STEP 1: HUMAN APPROVAL FROM "maria"
STEP 2: TALK "refunded"
"""
        },
    )
    outcome, _said = run_here(bot, "flow")
    [request] = outcome.needs_person
    assert decide(request, manager, approve=False, comment="too much") == []
    execution = request.execution
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == "refunds.gbdialog/flow.bas:2:9: HUMAN APPROVAL was rejected by maria: too much"


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("APPROVE WITH WARNING", "approved=true warning=true by timeout"),
        ("REJECT ORDER", "approved=false warning=false by timeout"),
    ],
)
def test_on_timeout_actions_decide_when_nobody_does(make_package, action, expected) -> None:
    bot = make_bot(
        make_package,
        "refunds",
        {
            "flow.bas": f"""ORCHESTRATE WORKFLOW "refund"
STEP 1: d = HUMAN APPROVAL FROM "maria"
    TIMEOUT 0.2
    ON TIMEOUT: {action}
STEP 2: TALK "approved=" + d.approved + " warning=" + d.warning + " by " + d.by
"""
        },
    )
    outcome, said = run_here(bot, "flow")
    assert outcome.execution.status == ExecutionStatus.COMPLETED, outcome.execution.error
    assert said == [expected]
    request = ApprovalRequest.objects.get(execution=outcome.execution)
    decision = request.decisions.get()
    assert (decision.actor, decision.decided_by, decision.warning) == ("timeout", None, "WARNING" in action)
    outcome_text = "approved on timeout with a warning" if "WARNING" in action else "rejected (ORDER)"
    assert decision.comment == f"no decision after 0.2 s: {outcome_text}"


def test_escalation_asks_the_next_person_after_the_timeout(make_package, manager) -> None:
    bot = make_bot(
        make_package,
        "refunds",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "refund"
STEP 1: d = HUMAN APPROVAL FROM "someone-else"
    TIMEOUT 0.2
    ON TIMEOUT: ESCALATE TO "maria"
STEP 2: TALK "by " + d.by
"""
        },
    )
    outcome, _said = run_here(bot, "flow")
    first = ApprovalRequest.objects.get(execution=outcome.execution, escalated_from=None)
    assert first.status == "escalated" and first.decisions.get().actor == "timeout"
    # The escalation has the same TIMEOUT and no further action: nobody answered, so it was rejected.
    escalation = first.escalations.get()
    assert escalation.approver == "maria" and escalation.status == "rejected"
    assert outcome.execution.status == ExecutionStatus.COMPLETED
    assert _said == ["by timeout"]


def test_a_decision_made_before_the_timeout_wins(make_package, manager) -> None:
    bot = make_bot(
        make_package,
        "refunds",
        {
            "flow.bas": """ORCHESTRATE WORKFLOW "refund"
STEP 1: d = HUMAN APPROVAL FROM "maria" TIMEOUT 3600 ON TIMEOUT: APPROVE
STEP 2: TALK "approved=" + d.approved + " by " + d.by
"""
        },
    )
    dispatch = LocalDispatch()
    from tests.workflows.support import start
    from workflows.engine import advance

    execution = start(bot, "flow", dispatch=dispatch)
    while dispatch.ready:
        advance(dispatch.ready.popleft(), dispatch=dispatch, worker="test")
    request = ApprovalRequest.objects.get(execution=execution)
    assert decide(request, manager, approve=False, comment="no") == ["approved=false by maria"]
    assert not execution.timers.filter(fired_at__isnull=True).exists()
