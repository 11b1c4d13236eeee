"""Register the events sweep (undelivered events, due webhook deliveries) with celery beat.

It runs every second: it is the safety net behind the Redis or in-process wake-up, which
delivers an event within milliseconds; it also sends webhook retries when they are due.
"""

from django.db import migrations

TASK_NAME = "events.sweep"
SWEEP_SECONDS = 1


def add_sweep(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = interval_model.objects.get_or_create(every=SWEEP_SECONDS, period="seconds")
    task_model.objects.update_or_create(
        name="Undelivered events and webhook retries",
        defaults={"task": TASK_NAME, "interval": interval, "enabled": True},
    )


def remove_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_sweep, remove_sweep)]
