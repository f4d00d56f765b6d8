"""Reads of the vocabularies of docs/domain.md section 2 (the pages programme managers edit them on)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from teams.models import Vocabulary
from teams.services.vocabularies import VOCABULARIES, VocabularySpec


def vocabulary_get(*, vocabulary: str) -> VocabularySpec:
    """The vocabulary named in the address; 404 for any other name."""
    spec = VOCABULARIES.get(vocabulary)
    if spec is None:
        raise Http404("No such vocabulary.")
    return spec


def vocabulary_terms(*, spec: VocabularySpec) -> QuerySet[Vocabulary]:
    """Every term, switched off ones included, in list order (one query: an organisation type's
    default category comes with it)."""
    terms: QuerySet[Vocabulary] = spec.model._default_manager.order_by("position", "name", "pk")
    if "default_category" in spec.fields:
        # Only organisation types have it; the stubs check the lookup against the abstract base.
        terms = terms.select_related("default_category")  # type: ignore[misc]
    return terms
