"""Register the workflow sweep (due timers, stalled executions) with celery beat.

It runs every 200 ms: timers are rows the sweep fires, so its period bounds how late a DELAY or
a retry back-off ends; one cheap indexed query per run.
"""

from django.db import migrations

TASK_NAME = "workflows.sweep"
SWEEP_MICROSECONDS = 200_000


def add_sweep(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = interval_model.objects.get_or_create(every=SWEEP_MICROSECONDS, period="microseconds")
    task_model.objects.update_or_create(
        name="Workflow timers and stalled executions",
        defaults={"task": TASK_NAME, "interval": interval, "enabled": True},
    )


def remove_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_sweep, remove_sweep)]
