"""Reporting's panels of the home page, drawn here so they can be kept in the cache."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.fingerprint import cache_key
from reporting.selectors.home import pm_home_panels, pm_home_version
from teams.enums import Role
from teams.roles import roles_of

#: How long a rendering is kept at most: a change that moves no version column (a deleted row other than
#: the newest) shows within this time.
PM_HOME_CACHE_SECONDS = 300
PM_HOME_CACHE_PREFIX = "reporting:pm-home"


def pm_home_html(request: HttpRequest) -> SafeString:
    """The programme manager's reporting panels (reporting/_pm_home.html with pm_home_panels), rendered
    once per version of what they show (reporting.selectors.home.pm_home_version) and day (overdue is
    measured against it), and kept in the cache. Keyed by the viewer's scope too: every programme
    manager sees the same portfolio (docs/domain.md section 4), and a rendering is never served to
    anyone else. Empty for anyone but a programme manager."""
    if not roles_of(request.user).has(Role.PROGRAMME_MANAGER):
        return mark_safe("")
    today = timezone.localdate()
    key = cache_key(PM_HOME_CACHE_PREFIX, Role.PROGRAMME_MANAGER, today.isoformat(), pm_home_version())
    html = cache.get(key)
    if html is None:
        html = render_to_string("reporting/_pm_home.html", pm_home_panels(request.user), request=request)
        cache.set(key, html, PM_HOME_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own rendering
