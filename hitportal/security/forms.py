"""The forms of the second-factor pages: a code (or a passkey's answer), and naming a new passkey."""

from __future__ import annotations

from typing import Any

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        required=False,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )
    # A passkey's signed answer (JSON), filled in by static/js/passkeys.js.
    passkey = forms.CharField(required=False, max_length=20000, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("code") and not cleaned.get("passkey"):
            self.add_error("code", "Enter the code from your authenticator app, or a recovery code.")
        return cleaned


class PasskeyAddForm(forms.Form):
    name = forms.CharField(
        label="Name of this passkey",
        max_length=60,
        initial="Passkey",
        help_text="For example: work laptop, or phone. It tells your passkeys apart on this page.",
    )
    passkey = forms.CharField(required=False, max_length=20000, widget=forms.HiddenInput)


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="After adding the portal to your app, enter the 6-digit code it shows.",
        error_messages={"required": "Enter the 6-digit code your authenticator app shows."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
