"""Factories for the data protection (GDPR) records of the teams app."""

from __future__ import annotations

import factory

from teams.enums import GdprActionKind
from teams.models import GdprAction
from tests.factories.teams import PersonFactory, UserFactory


class GdprActionFactory(factory.django.DjangoModelFactory):
    """An export of one person's data; `erase=True` for an erasure (with its reason)."""

    class Meta:
        model = GdprAction

    person = factory.SubFactory(PersonFactory)
    person_number = factory.LazyAttribute(lambda o: o.person.pk)
    action = GdprActionKind.EXPORT
    actor = factory.SubFactory(UserFactory)

    class Params:
        erase = factory.Trait(action=GdprActionKind.ERASE, reason="Erasure requested by email.")
