"""Factories for expressions of interest, their partners and events.

Traits set workflow states directly on the row (no events, no HIT): tests that need the side
effects call `accreditation.services.eoi_transition`.
"""

from __future__ import annotations

import factory
from django.utils import timezone

from accreditation import models
from accreditation.enums import EOIStatus
from tests.factories.accreditation import RoundFactory
from tests.factories.teams import OrganisationFactory, StakeholderCategoryFactory, UserFactory


class ExpressionOfInterestFactory(factory.django.DjangoModelFactory):
    """A draft with every field filled in; add two partners (EOIPartnerFactory) before submitting."""

    class Meta:
        model = models.ExpressionOfInterest

    round = factory.SubFactory(RoundFactory)
    author = factory.SubFactory(UserFactory)
    working_title = factory.Sequence(lambda n: f"Frailty at home {n}")
    problem = "Older people with frailty are admitted to hospital when care at home would serve them better."
    boundaries = "Acute trust, community services, primary care and the city council's social care."
    proposed_director = "Dr Jo Bloggs, North Bristol NHS Trust"
    known_risks = "Two of the providers competed for the same community contract last year."
    status = EOIStatus.DRAFT

    class Params:
        submitted = factory.Trait(status=EOIStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now))
        invited = factory.Trait(
            status=EOIStatus.INVITED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
            decision_note="A clear problem with the right partners.",
        )
        declined = factory.Trait(
            status=EOIStatus.DECLINED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
            decision_note="The problem overlaps an existing HIT's work.",
        )


class EOIPartnerFactory(factory.django.DjangoModelFactory):
    """A partner chosen from the directory; pass organisation=None, organisation_name=... for free text."""

    class Meta:
        model = models.EOIPartner

    eoi = factory.SubFactory(ExpressionOfInterestFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    category = factory.SubFactory(StakeholderCategoryFactory)


class EOIEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EOIEvent

    eoi = factory.SubFactory(ExpressionOfInterestFactory)
    actor = factory.SelfAttribute("eoi.author")
    action = "submit"
    from_status = EOIStatus.DRAFT
    to_status = EOIStatus.SUBMITTED
