from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from hitportal.throttle import LoginThrottleMixin


class EmailAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    """The stock sign-in form, labelled for email addresses, throttled (hitportal.throttle)."""

    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, field_map: dict[str, str | None] | None = None
) -> None:
    """Show a service's ValidationError on the form: mapped keys on their fields, the rest at the top."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        target = field_map.get(key, key)
        if target is not None and target not in form.fields:
            target = None
        for message in errors:
            form.add_error(target, message)
