from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self) -> None:
        # Panel seats grant roles: answer teams.roles.roles_of's question (accreditation/roles.py).
        from accreditation.roles import panel_roles
        from teams.roles import roles_requested

        roles_requested.connect(panel_roles, dispatch_uid="accreditation.panel_roles")
        # ... and a seat's change renews its user's roles version, so cached roles are not used again.
        from django.db.models.signals import post_delete, post_save, pre_save

        from accreditation.models import Panel, PanelMember
        from accreditation.roles import panel_saved, remember_panel_round, remember_seat_user, seat_changed

        pre_save.connect(
            remember_seat_user, sender=PanelMember, dispatch_uid="accreditation.roles.remember_seat"
        )
        post_save.connect(seat_changed, sender=PanelMember, dispatch_uid="accreditation.roles.seat_saved")
        post_delete.connect(seat_changed, sender=PanelMember, dispatch_uid="accreditation.roles.seat_deleted")
        pre_save.connect(
            remember_panel_round, sender=Panel, dispatch_uid="accreditation.roles.remember_round"
        )
        post_save.connect(panel_saved, sender=Panel, dispatch_uid="accreditation.roles.panel_saved")
        # The HIT page (teams) lists the HIT's conditions still to be met: it asks through its signal.
        from accreditation.receivers import HIT_PAGE_PART_SOURCES, hit_page_conditions
        from teams.signals import connect_hit_page_part

        connect_hit_page_part(
            hit_page_conditions,
            dispatch_uid="accreditation.hit_page_conditions",
            sources=HIT_PAGE_PART_SOURCES,
        )
        # The round board's stored reviewer calibration: a change to what feeds it asks the worker again.
        from accreditation.models import Application, Review, ReviewAssignment
        from accreditation.receivers import calibration_input_saved

        for model in (Review, ReviewAssignment):
            post_save.connect(
                calibration_input_saved,
                sender=model,
                dispatch_uid=f"accreditation.calibration.{model.__name__}",
            )
        for model in (Review, ReviewAssignment, Application):
            post_delete.connect(
                calibration_input_saved,
                sender=model,
                dispatch_uid=f"accreditation.calibration.gone.{model.__name__}",
            )
        # The main lists are rendered once per version of what they show (core.versions).
        from accreditation.selectors.applications import APPLICATION_PAGE_SOURCES
        from accreditation.selectors.eois import EOI_LIST_SOURCES
        from accreditation.selectors.reviews import ASSIGNMENT_LIST_SOURCES
        from accreditation.selectors.rounds import ROUND_BOARD_SOURCES
        from accreditation.views.decisions import CONDITION_LIST_SOURCES
        from core.versions import track

        for sources in (
            EOI_LIST_SOURCES,
            ASSIGNMENT_LIST_SOURCES,
            ROUND_BOARD_SOURCES,
            CONDITION_LIST_SOURCES,
            APPLICATION_PAGE_SOURCES,
        ):
            track(*sources, ignore_update_fields=("last_login",))
