"""Factories for the reporting models. Traits set workflow states directly on the row (no events, no
emails): tests that need the side effects call `reporting.services.report_transition`.

`setup_ready_hit(hit)` builds everything the set-up checklist asks for, so a test can break one item.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from reporting import models
from reporting.enums import Concept, FundingStatus, MilestoneStatus, ReportStatus, RiskKind
from teams.enums import LifecycleStage
from tests.factories.teams import HITFactory, OutcomeDomainFactory, UserFactory


def _today_plus(days: int):
    return factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=days))


class ReportScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReportSchedule

    hit = factory.SubFactory(HITFactory, active=True)
    interval_months = 6
    first_due_on = _today_plus(30)
    reminder_offsets = factory.LazyFunction(models.default_reminder_offsets)


class ProgressReportFactory(factory.django.DjangoModelFactory):
    """A draft due in 30 days, covering the six months before."""

    class Meta:
        model = models.ProgressReport

    hit = factory.SubFactory(HITFactory, active=True)
    due_on = _today_plus(30)
    period_end = factory.LazyAttribute(lambda o: o.due_on - datetime.timedelta(days=1))
    period_start = factory.LazyAttribute(lambda o: models.add_months(o.due_on, -6))
    status = ReportStatus.DRAFT

    class Params:
        submitted = factory.Trait(
            status=ReportStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            funding_status=FundingStatus.SECURED,
        )
        accepted = factory.Trait(
            status=ReportStatus.ACCEPTED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
            funding_status=FundingStatus.SECURED,
        )
        changes_requested = factory.Trait(
            status=ReportStatus.CHANGES_REQUESTED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
        )
        skipped = factory.Trait(status=ReportStatus.SKIPPED, decided_at=factory.LazyFunction(timezone.now))
        ready = factory.Trait(funding_status=FundingStatus.SECURED)


class ReportEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReportEvent

    report = factory.SubFactory(ProgressReportFactory)
    actor = factory.SubFactory(UserFactory)
    action = "submit"
    from_status = ReportStatus.DRAFT
    to_status = ReportStatus.SUBMITTED


class IndicatorRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IndicatorRating

    report = factory.SubFactory(ProgressReportFactory)
    concept = Concept.WSE
    indicator = "W1"
    rating = 2
    evidence = "A stakeholder-role-outcome table agreed by the management group."


class MilestoneFactory(factory.django.DjangoModelFactory):
    """A planned milestone due in 30 days."""

    class Meta:
        model = models.Milestone

    hit = factory.SubFactory(HITFactory, active=True)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = _today_plus(30)
    status = MilestoneStatus.PLANNED

    class Params:
        met_on_time = factory.Trait(
            met_on=factory.LazyAttribute(lambda o: o.due_on), status=MilestoneStatus.MET_ON_TIME
        )
        late = factory.Trait(
            met_on=factory.LazyAttribute(lambda o: o.due_on + datetime.timedelta(days=10)),
            status=MilestoneStatus.LATE,
        )
        missed = factory.Trait(status=MilestoneStatus.MISSED)


class QuickWinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuickWin

    report = factory.SubFactory(ProgressReportFactory)
    title = "A shared referral form across the two trusts"


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Outcome

    report = factory.SubFactory(ProgressReportFactory)
    domain = factory.SubFactory(OutcomeDomainFactory)
    description = "Fewer emergency admissions of people living with dementia."
    intended = True


class ReportRiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReportRisk

    report = factory.SubFactory(ProgressReportFactory)
    kind = RiskKind.RISK
    description = "The pilot's funding ends in March."
    how_handled = "A bid to the ICB is in preparation."
    opened_on = _today_plus(-10)

    class Params:
        conflict = factory.Trait(
            kind=RiskKind.CONFLICT, description="Two providers disagree about who runs the clinic."
        )


class ReminderLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReminderLog

    report = factory.SubFactory(ProgressReportFactory)
    offset_days = -14
    due_on = factory.SelfAttribute("report.due_on")


class StageAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StageAssessment

    hit = factory.SubFactory(HITFactory, active=True)
    behaviours = factory.LazyFunction(list)
    confirmed_stage = LifecycleStage.PLANNING
    assessed_by = factory.SubFactory(UserFactory)


def setup_ready_hit(hit, *, sponsor_user=None):
    """Give `hit` everything its set-up checklist asks for; returns a dict of what was made.

    An accredited application whose executive sponsor confirmed, with a closed condition; that
    sponsor as the HIT's current executive sponsor; a
    management group from two organisations; one working group with an academic and a service
    lead; an adequate public review.
    """
    from accreditation.enums import ApplicationStatus, DecisionOutcome
    from teams.enums import LeadSide, MembershipRole
    from tests.factories.accreditation_applications import ApplicationFactory
    from tests.factories.accreditation_panel import AccreditationFactory, ConditionFactory, DecisionFactory
    from tests.factories.engagement import PublicReviewFactory
    from tests.factories.teams import (
        MembershipFactory,
        OrganisationFactory,
        PersonFactory,
        WorkingGroupFactory,
    )

    sponsor = PersonFactory(user=sponsor_user)
    application = ApplicationFactory(
        hit=hit,
        status=ApplicationStatus.ACCREDITED_WITH_CONDITIONS,
        executive_sponsor=sponsor,
        sponsor_confirmed_for=sponsor,
        sponsor_confirmed_at=timezone.now(),
    )
    sponsorship = MembershipFactory(hit=hit, person=sponsor, role=MembershipRole.EXECUTIVE_SPONSOR)
    decision = DecisionFactory(application=application, outcome=DecisionOutcome.ACCREDITED_WITH_CONDITIONS)
    accreditation = AccreditationFactory(decision=decision)
    condition = ConditionFactory(decision=decision, closed=True)
    first, second = OrganisationFactory(), OrganisationFactory()
    managers = [
        MembershipFactory(hit=hit, role=MembershipRole.MANAGEMENT_GROUP, organisation=first),
        MembershipFactory(hit=hit, role=MembershipRole.MANAGEMENT_GROUP, organisation=second),
    ]
    group = WorkingGroupFactory(hit=hit, name="Crisis care")
    leads = [
        MembershipFactory(
            hit=hit, role=MembershipRole.WORKING_GROUP_LEAD, working_group=group, lead_side=LeadSide.ACADEMIC
        ),
        MembershipFactory(
            hit=hit, role=MembershipRole.WORKING_GROUP_LEAD, working_group=group, lead_side=LeadSide.SERVICE
        ),
    ]
    review = PublicReviewFactory(hit=hit, arrangements_adequate=True)
    return {
        "application": application,
        "accreditation": accreditation,
        "condition": condition,
        "managers": managers,
        "group": group,
        "leads": leads,
        "review": review,
        "sponsor": sponsor,
        "sponsorship": sponsorship,
    }
