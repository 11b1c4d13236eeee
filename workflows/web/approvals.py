"""The ``/approvals/`` page: the signed-in person's approval requests, decided with htmx.

Decisions go through :func:`workflows.approvals.approval_decide` (so the workflow resumes);
only the named approver or staff may decide, anyone else gets a 403 that says who may.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from workflows import selectors
from workflows.approvals import ApprovalError, ApprovalForbidden, approval_decide, may_decide
from workflows.models import ApprovalRequest, ApprovalStatus

LOGIN_URL = reverse_lazy("admin:login")
DECIDED_SHOWN = 50


@dataclass(slots=True)
class Card:
    """One request as the page shows it."""

    request: ApprovalRequest
    variables: list[tuple[str, str]]
    decidable: bool
    root_id: int


def _cards(requests: list[ApprovalRequest], user: Any) -> list[Card]:
    """The cards of ``requests``, their variables read at once (one query for the whole page)."""
    variables = selectors.approval_variables_many(requests)
    return [_card(request, variables[request.pk], user) for request in requests]


def _card(request: ApprovalRequest, variables: dict[str, Any], user: Any) -> Card:
    shown = [
        (name, json.dumps(value, ensure_ascii=False, default=str))
        for name, value in sorted(variables.items())
    ]
    return Card(
        request=request,
        variables=shown,
        decidable=request.status == ApprovalStatus.PENDING and may_decide(request, user),
        root_id=request.execution.tree_root_id,
    )


@require_GET
@login_required(login_url=LOGIN_URL)
def approvals_page(request: HttpRequest) -> HttpResponse:
    pending = list(selectors.approval_list(user=request.user, status=ApprovalStatus.PENDING))
    everything = selectors.approval_list(user=request.user, status="")
    decided = list(everything.exclude(status=ApprovalStatus.PENDING)[:DECIDED_SHOWN])
    cards = _cards(pending + decided, request.user)
    context = {
        "pending": cards[: len(pending)],
        "decided": cards[len(pending) :],
        "everyone": request.user.is_staff,
    }
    return render(request, "workflows/approvals.html", context)


def _refused(request: HttpRequest, pk: int, message: str, status: int) -> HttpResponse:
    """The error where the person acted: inside the card (htmx) or as a page."""
    if request.htmx:  # type: ignore[attr-defined]
        response = render(
            request, "workflows/approvals_error.html", {"message": message, "fragment": True}, status=status
        )
        return reswap(retarget(response, f"#approval-{pk}-status"), "innerHTML")
    return render(
        request, "workflows/approvals_error.html", {"message": message, "fragment": False}, status=status
    )


@require_POST
@login_required(login_url=LOGIN_URL)
def approval_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    approval = selectors.approval_get(pk=pk)
    if approval is None:
        return _refused(request, pk, f"There is no approval request {pk}.", 404)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        return _refused(request, pk, 'Choose "approve" or "reject" (the form field decision).', 400)
    comment = request.POST.get("comment", "")
    try:
        approval_decide(approval, user=request.user, approve=decision == "approve", comment=comment)
    except ApprovalForbidden:
        return _refused(
            request,
            pk,
            f"Only {approval.approver} or a staff member may decide approval request {pk}; "
            f"you are signed in as {request.user.get_username()}.",
            403,
        )
    except ApprovalError as exc:
        return _refused(request, pk, f"Approval request {pk}: {exc}.", 409)
    decided = selectors.approval_get(pk=pk)
    assert decided is not None
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "workflows/approvals_card.html", {"card": _cards([decided], request.user)[0]})
    messages.success(request, f"Approval request {pk} {decided.get_status_display().lower()}.")
    return redirect("approvals")
