from django.apps import AppConfig


class BotsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bots"
    verbose_name = "Bots"

    def ready(self) -> None:
        from basic.keywords import register_core
        from basic.registry import registry
        from bots.keywords import register_bots_keywords

        register_core(registry)
        register_bots_keywords(registry)
