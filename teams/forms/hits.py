"""Forms of a HIT's own pages."""

from __future__ import annotations

from django import forms

from core.validators import SHORT_TEXT
from teams.enums import ClosureReason
from teams.models import HIT
from teams.workflow import HIT_WORKFLOW


class HITTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in HIT_WORKFLOW.action_names], widget=forms.HiddenInput)
    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=SHORT_TEXT, label="Reason", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    closure_reason = forms.ChoiceField(
        label="Why is the HIT closing?", choices=[("", "---------"), *ClosureReason.choices], required=False
    )
    merged_into = forms.ModelChoiceField(
        label="Merged into", queryset=HIT.objects.order_by("name"), required=False
    )
