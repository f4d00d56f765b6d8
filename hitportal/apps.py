from django.apps import AppConfig


class HitportalConfig(AppConfig):
    name = "hitportal"
    verbose_name = "HIT Portal"

    def ready(self) -> None:
        # The list of one's sessions: rows made at sign-in and removed at sign-out (signal receivers).
        # The home page and the audit log are rendered once per version of what they show (core.versions).
        from core.versions import track
        from hitportal.audit.selectors import AUDIT_LOG_SOURCES
        from hitportal.home_sources import HOME_SOURCES
        from hitportal.security import sessions  # noqa: F401

        track(*HOME_SOURCES, *AUDIT_LOG_SOURCES, ignore_update_fields=("last_login",))
