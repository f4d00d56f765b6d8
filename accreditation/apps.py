from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self) -> None:
        # Panel seats grant roles: answer teams.roles.roles_of's question (accreditation/roles.py).
        from accreditation.roles import panel_roles
        from teams.roles import roles_requested

        roles_requested.connect(panel_roles, dispatch_uid="accreditation.panel_roles")
