"""The signals teams sends, so that the apps above it take part without teams importing them.

The house plan lets a lower app call no app above it; an upper app that must act when something
happens down here connects a receiver to one of these in its AppConfig.ready. Each is sent inside
the transaction of the service that sends it, so a receiver's writes and refusals share its fate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import django.dispatch

#: Sent by teams.services.hits.hit_transition (sender HIT) with `hit`, locked, and `transition`, once the
#: move is legal and permitted and before anything changes; not sent when the caller passed
#: check_guards=False. Each receiver returns the problems that block the move (messages, or an empty
#: list); any problem refuses the move with a ValidationError listing them all. reporting's set-up
#: checklist answers for "activate" (reporting.checklist.activation_guard).
hit_transition_requested = django.dispatch.Signal()

#: Sent by teams.services.members (sender Membership) with `hit_id` inside the transaction that added
#: or ended a membership of that HIT, after the change. engagement mirrors the memberships onto the
#: HIT's stakeholder map (engagement.services.stakeholders_follow_memberships); a receiver that
#: raises undoes the membership change with its own.
memberships_changed = django.dispatch.Signal()

#: Sent by the HIT page (teams.views.hit_detail, sender HIT) with `hit` and `user` (read-only: no
#: transaction), to gather what the apps above teams show on it. Each receiver returns a HITPagePart,
#: or None when the user may not see its part. reporting answers with its panels (flags, the set-up
#: checklist, the open report, the stage), engagement with the links to the HIT's engagement pages
#: that the user may open.
hit_page_requested = django.dispatch.Signal()


@dataclass(frozen=True)
class HITPagePart:
    """What an app adds to the HIT page: a template, drawn with `context`, in one of its `slot`s:
    "panels" (below the aims) or "links" (list items among the HIT's records)."""

    slot: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


#: Sent by teams.services.vocabularies (sender StakeholderCategory), inside its transaction, when a
#: stakeholder category was added or its switch, weight or counting changed: every HIT's coverage
#: depends on them (docs/domain.md section 5.2). engagement recomputes it after the commit.
stakeholder_categories_changed = django.dispatch.Signal()
