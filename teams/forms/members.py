from __future__ import annotations

from django import forms

from core.forms import DateField
from core.idempotency import OnceOnlyFormMixin
from core.validators import SHORT_TEXT
from teams.enums import LeadSide, MembershipRole
from teams.forms.lookup import OrganisationChoiceField
from teams.models import HIT, Organisation, Theme, WorkingGroup


class MemberAddForm(OnceOnlyFormMixin, forms.Form):
    email = forms.EmailField(label="Email address", help_text="We find them in the directory by email.")
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        required=False,
        help_text="Needed only for someone new to the directory.",
    )
    is_public_member = forms.BooleanField(label="Patient, carer or member of the public", required=False)
    role = forms.ChoiceField(label="Role in the HIT", choices=MembershipRole.choices)
    organisation = OrganisationChoiceField(
        label="Organisation they represent", queryset=Organisation.objects.order_by("name"), required=False
    )
    working_group = forms.ModelChoiceField(
        label="Working group (for a working-group lead)", queryset=WorkingGroup.objects.none(), required=False
    )
    lead_side = forms.ChoiceField(
        label="Side they lead (for a working-group lead)",
        choices=[("", "---------"), *LeadSide.choices],
        required=False,
    )
    theme = forms.ModelChoiceField(
        label="Theme (for a theme lead)", queryset=Theme.objects.filter(is_active=True), required=False
    )
    start_date = DateField(label="Start date", required=False)

    def __init__(self, *args, hit: HIT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = hit.working_groups.order_by("name")


class WorkingGroupForm(OnceOnlyFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    purpose = forms.CharField(
        max_length=SHORT_TEXT, label="Purpose", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
