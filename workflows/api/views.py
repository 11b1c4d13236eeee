"""Thin workflow API views: authentication from settings, reads from selectors, writes from
services (workflows.services, workflows.approvals)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows import selectors
from workflows.api.serializers import (
    ApprovalDecideSerializer,
    ApprovalFilterSerializer,
    ApprovalSerializer,
    WorkflowCancelSerializer,
    WorkflowDetailSerializer,
    WorkflowFilterSerializer,
    WorkflowListSerializer,
    WorkflowStartSerializer,
)
from workflows.approvals import ApprovalError, ApprovalForbidden, approval_decide, may_decide
from workflows.models import ApprovalRequest, WorkflowExecution
from workflows.services import WorkflowError, workflow_cancel, workflow_resume, workflow_start


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class Page(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


_ERROR = OpenApiResponse(description='{"detail": "what is wrong and what to do"}')


def _execution(pk: int) -> WorkflowExecution:
    execution = selectors.execution_get(pk=pk)
    if execution is None:
        raise Http404(f"No workflow execution {pk}.")
    return execution


def _detail(pk: int) -> dict:
    return WorkflowDetailSerializer(_execution(pk)).data


class WorkflowListApi(generics.ListAPIView):
    serializer_class = WorkflowListSerializer
    pagination_class = Page

    def get_queryset(self) -> QuerySet[WorkflowExecution]:
        filters = WorkflowFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.execution_list(
            bot=data.get("bot", ""),
            status=data.get("status", ""),
            workflow=data.get("workflow", ""),
            created_after=data.get("created_after"),
            created_before=data.get("created_before"),
            include_children=data["all"],
        )

    @extend_schema(
        operation_id="workflows_list",
        summary="List workflow executions, newest first",
        parameters=[WorkflowFilterSerializer],
        tags=["workflows"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="workflows_start",
        summary="Start a workflow with inputs",
        request=WorkflowStartSerializer,
        responses={201: WorkflowDetailSerializer, 400: _ERROR, 404: _ERROR},
        examples=[
            OpenApiExample(
                "by workflow name",
                value={"bot": "orders", "workflow": "order-processing", "inputs": {"order_id": 7}},
                request_only=True,
            ),
            OpenApiExample(
                "by script", value={"bot": "orders", "script": "refund", "inputs": {}}, request_only=True
            ),
        ],
        tags=["workflows"],
    )
    def post(self, request: Request) -> Response:
        incoming = WorkflowStartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        bot = selectors.bot_for_workflows(name=data["bot"])
        if bot is None:
            raise Http404(f"No active bot named {data['bot']!r}.")
        try:
            script = selectors.start_script(bot=bot, workflow=data["workflow"], script=data["script"])
        except WorkflowError as exc:
            raise Http404(str(exc)) from None
        if script is None:
            raise Http404(f'Bot "{bot.name}" has no script {data["script"]}.bas.')
        execution = workflow_start(bot=bot, script=script, inputs=data["inputs"])
        body = _detail(execution.pk)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": f"/api/workflows/{execution.pk}/"}
        )


class WorkflowDetailApi(APIView):
    @extend_schema(
        operation_id="workflows_retrieve",
        summary="A workflow execution's status, step history, children and pending approvals",
        responses={200: WorkflowDetailSerializer, 404: _ERROR},
        tags=["workflows"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(pk))


class WorkflowCancelApi(APIView):
    @extend_schema(
        operation_id="workflows_cancel",
        summary="Cancel a workflow that has not ended, with its branches and bot calls",
        request=WorkflowCancelSerializer,
        responses={200: WorkflowDetailSerializer, 404: _ERROR, 409: _ERROR},
        tags=["workflows"],
    )
    def post(self, request: Request, pk: int) -> Response:
        incoming = WorkflowCancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        execution = _execution(pk)
        reason = incoming.validated_data["reason"].strip() or f"by {request.user.get_username()}"
        try:
            workflow_cancel(execution, reason=reason)
        except WorkflowError as exc:
            raise Conflict(str(exc)) from None
        return Response(_detail(pk))


class WorkflowResumeApi(APIView):
    @extend_schema(
        operation_id="workflows_resume",
        summary="Run a failed workflow again from the step that failed",
        request=None,
        responses={200: WorkflowDetailSerializer, 404: _ERROR, 409: _ERROR},
        tags=["workflows"],
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            workflow_resume(_execution(pk))
        except WorkflowError as exc:
            raise Conflict(str(exc)) from None
        return Response(_detail(pk))


class ApprovalListApi(generics.ListAPIView):
    serializer_class = ApprovalSerializer
    pagination_class = Page

    def get_queryset(self) -> QuerySet[ApprovalRequest]:
        filters = ApprovalFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data["status"]
        return selectors.approval_list(user=self.request.user, status="" if wanted == "all" else wanted)

    @extend_schema(
        operation_id="approvals_list",
        summary="Approval requests addressed to the caller (staff: everyone's)",
        parameters=[ApprovalFilterSerializer],
        tags=["approvals"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


def _approval(pk: int) -> ApprovalRequest:
    approval = selectors.approval_get(pk=pk)
    if approval is None:
        raise Http404(f"No approval request {pk}.")
    return approval


class ApprovalDetailApi(APIView):
    @extend_schema(
        operation_id="approvals_retrieve",
        summary="One approval request with its decisions",
        responses={200: ApprovalSerializer, 403: _ERROR, 404: _ERROR},
        tags=["approvals"],
    )
    def get(self, request: Request, pk: int) -> Response:
        approval = _approval(pk)
        if not may_decide(approval, request.user):
            raise PermissionDenied(
                f"Only {approval.approver} or a staff member may see approval request {pk}."
            )
        return Response(ApprovalSerializer(approval).data)


class _ApprovalDecideApi(APIView):
    approve = True

    def post(self, request: Request, pk: int) -> Response:
        incoming = ApprovalDecideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        approval = _approval(pk)
        try:
            approval_decide(
                approval, user=request.user, approve=self.approve, comment=incoming.validated_data["comment"]
            )
        except ApprovalForbidden:
            raise PermissionDenied(
                f"Only {approval.approver} or a staff member may decide approval request {pk}."
            ) from None
        except ApprovalError as exc:
            raise Conflict(f"Approval request {pk}: {exc}.") from None
        return Response(ApprovalSerializer(selectors.approval_get(pk=pk)).data)


_DECIDE_EXAMPLE = OpenApiExample("with a comment", value={"comment": "Budget checked."}, request_only=True)


class ApprovalApproveApi(_ApprovalDecideApi):
    approve = True

    @extend_schema(
        operation_id="approvals_approve",
        summary="Approve a pending request; the workflow goes on",
        request=ApprovalDecideSerializer,
        responses={200: ApprovalSerializer, 403: _ERROR, 404: _ERROR, 409: _ERROR},
        examples=[_DECIDE_EXAMPLE],
        tags=["approvals"],
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApprovalRejectApi(_ApprovalDecideApi):
    approve = False

    @extend_schema(
        operation_id="approvals_reject",
        summary="Reject a pending request; the workflow goes on with the rejection",
        request=ApprovalDecideSerializer,
        responses={200: ApprovalSerializer, 403: _ERROR, 404: _ERROR, 409: _ERROR},
        examples=[_DECIDE_EXAMPLE],
        tags=["approvals"],
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)
