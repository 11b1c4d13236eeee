from django.urls import path

from bots.web.views import chat_page, chat_restart

urlpatterns = [
    path("<str:name>/", chat_page, name="chat-page"),
    path("<str:name>/restart", chat_restart, name="chat-restart"),
]
