from django.apps import AppConfig


class HitportalConfig(AppConfig):
    name = "hitportal"
    verbose_name = "HIT Portal"

    def ready(self) -> None:
        # The list of one's sessions: rows made at sign-in and removed at sign-out (signal receivers).
        from hitportal.security import sessions  # noqa: F401
