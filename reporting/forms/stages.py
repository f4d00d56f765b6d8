"""The form of a HIT's life-cycle stage assessment."""

from __future__ import annotations

from django import forms

from core.idempotency import OnceOnlyFormMixin
from core.validators import SHORT_TEXT
from reporting.domain import lifecycle
from teams.enums import LifecycleStage


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- Life-cycle stage --------------------------------------------------------------------------------


class StageForm(OnceOnlyFormMixin, forms.Form):
    behaviours = forms.MultipleChoiceField(
        label="Behaviours you see in the HIT now",
        choices=[(b.code, b.text) for b in lifecycle.BEHAVIOURS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    confirmed_stage = forms.ChoiceField(
        label="The stage you confirm",
        choices=LifecycleStage.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(max_length=SHORT_TEXT, label="Note", widget=_text(2), required=False)

    def by_stage(self) -> list[tuple[str, str, list]]:
        """The checkboxes grouped by stage, in the life cycle's order."""
        boxes = {box.data["value"]: box for box in self["behaviours"]}
        return [
            (stage, LifecycleStage(stage).label, [boxes[b.code] for b in lifecycle.behaviours_of(stage)])
            for stage in lifecycle.STAGES
        ]
