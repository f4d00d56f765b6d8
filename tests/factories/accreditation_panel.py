"""Factories for the panel's models: assignments, reviews and scores, feedback, decisions,
conditions and accreditations.

Traits set states directly on the rows (no events, no emails, no HIT moves); tests that need the
side effects call the services. `PanelApplicationFactory` and `PanelRevisionFactory` are minimal
stand-ins so the panel's tests do not depend on the application pages' factories.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accreditation import models
from accreditation.domain.criteria import criteria_for
from accreditation.enums import (
    ApplicationStatus,
    ConditionStatus,
    ConflictDeclaration,
    ConflictResolution,
    DecisionOutcome,
    FeedbackStatus,
    Recommendation,
    ReviewStatus,
)
from teams.enums import HITStatus
from tests.factories.accreditation import RoundFactory
from tests.factories.teams import HITFactory, PersonFactory, UserFactory

REVISION_SECTIONS = {
    "aims": {
        "aims": "Fewer crisis admissions of people living with dementia.",
        "problem": "Admissions in a crisis that community care could prevent.",
        "boundaries": "Acute and community trusts, primary care, social care.",
    },
    "ppi": {
        "ppi_plan": "Carers co-design each working group's plan.",
        "public_members_in_structures": "Two carers on the management group.",
        "support": "Training and payment at the national rate.",
    },
    "governance": {
        "management_group": "Dr A Jones, acute trust",
        "steering_cadence": "quarterly",
        "reporting_line": "The trust-wide steering group",
        "working_groups": "Crisis care; Prof D Lee; E Green",
        "theme_leads": "Evidence synthesis; Dr H Wood",
    },
    "innovation": {"innovation_plans": "A pilot of a carer-held crisis plan.", "industry_partners": ""},
}


def _today_plus(days: int):
    return factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=days))


class PanelApplicationFactory(factory.django.DjangoModelFactory):
    """An application under review (version 1) of a HIT in application."""

    class Meta:
        model = models.Application

    hit = factory.SubFactory(HITFactory, status=HITStatus.IN_APPLICATION)
    round = factory.SubFactory(RoundFactory)
    status = ApplicationStatus.UNDER_REVIEW
    version = 1
    submitted_at = factory.LazyFunction(timezone.now)

    class Params:
        submitted = factory.Trait(status=ApplicationStatus.SUBMITTED)
        accredited = factory.Trait(status=ApplicationStatus.ACCREDITED)


class PanelRevisionFactory(factory.django.DjangoModelFactory):
    """The frozen revision the reviewers read, with a few sections and one stakeholder row."""

    class Meta:
        model = models.Revision

    application = factory.SubFactory(PanelApplicationFactory)
    number = factory.LazyAttribute(lambda o: o.application.version)
    sections = factory.LazyFunction(lambda: {k: dict(v) for k, v in REVISION_SECTIONS.items()})
    stakeholders = factory.LazyFunction(
        lambda: [
            {
                "organisation": "North Bristol Trust",
                "organisation_id": None,
                "stakeholder": "",
                "category": "PROV",
                "role": "Chairs the management group",
                "outcome": "A single crisis pathway",
                "depth": 3,
            }
        ]
    )
    governance = factory.LazyFunction(
        lambda: {
            "director": "Dana Director",
            "executive_sponsor": "Sam Sponsor",
            "host_organisation": "North Bristol Trust",
            "host_unit": "Research and innovation",
        }
    )
    organisation_count = 1
    category_count = 1


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """A reviewer asked to review, not declared yet."""

    class Meta:
        model = models.ReviewAssignment

    application = factory.SubFactory(PanelApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)
    is_lay = False
    due_on = _today_plus(14)
    declaration = ConflictDeclaration.PENDING

    class Params:
        lay = factory.Trait(is_lay=True)
        declared_none = factory.Trait(
            declaration=ConflictDeclaration.NONE, declared_at=factory.LazyFunction(timezone.now)
        )
        declared_conflict = factory.Trait(
            declaration=ConflictDeclaration.DECLARED,
            declaration_note="I advised the acute trust on this pathway last year.",
            declared_at=factory.LazyFunction(timezone.now),
        )
        flagged = factory.Trait(flagged_organisations="North Bristol Trust")
        recused = factory.Trait(
            resolution=ConflictResolution.RECUSED, resolved_at=factory.LazyFunction(timezone.now)
        )
        waived = factory.Trait(
            resolution=ConflictResolution.WAIVED,
            resolution_note="A past advisory role only.",
            resolved_at=factory.LazyFunction(timezone.now),
        )


class ReviewFactory(factory.django.DjangoModelFactory):
    """A draft review of the application's current version."""

    class Meta:
        model = models.Review

    assignment = factory.SubFactory(ReviewAssignmentFactory, declared_none=True)
    revision_number = factory.LazyAttribute(lambda o: o.assignment.application.version)
    status = ReviewStatus.DRAFT

    class Params:
        submitted = factory.Trait(
            status=ReviewStatus.SUBMITTED,
            recommendation=Recommendation.ACCREDIT,
            summary="A strong, well-connected team.",
            submitted_at=factory.LazyFunction(timezone.now),
        )


class ReviewScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReviewScore

    review = factory.SubFactory(ReviewFactory)
    criterion = "W1"
    score = 2
    comment = ""


def submitted_review(
    assignment: models.ReviewAssignment, scores: dict[str, int] | int = 2, **fields
) -> models.Review:
    """A submitted review scoring every criterion of the assignment (one score for all, or per code)."""
    review = ReviewFactory(assignment=assignment, submitted=True, **fields)
    for criterion in criteria_for(is_lay=assignment.is_lay):
        score = scores if isinstance(scores, int) else scores.get(criterion.code)
        ReviewScoreFactory(review=review, criterion=criterion.code, score=score)
    return review


class FeedbackDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FeedbackDocument

    application = factory.SubFactory(PanelApplicationFactory)
    revision_number = factory.LazyAttribute(lambda o: o.application.version)
    author = factory.SubFactory(UserFactory)
    summary = "A promising application; the PPI plan needs more detail."
    status = FeedbackStatus.DRAFT

    class Params:
        released = factory.Trait(
            status=FeedbackStatus.RELEASED, released_at=factory.LazyFunction(timezone.now)
        )


class FeedbackPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FeedbackPoint

    document = factory.SubFactory(FeedbackDocumentFactory)
    section = "ppi"
    text = "Say which decisions carers take part in."


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Decision

    application = factory.SubFactory(PanelApplicationFactory, accredited=True)
    revision_number = factory.LazyAttribute(lambda o: o.application.version)
    outcome = DecisionOutcome.ACCREDITED
    rationale = "Meets every criterion."
    decided_by = factory.SubFactory(UserFactory)


class ConditionFactory(factory.django.DjangoModelFactory):
    """An open condition due in three months."""

    class Meta:
        model = models.Condition

    decision = factory.SubFactory(DecisionFactory, outcome=DecisionOutcome.ACCREDITED_WITH_CONDITIONS)
    text = "Agree terms of reference for the management group."
    owner = factory.SubFactory(PersonFactory)
    due_on = _today_plus(90)

    class Params:
        overdue = factory.Trait(due_on=_today_plus(-1))
        closed = factory.Trait(
            evidence="Terms of reference signed on 1 March.",
            closed_at=factory.LazyFunction(timezone.now),
            status=ConditionStatus.CLOSED,
        )
        awaiting = factory.Trait(
            evidence="Terms of reference signed on 1 March.", status=ConditionStatus.AWAITING_ACCEPTANCE
        )


class AccreditationFactory(factory.django.DjangoModelFactory):
    """An accreditation from today for the round's term (valid_until = +term years - 1 day)."""

    class Meta:
        model = models.Accreditation

    decision = factory.SubFactory(DecisionFactory)
    application = factory.SelfAttribute("decision.application")
    hit = factory.SelfAttribute("application.hit")
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(
        lambda o: o.valid_from.replace(year=o.valid_from.year + 3) - datetime.timedelta(days=1)
    )
