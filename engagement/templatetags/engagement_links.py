"""Links to a HIT's engagement pages for pages owned by a lower app (the HIT page in teams), so
that page includes them from its template and never imports engagement.

    {% load engagement_links %}
    {% hit_engagement_links hit %}     list items: the map, coverage, PPI, surveys, maturity, plan

Each link is shown only to a user who may open its page (engagement.permissions), as the house rule
wants: what a role may not open it does not see listed.
"""

from __future__ import annotations

from django import template

from engagement import permissions

register = template.Library()

# (url name, label, predicate), in the order the HIT page lists them.
LINKS = (
    ("engagement:stakeholder-map", "Stakeholder map", permissions.can_view_stakeholder_map),
    ("engagement:coverage-detail", "Engagement coverage", permissions.can_view_coverage),
    ("engagement:ppi-log", "Patient and public involvement", permissions.can_view_ppi),
    ("engagement:wave-list", "Readiness surveys", permissions.can_view_readiness),
    ("engagement:maturity-list", "Maturity matrix", permissions.can_view_maturity),
    ("engagement:action-list", "Action plan", permissions.can_view_action_plan),
)


@register.inclusion_tag("engagement/_hit_links.html", takes_context=True)
def hit_engagement_links(context: template.Context, hit) -> dict:
    user = context["request"].user
    return {
        "hit": hit,
        "links": [(url_name, label) for url_name, label, may_see in LINKS if may_see(user, hit)],
    }
