"""Writes of the vocabularies of docs/domain.md section 2, by programme managers.

Terms are added, renamed, switched off and on, never deleted: rows elsewhere point at them, and a
switched-off term stays on those rows while new forms no longer offer it. Every change is a
VocabularyChange row, which the audit log lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from core.concurrency import check_version
from core.permissions import require
from teams import permissions
from teams.enums import VocabularyChangeKind, VocabularyKind
from teams.models import (
    DocumentType,
    OrganisationType,
    OutcomeDomain,
    StakeholderCategory,
    Theme,
    User,
    Vocabulary,
    VocabularyChange,
)
from teams.signals import stakeholder_categories_changed

COMMON_FIELDS = ("name", "description", "position", "is_active")


@dataclass(frozen=True)
class VocabularySpec:
    """One vocabulary: its table and the fields a programme manager edits (the code is set once)."""

    kind: VocabularyKind
    model: type[Vocabulary]
    fields: tuple[str, ...] = COMMON_FIELDS
    # Fields whose change alters stored scores: changing one asks for every HIT's coverage again.
    scored: tuple[str, ...] = ()


VOCABULARIES: dict[str, VocabularySpec] = {
    spec.kind.value: spec
    for spec in (
        VocabularySpec(
            VocabularyKind.STAKEHOLDER_CATEGORY,
            StakeholderCategory,
            (*COMMON_FIELDS, "weight", "counts_toward_coverage"),
            scored=("is_active", "weight", "counts_toward_coverage"),
        ),
        VocabularySpec(
            VocabularyKind.ORGANISATION_TYPE,
            OrganisationType,
            (*COMMON_FIELDS, "sector", "default_category", "is_mental_health"),
        ),
        VocabularySpec(VocabularyKind.THEME, Theme),
        VocabularySpec(VocabularyKind.DOCUMENT_TYPE, DocumentType),
        VocabularySpec(VocabularyKind.OUTCOME_DOMAIN, OutcomeDomain),
    )
}


def _record(
    *, actor: User, spec: VocabularySpec, term: Vocabulary, change: VocabularyChangeKind, detail: str = ""
) -> VocabularyChange:
    return VocabularyChange.objects.create(
        vocabulary=spec.kind,
        term_id=term.pk,
        term_name=term.name,
        change=change,
        detail=detail,
        actor=actor,
    )


def _field_label(term: Vocabulary, name: str) -> str:
    field = term._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


@transaction.atomic
def vocabulary_term_add(*, actor: User, vocabulary: str, term: Vocabulary) -> Vocabulary:
    """Add a term to a vocabulary. Side effects: the term's row; a VocabularyChange ("added");
    for a stakeholder category, the signal teams.signals.stakeholder_categories_changed (engagement
    recomputes every HIT's coverage after the commit)."""
    require(permissions.can_manage_vocabularies(actor))
    spec = VOCABULARIES[vocabulary]
    term.full_clean()
    term.save()
    _record(actor=actor, spec=spec, term=term, change=VocabularyChangeKind.ADDED)
    if spec.scored:
        stakeholder_categories_changed.send(sender=spec.model)
    return term


@transaction.atomic
def vocabulary_term_change(
    *, actor: User, vocabulary: str, term: Vocabulary, expected_version: str | None = None
) -> list[VocabularyChange]:
    """Save an edited term (its code never changes). Refused with StaleEdit (nothing saved) when the
    row is no longer at `expected_version` (core.concurrency).

    Side effects, in order: the term's row (the vocabulary's editable fields); one VocabularyChange
    per kind of change: "renamed" (the old name in its detail), "switched_off" or "switched_on", and
    "changed" naming any other field; for a stakeholder category whose switch, weight or
    counting changed, the signal teams.signals.stakeholder_categories_changed. Saving without a
    change writes nothing.
    """
    require(permissions.can_manage_vocabularies(actor))
    spec = VOCABULARIES[vocabulary]
    before = spec.model._default_manager.select_for_update().get(pk=term.pk)
    check_version(before, expected_version)
    changed = [name for name in spec.fields if getattr(before, name) != getattr(term, name)]
    if not changed:
        return []
    term.full_clean()
    term.save(update_fields=[*spec.fields, "updated_at"])
    records = []
    if "name" in changed:
        records.append(
            _record(
                actor=actor,
                spec=spec,
                term=term,
                change=VocabularyChangeKind.RENAMED,
                detail=f"Was: {before.name}",
            )
        )
    if "is_active" in changed:
        switch = VocabularyChangeKind.SWITCHED_ON if term.is_active else VocabularyChangeKind.SWITCHED_OFF
        records.append(_record(actor=actor, spec=spec, term=term, change=switch))
    others = [name for name in changed if name not in ("name", "is_active")]
    if others:
        detail = "Changed: " + ", ".join(_field_label(term, name) for name in others)
        records.append(
            _record(actor=actor, spec=spec, term=term, change=VocabularyChangeKind.CHANGED, detail=detail)
        )
    if set(changed) & set(spec.scored):
        stakeholder_categories_changed.send(sender=spec.model)
    return records
