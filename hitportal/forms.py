from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.throttle import LoginThrottleMixin


class EmailAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    """The stock sign-in form, labelled for email addresses, throttled (core.throttle)."""

    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
