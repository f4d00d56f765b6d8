"""Template context shared by every page: the navigation that follows the user's roles."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from hitportal.navigation import navigation_for


def navigation(request: HttpRequest) -> dict:
    return {
        "site_name": settings.HITPORTAL_SITE_NAME,
        "nav_items": navigation_for(request.user, request.path),
    }
