"""Reporting's panels for pages owned by other apps, so those pages include them from the template
and never import reporting (imports point one way: teams <- engagement <- accreditation <- reporting).

    {% load reporting_panels %}
    {% hit_reporting_panels hit %}     on the HIT page: flags, set-up checklist, reports, stage
    {% pm_home_reporting_panels %}     on the home page: flags of live HITs, overdue reports, checklists
    {% member_home_reporting_panels %} on the home page: the open progress report of each of the user's HITs

Both read `request.user` from the context and render nothing for users who may not see them.
"""

from __future__ import annotations

from django import template

from reporting.selectors import hit_panels, member_home_panels, pm_home_panels

register = template.Library()


@register.inclusion_tag("reporting/_hit_reporting.html", takes_context=True)
def hit_reporting_panels(context: template.Context, hit) -> dict:
    return hit_panels(context["request"].user, hit)


@register.inclusion_tag("reporting/_pm_home.html", takes_context=True)
def pm_home_reporting_panels(context: template.Context) -> dict:
    return pm_home_panels(context["request"].user)


@register.inclusion_tag("reporting/_member_home.html", takes_context=True)
def member_home_reporting_panels(context: template.Context) -> dict:
    return member_home_panels(context["request"].user)
