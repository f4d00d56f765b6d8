"""accreditation's answers to the signals of the apps below it (connected in AccreditationConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accreditation.selectors.conditions import unclosed_conditions_of_hit
from teams.models import HIT
from teams.roles import AnyUser
from teams.signals import HITPagePart


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
