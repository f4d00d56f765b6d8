from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from faker import Faker

from teams import models
from teams.enums import (
    Appointment,
    ClosureReason,
    HITStatus,
    LeadSide,
    MembershipRole,
    ProgrammeRole,
    RoleChangeKind,
    Sector,
    VocabularyChangeKind,
    VocabularyKind,
)

PASSWORD = "correct-horse-battery"


_names = Faker("en_GB")


def _plain_name() -> str:
    """A generated name without an apostrophe (O'Neill): pages escape it, and tests that look for a
    name in a page would fail now and then. Escaping is tested on purpose elsewhere."""
    return _names.name().replace("'", "")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.LazyFunction(_plain_name)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = ProgrammeRole.PROGRAMME_MANAGER


class RoleChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoleChange

    user = factory.SubFactory(UserFactory)
    role = ProgrammeRole.BOARD_MEMBER
    change = RoleChangeKind.GRANTED


class AccountInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AccountInvitation

    user = factory.SubFactory(UserFactory)


class LoginSessionFactory(factory.django.DjangoModelFactory):
    """A row of the list of one's sessions (its session row itself need not exist)."""

    class Meta:
        model = models.LoginSession

    user = factory.SubFactory(UserFactory)
    session_key = factory.Sequence(lambda n: f"session{n:032d}")
    user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


class VocabularyChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.VocabularyChange

    vocabulary = VocabularyKind.THEME
    term_id = 1
    term_name = "Prevention"
    change = VocabularyChangeKind.ADDED


class StakeholderCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StakeholderCategory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"CAT{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class OrganisationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OrganisationType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Organisation type {n}")
    sector = Sector.NHS_PROVIDER


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Theme
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class DocumentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DocumentType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"doc-{n}")
    name = factory.Sequence(lambda n: f"Document type {n}")


class OutcomeDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OutcomeDomain
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"domain-{n}")
    name = factory.Sequence(lambda n: f"Outcome domain {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    org_type = factory.SubFactory(OrganisationTypeFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    full_name = factory.LazyFunction(_plain_name)
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Affiliation

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    job_title = "Consultant"
    appointment = Appointment.SERVICE


class HITFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.HIT

    name = factory.Sequence(lambda n: f"HIT {n}")
    slug = factory.Sequence(lambda n: f"hit-{n}")
    focus = "Dementia"
    status = HITStatus.PROPOSED

    class Params:
        set_up = factory.Trait(status=HITStatus.SET_UP)
        active = factory.Trait(status=HITStatus.ACTIVE)
        suspended = factory.Trait(status=HITStatus.SUSPENDED)
        closing = factory.Trait(status=HITStatus.CLOSING, closure_reason=ClosureReason.AIMS_ACHIEVED)
        closed = factory.Trait(status=HITStatus.CLOSED, closure_reason=ClosureReason.AIMS_ACHIEVED)


class HITStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.HITStatusChange

    hit = factory.SubFactory(HITFactory)
    actor = factory.SubFactory(UserFactory)
    action = "start_application"
    from_status = HITStatus.PROPOSED
    to_status = HITStatus.IN_APPLICATION


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.WorkingGroup

    hit = factory.SubFactory(HITFactory)
    name = factory.Sequence(lambda n: f"Working group {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    hit = factory.SubFactory(HITFactory)
    person = factory.SubFactory(PersonFactory)
    role = MembershipRole.MEMBER
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))

    class Params:
        director = factory.Trait(role=MembershipRole.DIRECTOR)
        sponsor = factory.Trait(role=MembershipRole.EXECUTIVE_SPONSOR)
        academic_lead = factory.Trait(
            role=MembershipRole.WORKING_GROUP_LEAD,
            lead_side=LeadSide.ACADEMIC,
            working_group=factory.SubFactory(WorkingGroupFactory, hit=factory.SelfAttribute("..hit")),
        )
        service_lead = factory.Trait(
            role=MembershipRole.WORKING_GROUP_LEAD,
            lead_side=LeadSide.SERVICE,
            working_group=factory.SubFactory(WorkingGroupFactory, hit=factory.SelfAttribute("..hit")),
        )


class PortfolioSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PortfolioSnapshot

    taken_on = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    hits_total = 0
