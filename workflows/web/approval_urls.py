from django.urls import path

from workflows.web.approvals import approval_decide_view, approvals_page

urlpatterns = [
    path("", approvals_page, name="approvals"),
    path("<int:pk>/decide/", approval_decide_view, name="approval-decide"),
]
