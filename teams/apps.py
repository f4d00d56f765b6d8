from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams, organisations and people"

    def ready(self) -> None:
        # Role assignments, memberships and linked people grant roles: a change renews the user's roles
        # version, so the roles cached under the old one are not used again (teams/roles.py).
        from teams.roles import connect_role_receivers

        connect_role_receivers()
        # The HIT list is rendered once per version of what it shows (core.versions).
        from core.versions import track
        from teams.selectors.directory import DIRECTORY_SOURCES
        from teams.selectors.hits import HIT_LIST_SOURCES

        track(*HIT_LIST_SOURCES, *DIRECTORY_SOURCES, ignore_update_fields=("last_login",))
        # So is the HIT page, per viewer: what teams shows of it here, each part of the apps above teams
        # declares its own (teams.signals.connect_hit_page_part). Every model is loaded before ready().
        from teams.selectors.hits import hit_page_sources

        track(*hit_page_sources(), ignore_update_fields=("last_login",))
