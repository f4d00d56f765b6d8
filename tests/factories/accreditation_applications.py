"""Factories for applications, their sections, stakeholder rows, revisions and events.

Traits set the workflow state directly on the row (no events, no revisions, no HIT moves): tests
that need the side effects call `accreditation.services.application_transition`.
`complete_application(application)` fills an application so that it may be submitted.
"""

from __future__ import annotations

import factory
from django.utils import timezone

from accreditation import models
from accreditation.domain.sections import SECTIONS, section_is_complete
from accreditation.enums import ApplicationKind, ApplicationStatus
from accreditation.services.drafting import section_data
from tests.factories.accreditation import RoundFactory
from tests.factories.teams import (
    HITFactory,
    OrganisationFactory,
    PersonFactory,
    StakeholderCategoryFactory,
    UserFactory,
)

# Answers that pass each section's strict form. Governance's director, sponsor and host live on the
# Application itself (sections.GOVERNANCE_MODEL_FIELDS), so they are not part of its JSON here.
VALID_SECTION_DATA: dict[str, dict] = {
    "aims": {
        "aims": "Fewer emergency admissions of people living with dementia within three years.",
        "problem": "People with dementia are admitted to hospital in a crisis that community care could prevent.",
        "boundaries": "Acute and community trusts, primary care, the council's social care and carers' groups.",
    },
    "governance": {
        "management_group": "Dr A Jones, acute trust\nB Smith, city council\nC Patel, carers' forum",
        "steering_cadence": "quarterly",
        "reporting_line": "The trust-wide steering group",
        "working_groups": "Crisis care; Prof D Lee; E Green\nCarers' support; Dr F Khan; G Brown",
        "theme_leads": "Evidence synthesis; Dr H Wood",
    },
    "ppi": {
        "ppi_plan": "Carers co-design each working group's plan and sit on the management group.",
        "public_members_in_structures": "Two carers on the management group and one on each working group.",
        "support": "Training, travel expenses and payment at the national rate.",
    },
    "coordination": {
        "related_hits": "The avoidable admissions HIT: shared data and a joint quarterly meeting.",
        "sphere_of_influence": "The city and its surrounding county.",
    },
    "data_sharing": {
        "data_needs": "Admissions of people with dementia across the acute and community trusts.",
        "dsa_status": "drafting",
        "ig_leads": "I Hill, acute trust\nJ Ward, community trust",
    },
    "integration": {"integration_plans": "A single crisis pathway across health and social care."},
    "innovation": {
        "innovation_plans": "A pilot of a carer-held crisis plan.",
        "industry_partners": "A local charity that trains carers.",
    },
    "skills": {"skills_gaps": "Health economics: a partnership with the university's unit."},
    "milestones": {
        "milestones": "3; management group meets\n6; crisis pathway agreed\n12; pilot evaluated",
    },
}


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A new application in draft, with nothing filled in (see `complete_application`)."""

    class Meta:
        model = models.Application

    hit = factory.SubFactory(HITFactory)
    round = factory.SubFactory(RoundFactory)
    kind = ApplicationKind.NEW
    status = ApplicationStatus.DRAFT
    version = 1

    class Params:
        submitted = factory.Trait(
            status=ApplicationStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )
        under_review = factory.Trait(
            status=ApplicationStatus.UNDER_REVIEW, submitted_at=factory.LazyFunction(timezone.now)
        )
        feedback = factory.Trait(
            status=ApplicationStatus.FEEDBACK, submitted_at=factory.LazyFunction(timezone.now)
        )
        accredited = factory.Trait(
            status=ApplicationStatus.ACCREDITED, submitted_at=factory.LazyFunction(timezone.now)
        )
        accredited_with_conditions = factory.Trait(
            status=ApplicationStatus.ACCREDITED_WITH_CONDITIONS,
            submitted_at=factory.LazyFunction(timezone.now),
        )
        deferred = factory.Trait(
            status=ApplicationStatus.DEFERRED, submitted_at=factory.LazyFunction(timezone.now)
        )
        not_accredited = factory.Trait(
            status=ApplicationStatus.NOT_ACCREDITED, submitted_at=factory.LazyFunction(timezone.now)
        )
        withdrawn = factory.Trait(status=ApplicationStatus.WITHDRAWN)


class ApplicationSectionFactory(factory.django.DjangoModelFactory):
    """One section with valid answers (governance also needs the application's model fields)."""

    class Meta:
        model = models.ApplicationSection
        django_get_or_create = ["application", "key"]

    application = factory.SubFactory(ApplicationFactory)
    key = "aims"
    data = factory.LazyAttribute(lambda o: dict(VALID_SECTION_DATA[o.key]))
    is_complete = True

    class Params:
        incomplete = factory.Trait(data=factory.LazyFunction(dict), is_complete=False)


class StakeholderPlanRowFactory(factory.django.DjangoModelFactory):
    """A row naming a directory organisation; pass organisation=None, stakeholder=... for free text."""

    class Meta:
        model = models.StakeholderPlanRow

    application = factory.SubFactory(ApplicationFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    category = factory.SubFactory(StakeholderCategoryFactory, code="PROV")
    role = "Member of the management group"
    outcome = "A single crisis pathway"
    depth = 2


class RevisionFactory(factory.django.DjangoModelFactory):
    """A frozen revision; its content is whatever the test passes (empty by default)."""

    class Meta:
        model = models.Revision

    application = factory.SubFactory(ApplicationFactory, submitted=True)
    number = factory.LazyAttribute(lambda o: o.application.version)
    sections = factory.LazyFunction(dict)
    stakeholders = factory.LazyFunction(list)
    governance = factory.LazyFunction(dict)
    organisation_count = 0
    category_count = 0
    submitted_by = factory.SubFactory(UserFactory)


class ApplicationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ApplicationEvent

    application = factory.SubFactory(ApplicationFactory)
    actor = factory.SubFactory(UserFactory)
    action = "submit"
    from_status = ApplicationStatus.DRAFT
    to_status = ApplicationStatus.SUBMITTED


def complete_application(application: models.Application) -> models.Application:
    """Fill every section validly, add two organisation rows, name a director and a sponsor and
    record the sponsor's confirmation, all through the ORM (whatever the application's status).

    Keeps a director or sponsor already named. Returns the application, saved.
    """
    if application.director_id is None:
        application.director = PersonFactory()
    if application.executive_sponsor_id is None:
        application.executive_sponsor = PersonFactory()
    if application.host_organisation_id is None:
        application.host_organisation = OrganisationFactory()
    application.host_unit = application.host_unit or "Research and innovation"
    application.sponsor_confirmed_at = timezone.now()
    application.sponsor_confirmed_for = application.executive_sponsor
    application.save()
    for section in SECTIONS:
        if section.form_class is None:
            continue
        data = dict(VALID_SECTION_DATA[section.key])
        complete = section_is_complete(section.key, section_data(application, section.key, data))
        if not complete:  # the fixture data went stale against sections.py
            raise AssertionError(f"VALID_SECTION_DATA[{section.key!r}] no longer passes the strict form.")
        models.ApplicationSection.objects.update_or_create(
            application=application, key=section.key, defaults={"data": data, "is_complete": True}
        )
    StakeholderPlanRowFactory(application=application, category__code="PROV")
    StakeholderPlanRowFactory(application=application, category__code="COMM")
    return application
