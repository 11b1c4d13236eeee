"""The run pages, under ``/workflows/`` (gbproject/urls.py)."""

from django.urls import path

from workflows.web.runs import run_list_page, run_page

urlpatterns = [
    path("runs/", run_list_page, name="workflow-runs"),
    path("runs/<int:pk>/", run_page, name="workflow-run"),
]
