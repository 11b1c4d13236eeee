from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self) -> None:
        from basic.registry import registry
        from workflows.keywords import WORKFLOW_SPECS

        registry.register_all(WORKFLOW_SPECS)

        from bots.cli.checkers import register_script_checker
        from workflows.checks import WorkflowChecker

        register_script_checker(WorkflowChecker)

        from workflows.engine.clock import clock_connect

        clock_connect()
