"""The signals teams sends, so that the apps above it take part without teams importing them.

The house plan lets a lower app call no app above it; an upper app that must act when something
happens down here connects a receiver to one of these in its AppConfig.ready. Each is sent inside
the transaction of the service that sends it, so a receiver's writes and refusals share its fate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import django.dispatch
from django.db import models

from core.versions import track

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
#: that the user may open. Receivers are connected with `connect_hit_page_part`, which declares what
#: their part reads: the page is kept rendered per viewer until one of those tables changes.
hit_page_requested = django.dispatch.Signal()

#: The models each receiver of hit_page_requested reads, by its dispatch_uid (connect_hit_page_part).
_hit_page_part_sources: dict[str, tuple[type[models.Model], ...]] = {}


def connect_hit_page_part(
    receiver: Callable[..., HITPagePart | None],
    *,
    dispatch_uid: str,
    sources: Iterable[type[models.Model]],
) -> None:
    """Connect `receiver` to hit_page_requested (sender HIT), declaring every model whose rows its part
    shows or its decision to show the part reads (beyond the viewer's roles, which the page's cache key
    holds): the HIT page is rendered once per viewer and version of these tables (core.versions), and
    each is tracked here, so an edit to any of them shows on the next request. Call it in
    AppConfig.ready."""
    from teams.models import HIT

    declared = tuple(sources)
    if not declared:
        raise ValueError(f"{dispatch_uid}: a part of the HIT page reads at least the HIT")
    track(*declared, ignore_update_fields=("last_login",))
    _hit_page_part_sources[dispatch_uid] = declared
    hit_page_requested.connect(receiver, sender=HIT, dispatch_uid=dispatch_uid)


def hit_page_part_sources() -> tuple[type[models.Model], ...] | None:
    """The models every connected part of the HIT page reads; None when a receiver was connected
    without declaring them (not through connect_hit_page_part): the page is then rendered at every
    request, never kept, as nothing says when that part would be stale."""
    found: list[type[models.Model]] = []
    for lookup_key, *_rest in hit_page_requested.receivers:
        declared = _hit_page_part_sources.get(lookup_key[0]) if isinstance(lookup_key[0], str) else None
        if declared is None:
            return None
        found.extend(declared)
    return tuple(found)


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
