from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        # The stakeholder map follows the HIT's memberships, so nothing is typed twice.
        from teams.services_members import register_membership_hook

        register_membership_hook(_sync_memberships)


def _sync_memberships(hit_id: int) -> None:
    from engagement.services import stakeholders_sync_memberships

    stakeholders_sync_memberships(hit_id=hit_id)
