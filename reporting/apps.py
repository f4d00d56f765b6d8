from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # A HIT leaves set-up only when its set-up checklist holds (DOMAIN.md 3): teams owns the
        # transition, reporting owns the checklist, so the checklist registers itself as the guard.
        from reporting.checklist import activation_guard
        from teams.workflow import register_guard

        register_guard("activate", activation_guard)
