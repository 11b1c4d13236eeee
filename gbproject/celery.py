"""The Celery app. Broker, result backend and beat scheduler come from Django settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbproject.settings")

app = Celery("gbproject")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
