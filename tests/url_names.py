"""The URL names an app's urls.py routes to the views of given modules (for the access matrices)."""

from __future__ import annotations

from types import ModuleType

from django.urls import URLPattern


def url_names(urls: ModuleType, *views: ModuleType) -> set[str]:
    """`<app_name>:<name>` of every pattern of `urls` whose view is defined in one of `views`."""
    modules = {module.__name__ for module in views}
    patterns: list[URLPattern] = urls.urlpatterns
    return {f"{urls.app_name}:{p.name}" for p in patterns if p.callback.__module__ in modules}
