"""The filter form of the board dashboard."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from reporting.selectors.portfolio import Filters, PipelineRow
from teams.enums import HITStatus, LifecycleStage

# --- Filters -----------------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """GET filters of the board dashboard and the pack. The round choices come from the pipeline
    rows the page reads anyway, so the form costs no query of its own."""

    round = forms.TypedChoiceField(label="Round", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *HITStatus.choices]
    )
    stage = forms.ChoiceField(
        label="Life-cycle stage", required=False, choices=[("", "Any stage"), *LifecycleStage.choices]
    )
    focus = forms.CharField(label="Focus or name contains", required=False, max_length=100)
    organisation = forms.CharField(
        label="Organisation",
        required=False,
        max_length=100,
        help_text="HITs whose stakeholder map or members include an organisation with this in its name.",
    )

    def __init__(self, data: QueryDict | None = None, *, rounds: list[PipelineRow]) -> None:
        super().__init__(data)
        self.fields["round"].choices = [("", "Any round"), *[(str(r.round_id), r.name) for r in rounds]]

    def filters(self) -> Filters:
        """The valid filters; a field with an error is left out (and its message shown beside it)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            round_id=data.get("round"),
            status=data.get("status") or "",
            stage=data.get("stage") or "",
            focus=(data.get("focus") or "").strip(),
            organisation=(data.get("organisation") or "").strip(),
        )
