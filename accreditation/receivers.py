"""accreditation's answers to the signals of the apps below it (connected in AccreditationConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accreditation.models import Application, Condition, Decision, Round
from accreditation.selectors.conditions import unclosed_conditions_of_hit
from teams.models import HIT, Person
from teams.roles import AnyUser
from teams.signals import HITPagePart

#: What hit_page_conditions reads (teams.signals.connect_hit_page_part): each unclosed condition with its
#: owner (whose user may send evidence), decision, application and round, and the HIT's name.
HIT_PAGE_PART_SOURCES = (HIT, Condition, Decision, Application, Round, Person)


def hit_page_conditions(sender: object, *, hit: HIT, user: AnyUser, **kwargs: Any) -> HITPagePart | None:
    """The HIT page's panel of accreditation conditions open or awaiting acceptance (one query), for
    programme managers and the HIT's members; nothing when there is none."""
    rows = unclosed_conditions_of_hit(user=user, hit_id=hit.pk, today=timezone.localdate())
    if not rows:
        return None
    return HITPagePart(
        slot="panels",
        template="accreditation/_conditions.html",
        context={
            "condition_rows": rows,
            "conditions_of": hit.name,
            "conditions_heading_id": "conditions-heading",
        },
    )


# --- Stored reviewer calibration: what feeds it asks for a recompute ----------------------------------


def calibration_input_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    """post_save/post_delete of a Review, a ReviewAssignment or an Application: the round's stored
    calibration (accreditation.services.calibration) is recomputed by the worker after the commit when a
    review is submitted (a submitted review never changes again) or removed, an assignment changes or
    goes, or an application goes. An application's new version (only reviews of the current version
    count) asks from its service (accreditation.services.applications). No query here: the worker
    finds the round."""
    from accreditation.enums import ReviewStatus
    from accreditation.models import Application, Review, ReviewAssignment
    from accreditation.services.calibration import calibration_recompute_request

    if kwargs.get("raw"):
        return
    deleted = "created" not in kwargs
    if isinstance(instance, Review):
        if deleted or instance.status == ReviewStatus.SUBMITTED:
            calibration_recompute_request(assignment_id=instance.assignment_id)
    elif isinstance(instance, ReviewAssignment):
        if not kwargs.get("created"):
            calibration_recompute_request(application_id=instance.application_id)
    elif isinstance(instance, Application) and deleted:
        calibration_recompute_request(round_id=instance.round_id)
