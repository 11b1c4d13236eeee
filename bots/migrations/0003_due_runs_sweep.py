"""Register the periodic sweep that ends due waits (HEAR timeouts, WAIT) with celery beat."""

from django.db import migrations

TASK_NAME = "bots.fire_due_runs"
SWEEP_SECONDS = 5


def add_sweep(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = interval_model.objects.get_or_create(every=SWEEP_SECONDS, period="seconds")
    task_model.objects.update_or_create(
        name="Fire due conversation waits",
        defaults={"task": TASK_NAME, "interval": interval, "enabled": True},
    )


def remove_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bots", "0002_conversation_runtime"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_sweep, remove_sweep)]
