"""Reporting's panels of the home page, drawn here so they can be kept in the cache."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from core import versions
from reporting.selectors.home import PM_HOME_SOURCES, pm_home_panels
from teams.enums import Role
from teams.roles import roles_of

#: The name of the panels' cached part (core.versions).
PM_HOME_PART = "reporting:pm-home"


def pm_home_html(request: HttpRequest) -> SafeString:
    """The programme manager's reporting panels (reporting/_pm_home.html with pm_home_panels), rendered
    once per version of what they show (core.versions over PM_HOME_SOURCES: an edit or a deletion shows
    at the next request) and day (overdue is measured against it), and kept in the cache. Keyed by the
    viewer's scope too: every programme manager sees the same portfolio (docs/domain.md section 4), and
    a rendering is never served to anyone else. Empty for anyone but a programme manager. Drawn inside
    the home page's own cached part, which fills any placeholder."""
    if not roles_of(request.user).has(Role.PROGRAMME_MANAGER):
        return mark_safe("")
    html = versions.cached_part(
        name=PM_HOME_PART,
        scope=Role.PROGRAMME_MANAGER,
        sources=PM_HOME_SOURCES,
        render=lambda: render_to_string(
            "reporting/_pm_home.html", pm_home_panels(request.user), request=request
        ),
    )
    return mark_safe(html)  # noqa: S308 - our own rendering
