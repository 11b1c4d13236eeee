from django.urls import path

from workflows.api.views import (
    ApprovalApproveApi,
    ApprovalDetailApi,
    ApprovalListApi,
    ApprovalRejectApi,
    WorkflowCancelApi,
    WorkflowDetailApi,
    WorkflowListApi,
    WorkflowResumeApi,
)

urlpatterns = [
    path("workflows/", WorkflowListApi.as_view(), name="workflows-list"),
    path("workflows/<int:pk>/", WorkflowDetailApi.as_view(), name="workflows-detail"),
    path("workflows/<int:pk>/cancel/", WorkflowCancelApi.as_view(), name="workflows-cancel"),
    path("workflows/<int:pk>/resume/", WorkflowResumeApi.as_view(), name="workflows-resume"),
    path("approvals/", ApprovalListApi.as_view(), name="approvals-list"),
    path("approvals/<int:pk>/", ApprovalDetailApi.as_view(), name="approvals-detail"),
    path("approvals/<int:pk>/approve/", ApprovalApproveApi.as_view(), name="approvals-approve"),
    path("approvals/<int:pk>/reject/", ApprovalRejectApi.as_view(), name="approvals-reject"),
]
