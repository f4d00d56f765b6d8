"""A one-time key for a create form written in a template rather than a form class (core.idempotency)."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.idempotency import FORM_KEY_FIELD

register = template.Library()


@register.simple_tag(takes_context=True)
def one_time_key(context: template.Context) -> SafeString:
    """The hidden `form_key` input of a form with no form class behind it (the export buttons). In a part
    kept in the cache (core.versions.cached_render) a placeholder, which each response replaces by a new key."""
    value = context.get("form_key_placeholder") or uuid.uuid4()
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_KEY_FIELD, value)
