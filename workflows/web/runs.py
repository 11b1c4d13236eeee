"""The run pages: ``/workflows/runs/`` (the list, with filters) and ``/workflows/runs/<id>/`` (one
run as its diagram, kept live by the socket ``ws/workflows/runs/<id>/``, workflows/consumers.py).

Any signed-in user may look, as with the REST API and the bot event socket; deciding approvals
stays on ``/approvals/``, where only the named approver or staff may.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET

from bots.models import Bot
from workflows import selectors
from workflows.models import ExecutionStatus, WorkflowExecution
from workflows.web import runview

LOGIN_URL = reverse_lazy("admin:login")
RUNS_PER_PAGE = 25
LIVE_TEMPLATE = "workflows/run_live.html"


class RunFilters(forms.Form):
    bot = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "any status"), *ExecutionStatus.choices])
    workflow = forms.CharField(required=False, max_length=200)
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "Write the From day as YYYY-MM-DD."})
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "Write the To day as YYYY-MM-DD."})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = Bot.objects.order_by("name").values_list("name", flat=True)
        self.fields["bot"].choices = [("", "any bot"), *((name, name) for name in names)]
        self.fields["bot"].error_messages["invalid_choice"] = "There is no bot named %(value)s."

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The From day is after the To day; swap them.")
        return data


@require_GET
@login_required(login_url=LOGIN_URL)
def run_list_page(request: HttpRequest) -> HttpResponse:
    filters = RunFilters(request.GET or None)
    runs = runview.run_list()
    if filters.is_bound and filters.is_valid():
        runs = runview.run_list(**filters.cleaned_data)
    elif filters.is_bound:
        runs = runs.none()
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(run, runview.duration_text(run.started_at, run.finished_at)) for run in page]
    context = {
        "filters": filters, "page": page, "rows": rows, "query": query.urlencode(),
        "workflows": runview.workflow_names(),
    }
    return render(request, "workflows/run_list.html", context)


@require_GET
@login_required(login_url=LOGIN_URL)
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    execution = selectors.execution_get(pk=pk)
    if execution is None:
        raise Http404(f"There is no workflow run #{pk}.")
    if execution.root_id is not None:  # a branch or a called bot: shown inside its workflow's page
        return redirect(f"{reverse('workflow-run', args=[execution.root_id])}#run-{execution.pk}")
    view = runview.run_view(execution)
    return render(request, "workflows/run.html", {"view": view, "run": view.execution})


def live_fragment(execution: WorkflowExecution) -> str:
    """The part of the run page that changes, as the socket sends it (an htmx out-of-band swap)."""
    view = runview.run_view(execution)
    return render_to_string(LIVE_TEMPLATE, {"view": view, "run": view.execution, "oob": True})
