from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        # The stakeholder map follows the HIT's memberships, so nothing is typed twice: teams says
        # when they change, inside the transaction that changed them.
        from engagement.services.stakeholders import stakeholders_follow_memberships
        from teams.signals import memberships_changed

        memberships_changed.connect(
            stakeholders_follow_memberships, dispatch_uid="engagement.follow_memberships"
        )
        # The HIT page (teams) lists the engagement pages the user may open: it asks through its signal.
        from engagement.receivers import hit_page_part, hit_page_part_sources
        from teams.signals import connect_hit_page_part

        connect_hit_page_part(
            hit_page_part, dispatch_uid="engagement.hit_page_part", sources=hit_page_part_sources()
        )
        # Switching a stakeholder category off, or changing its weight, changes every HIT's coverage.
        from engagement.receivers import recompute_after_category_change
        from teams.models import StakeholderCategory
        from teams.signals import stakeholder_categories_changed

        stakeholder_categories_changed.connect(
            recompute_after_category_change,
            sender=StakeholderCategory,
            dispatch_uid="engagement.recompute_after_category_change",
        )
        # The PPI caseload is rendered once per version of what it shows (core.versions).
        from core.versions import track
        from engagement.selectors.ppi import CASELOAD_SOURCES
        from engagement.selectors.stakeholders import STAKEHOLDER_MAP_SOURCES

        track(*CASELOAD_SOURCES, *STAKEHOLDER_MAP_SOURCES, ignore_update_fields=("last_login",))
