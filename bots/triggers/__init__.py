"""Triggers: scripts that run without a user message (SET SCHEDULE, WEBHOOK).

They are found when a package is synced, not when the script runs: :mod:`bots.triggers.scan`
reads the dialogs, :mod:`bots.triggers.services` keeps one :class:`~bots.models.BotTrigger` row
(and, for schedules, one celery-beat PeriodicTask) per script, and runs them.
"""
