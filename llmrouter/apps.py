from django.apps import AppConfig


class LlmrouterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "llmrouter"
    verbose_name = "LLM router"
