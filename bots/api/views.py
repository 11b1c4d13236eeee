"""Thin API views: authentication from settings, data from selectors."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bots import selectors
from bots.api.serializers import BotDetailSerializer, BotListSerializer


class BotListApi(APIView):
    @extend_schema(
        operation_id="bots_list",
        summary="List bots",
        parameters=[
            OpenApiParameter("active", bool, description="Only active (true) or inactive (false) bots.")
        ],
        responses=BotListSerializer(many=True),
        tags=["bots"],
    )
    def get(self, request: Request) -> Response:
        active_param = request.query_params.get("active")
        active = None if active_param is None else active_param.lower() in {"1", "true", "yes"}
        bots = selectors.bot_list(active=active)
        return Response(BotListSerializer(bots, many=True).data)


class BotDetailApi(APIView):
    @extend_schema(
        operation_id="bots_retrieve",
        summary="One bot with its configuration",
        responses=BotDetailSerializer,
        tags=["bots"],
    )
    def get(self, request: Request, name: str) -> Response:
        bot = selectors.bot_get(name=name)
        if bot is None:
            raise Http404(f"No bot named {name!r}.")
        return Response(BotDetailSerializer(bot).data)
