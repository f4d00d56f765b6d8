"""engagement's answers to the signals of the apps below it (connected in EngagementConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from core.tasks import enqueue_after_commit
from engagement import permissions
from engagement.tasks import recompute_all
from teams.models import HIT
from teams.roles import AnyUser
from teams.signals import HITPagePart

# (url name, label, predicate), in the order the HIT page lists them. Each link is shown only to a
# user who may open its page: what a role may not open it does not see listed.
LINKS = (
    ("engagement:stakeholder-map", "Stakeholder map", permissions.can_view_stakeholder_map),
    ("engagement:coverage-detail", "Engagement coverage", permissions.can_view_coverage),
    ("engagement:ppi-log", "Patient and public involvement", permissions.can_view_ppi),
    ("engagement:wave-list", "Readiness surveys", permissions.can_view_readiness),
    ("engagement:maturity-list", "Maturity matrix", permissions.can_view_maturity),
    ("engagement:action-list", "Action plan", permissions.can_view_action_plan),
    ("engagement:network-detail", "Partnership network", permissions.can_view_network),
)


def hit_page_part_sources() -> tuple[type[Model], ...]:
    """What hit_page_part's predicates read besides the viewer's roles (teams.signals.connect_hit_page_part):
    the HIT's status, and for a reviewer or a panel chair the HIT's applications and their review
    assignments (engagement.permissions._reviews_hit; accreditation's tables, reached by relation: the
    apps above engagement are never imported)."""
    applications = HIT._meta.get_field("applications").related_model
    assignments = applications._meta.get_field("assignments").related_model
    return (HIT, applications, assignments)


def hit_page_part(sender: object, *, hit: HIT, user: AnyUser, **kwargs: Any) -> HITPagePart | None:
    """Links to the HIT's engagement pages that the user may open."""
    links = [(url_name, label) for url_name, label, may_see in LINKS if may_see(user, hit)]
    if not links:
        return None
    return HITPagePart(
        slot="links", template="engagement/_hit_links.html", context={"hit": hit, "links": links}
    )


def recompute_after_category_change(sender: object, **kwargs: Any) -> None:
    """A stakeholder category changed (teams.signals.stakeholder_categories_changed): every HIT's
    coverage is recomputed by the worker once the change is committed."""
    enqueue_after_commit(recompute_all, {})
