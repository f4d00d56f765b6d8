"""reporting's answers to the signals of the apps below it (connected in ReportingConfig.ready)."""

from __future__ import annotations

from typing import Any

from reporting.selectors import hit_panels
from teams.models import HIT
from teams.signals import HITPagePart


def hit_page_part(sender: object, *, hit: HIT, user: Any, **kwargs: Any) -> HITPagePart | None:
    """The HIT page's reporting panels: flags, the set-up checklist, the open report, the stage."""
    panels = hit_panels(user, hit)
    return (
        HITPagePart(slot="panels", template="reporting/_hit_reporting.html", context=panels)
        if panels
        else None
    )
