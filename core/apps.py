from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # The worker knows a task only once its module is imported; autodiscovery imports `tasks`
        # modules only, and these are named for what they do.
        from core import tasks_forms, tasks_mail  # noqa: F401
