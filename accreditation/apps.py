from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self) -> None:
        # Panel seats grant roles: answer teams.roles.roles_of's question (accreditation/roles.py).
        from accreditation.roles import panel_roles
        from teams.roles import roles_requested

        roles_requested.connect(panel_roles, dispatch_uid="accreditation.panel_roles")
        # The HIT page (teams) lists the HIT's conditions still to be met: it asks through its signal.
        from accreditation.receivers import hit_page_conditions
        from teams.models import HIT
        from teams.signals import hit_page_requested

        hit_page_requested.connect(
            hit_page_conditions, sender=HIT, dispatch_uid="accreditation.hit_page_conditions"
        )
