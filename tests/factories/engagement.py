from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from engagement import models
from engagement.enums import ActivityType, Dimension, InvolvementLevel, RoleGroup
from tests.factories.teams import HITFactory, OrganisationFactory, PersonFactory, UserFactory


def category(code: str):
    from teams.models import StakeholderCategory

    return StakeholderCategory.objects.get(code=code)


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Stakeholder

    hit = factory.SubFactory(HITFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    category = factory.LazyFunction(lambda: category("PROV"))
    depth = 2
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class CoverageScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CoverageScore

    hit = factory.SubFactory(HITFactory)
    breadth = 0.5
    degrees = 180.0
    weighted = 0.4
    leadership = 0.2
    commissioner_in_leadership = False
    ppi_depth = 1
    fingerprint = "0" * 64
    computed_at = factory.LazyFunction(timezone.now)


class CoverageSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CoverageSnapshot

    hit = factory.SubFactory(HITFactory)
    taken_on = factory.LazyFunction(timezone.localdate)
    label = "map"
    breadth = 0.5
    degrees = 180.0
    weighted = 0.4
    leadership = 0.2


class ScoreRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ScoreRequest

    hit = factory.SubFactory(HITFactory)
    kind = "coverage"


class InvolvementActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InvolvementActivity

    hit = factory.SubFactory(HITFactory)
    happened_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    activity_type = ActivityType.MEETING
    patients = 3
    carers = 1
    public = 2
    level = InvolvementLevel.INVOLVE


class StandardsAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StandardsAssessment

    hit = factory.SubFactory(HITFactory)


class StandardRatingRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StandardRatingRow

    assessment = factory.SubFactory(StandardsAssessmentFactory)
    standard = "inclusive_opportunities"
    rating = 2


class PublicReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PublicReview

    hit = factory.SubFactory(HITFactory)
    reviewer = factory.SubFactory(UserFactory)
    ppi_depth = 2
    arrangements_adequate = True
    comments = "Public members sit on the management group."


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SupportRequest

    hit = factory.SubFactory(HITFactory)
    requested_by = factory.SubFactory(UserFactory)
    topic = "Recruiting carers"


class SupportGivenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SupportGiven

    request = factory.SubFactory(SupportRequestFactory)
    given_by = factory.SubFactory(UserFactory)
    note = "Shared the recruitment guide."


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Instrument

    name = factory.Sequence(lambda n: f"Instrument {n}")
    version = 1
    is_published = True


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Item

    instrument = factory.SubFactory(InstrumentFactory)
    code = factory.Sequence(lambda n: f"I{n}")
    dimension = Dimension.TRUST
    text = "I trust our partners."


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Wave

    hit = factory.SubFactory(HITFactory)
    instrument = factory.SubFactory(InstrumentFactory)
    title = "Baseline"
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=25))

    class Params:
        # Its closing day has passed; the worker has not released its results yet.
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30)),
            closes_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1)),
        )
        # Closed ten days ago and its results released (stored once): the only state whose results
        # any page shows.
        released = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=40)),
            closes_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10)),
            closed_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=9)),
            released_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=9)),
        )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Invitation

    wave = factory.SubFactory(WaveFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    token_digest = factory.Sequence(lambda n: f"{n:064d}")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Response

    wave = factory.SubFactory(WaveFactory)
    response_key = factory.Sequence(lambda n: f"r{n:063d}")
    role_group = RoleGroup.CLINICAL
    is_submitted = True
    submitted_on = factory.LazyFunction(timezone.localdate)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Answer

    response = factory.SubFactory(ResponseFactory)
    item = factory.SubFactory(ItemFactory)
    value = 4


class ReadinessResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReadinessResult

    wave = factory.SubFactory(WaveFactory, released=True)
    group_type = "overall"
    dimension = Dimension.TRUST
    n = 12
    suppressed = False
    score = 62.5
    mean = 3.5
    # A group's spread is kept only from ten respondents (the database refuses it below).
    sd = factory.LazyAttribute(lambda o: None if o.suppressed or o.n < 10 else 0.5)
    pct_agree = factory.LazyAttribute(lambda o: None if o.suppressed or o.n < 10 else 50.0)
    level = 2
    fingerprint = "0" * 64
    computed_at = factory.LazyFunction(timezone.now)


class MaturityAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MaturityAssessment

    hit = factory.SubFactory(HITFactory)
    recorded_by = factory.SubFactory(UserFactory)


class MaturityRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MaturityRating

    assessment = factory.SubFactory(MaturityAssessmentFactory)
    element = Dimension.TRUST
    level = 2
    rationale = "Past rivalry is fading."


class ActionPlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ActionPlanItem

    hit = factory.SubFactory(HITFactory)
    title = "Hold a joint away day"
    owner = factory.SubFactory(PersonFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))


class ActionStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ActionStatement
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"X{n}")
    task = "Enhancing trust and interpersonal ties"
    text = "If partners meet face to face, then trust grows."
    elements = factory.LazyFunction(lambda: ["trust"])
