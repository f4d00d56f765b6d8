from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # The worker knows a task only once its module is imported; autodiscovery imports `tasks`
        # modules only, and this one is named for what it cleans up.
        from core import tasks_forms  # noqa: F401
