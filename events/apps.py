from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from basic.registry import registry
        from events.keywords import EVENT_SPECS

        registry.register_all(EVENT_SPECS)

        from bots.services import register_package_sync_hook
        from events.subscriptions import subscriptions_sync

        register_package_sync_hook(subscriptions_sync)

        from bots.runtime.waits import DialogWait, register_dialog_wait
        from events import waiters
        from workflows.engine.waits import register_wait
        from workflows.models import TimerKind

        register_wait(
            "event",
            waiters.execution_waits,
            timer_kind=TimerKind.EVENT_TIMEOUT,
            on_timer=waiters.waiter_timed_out,
        )
        register_dialog_wait(
            "event", DialogWait(on_wait=waiters.dialog_waits, on_due=waiters.dialog_wake_value)
        )

        from events.listener import listener_connect

        listener_connect()

        from bots.cli.checkers import register_script_checker
        from events.checks import EventChecker

        register_script_checker(EventChecker)
