"""The "Proposed memberships" page's form: one row per pending proposal (include it or not, and as
whom), and the page's own hidden list of the proposals it showed, with its one-time key."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator

from core.idempotency import OnceOnlyFormMixin
from teams.forms.lookup import PEOPLE, DirectorySelect, PersonChoiceField, full_select_max, search_as
from teams.models import Person, ProposedMembership
from teams.roles import AnyUser


class ProposalsForm(OnceOnlyFormMixin, forms.Form):
    """The proposals the page listed (their ids, in order): a submission answers for those only,
    so a page left open while someone else decided is recognised as stale."""

    shown = forms.RegexField(regex=r"^\d+(?:,\d+)*$", widget=forms.HiddenInput)

    def shown_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["shown"].split(",")]


class _SharedChoices(ModelChoiceIterator):
    """The options of a person list read from a queryset evaluated once for the whole page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for person in self.queryset:
            yield self.choice(person)


class RowPersonField(PersonChoiceField):
    iterator = _SharedChoices

    def share(self, people: QuerySet) -> None:
        """Use `people`, already evaluated, for this row's list (no query per row)."""
        self._queryset = people
        self.widget.choices = self.choices


class ProposalRowForm(forms.Form):
    include = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    person = RowPersonField(
        queryset=Person.objects.order_by("full_name"),
        required=False,
        widget=DirectorySelect(PEOPLE, attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, proposal: ProposedMembership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.fields["include"].label = f"Include {proposal.name_as_written}"
        self.fields["person"].label = f"Who “{proposal.name_as_written}” is"


@dataclass(frozen=True)
class ProposalRow:
    proposal: ProposedMembership
    form: ProposalRowForm


def proposal_rows(
    proposals: list[ProposedMembership], *, data: object | None, user: AnyUser
) -> list[ProposalRow]:
    """One row form per proposal, prefixed by its id. A matched person is chosen and ticked; an
    unmatched name or a placeholder starts unticked with no one chosen. While the directory fits a
    plain list, every row shares one evaluated list of people (the page's queries stay the same
    however many rows); past that, each row's list is the lookup's search box (teams.forms.lookup)."""
    people = Person.objects.order_by("full_name")
    shared = people if people.count() <= full_select_max() else None
    if shared is not None:
        list(shared)  # evaluated once here; every row reads it
    rows = []
    for proposal in proposals:
        form = ProposalRowForm(
            data,
            prefix=f"p{proposal.pk}",
            proposal=proposal,
            initial={"include": proposal.person_id is not None, "person": proposal.person_id},
        )
        field = form.fields["person"]
        if shared is not None and isinstance(field, RowPersonField):
            field.share(shared)
        search_as(form, user)
        rows.append(ProposalRow(proposal, form))
    return rows
