from django.urls import path

from bots.api.messages import BotMessagesApi
from bots.api.views import BotDetailApi, BotListApi

urlpatterns = [
    path("bots", BotListApi.as_view(), name="bots-list"),
    path("bots/<str:name>", BotDetailApi.as_view(), name="bots-detail"),
    path("bots/<str:name>/messages", BotMessagesApi.as_view(), name="bots-messages"),
]
