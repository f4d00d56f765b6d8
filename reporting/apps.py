from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # A HIT leaves set-up only when its set-up checklist holds (docs/domain.md section 3): teams owns the
        # transition and asks the apps above it through its signal; reporting owns the checklist.
        from reporting.receivers import activation_guard
        from teams.models import HIT
        from teams.signals import hit_transition_requested

        hit_transition_requested.connect(
            activation_guard, sender=HIT, dispatch_uid="reporting.activation_guard"
        )
        # The HIT page (teams) shows reporting's panels: it asks through its signal.
        # It declares what they read: the page is kept rendered until one of those tables changes.
        from reporting.receivers import HIT_PAGE_PART_SOURCES, hit_page_part
        from teams.signals import connect_hit_page_part

        connect_hit_page_part(
            hit_page_part, dispatch_uid="reporting.hit_page_part", sources=HIT_PAGE_PART_SOURCES
        )

        # The stored early-warning flags are recomputed when something they read changes.
        from celery.signals import task_postrun
        from django.db.models.signals import post_delete, post_save

        from reporting.receivers import flag_inputs, flags_after_coverage, flags_input_saved

        for model in flag_inputs():
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(
                    flags_input_saved, sender=model, dispatch_uid=f"reporting.flags.{model.__name__}.{name}"
                )
        task_postrun.connect(flags_after_coverage, dispatch_uid="reporting.flags_after_coverage", weak=False)

        from engagement.signals import readiness_released
        from reporting.receivers import statistics_after_release

        readiness_released.connect(
            statistics_after_release, dispatch_uid="reporting.statistics_after_release"
        )
        # The report list is rendered once per version of what it shows (core.versions).
        from core.versions import track
        from reporting.selectors.home import PM_HOME_SOURCES
        from reporting.selectors.reports import REPORT_LIST_SOURCES

        track(*REPORT_LIST_SOURCES, *PM_HOME_SOURCES, ignore_update_fields=("last_login",))
        # So is the HIT dashboard, per viewer.
        from reporting.selectors.hit_dashboard import HIT_DASHBOARD_SOURCES

        track(*HIT_DASHBOARD_SOURCES, ignore_update_fields=("last_login",))
