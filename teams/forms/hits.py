"""Forms of a HIT's own pages."""

from __future__ import annotations

from django import forms

from core.concurrency import VersionedFormMixin
from core.validators import SHORT_TEXT
from teams.enums import ClosureReason
from teams.forms.lookup import HITChoiceField, OrganisationChoiceField
from teams.models import HIT
from teams.services.profile import PROFILE_FIELDS
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
    merged_into = HITChoiceField(label="Merged into", queryset=HIT.objects.order_by("name"), required=False)


class HITProfileForm(VersionedFormMixin, forms.ModelForm):
    """A HIT's name, focus, problem, aims and host, carrying the version the editor started from."""

    class Meta:
        model = HIT
        fields = PROFILE_FIELDS
        field_classes = {"host_organisation": OrganisationChoiceField}
        labels = {"host_unit": "Host unit or division", "problem": "The problem"}
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "aims": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "aims": "What the HIT will achieve, for whom. The public register shows it.",
        }
