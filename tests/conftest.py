"""Shared personas (DOMAIN.md section 4) exercised by every view test.

Each persona is a user with exactly the records that grant its role, built from the factories.
"""

from __future__ import annotations

import pytest

from accreditation.enums import PanelRole
from teams.enums import HITStatus, MembershipRole, ProgrammeRole
from tests import factories as f


def _user_with_role(role: str, **kwargs):
    user = f.UserFactory(**kwargs)
    f.RoleAssignmentFactory(user=user, role=role)
    return user


def _member(hit, role: str, **kwargs):
    user = f.UserFactory(**kwargs)
    person = f.PersonFactory(user=user, full_name=user.full_name, email=user.email)
    f.MembershipFactory(hit=hit, person=person, role=role)
    return user


@pytest.fixture
def hit(db):
    return f.HITFactory(name="Dementia HIT", slug="dementia", status=HITStatus.ACTIVE)


@pytest.fixture
def other_hit(db):
    return f.HITFactory(name="Pain HIT", slug="pain", status=HITStatus.ACTIVE)


@pytest.fixture
def programme_manager(db):
    return _user_with_role(ProgrammeRole.PROGRAMME_MANAGER, full_name="Pat Manager")


@pytest.fixture
def board_member(db):
    return _user_with_role(ProgrammeRole.BOARD_MEMBER, full_name="Bea Board")


@pytest.fixture
def ppi_facilitator(db):
    return _user_with_role(ProgrammeRole.PPI_FACILITATOR, full_name="Priya Facilitator")


@pytest.fixture
def applicant(db):
    return _user_with_role(ProgrammeRole.APPLICANT, full_name="Alex Applicant")


@pytest.fixture
def director(hit):
    return _member(hit, MembershipRole.DIRECTOR, full_name="Dana Director")


@pytest.fixture
def sponsor(hit):
    return _member(hit, MembershipRole.EXECUTIVE_SPONSOR, full_name="Sam Sponsor")


@pytest.fixture
def teammate(hit):
    return _member(hit, MembershipRole.MEMBER, full_name="Terry Teammate")


@pytest.fixture
def outsider(other_hit):
    """A member of another HIT."""
    return _member(other_hit, MembershipRole.DIRECTOR, full_name="Olly Outsider")


@pytest.fixture
def panel(db):
    return f.PanelFactory(name="Steering group panel")


@pytest.fixture
def chair(panel):
    return f.PanelMemberFactory(panel=panel, role=PanelRole.CHAIR).user


@pytest.fixture
def reviewer(panel):
    return f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user


@pytest.fixture
def lay_reviewer(panel):
    return f.PanelMemberFactory(panel=panel, role=PanelRole.LAY_REVIEWER).user


@pytest.fixture
def no_role_user(db):
    return f.UserFactory(full_name="Nora Norole")


PERSONAS = [
    "programme_manager",
    "board_member",
    "ppi_facilitator",
    "applicant",
    "director",
    "sponsor",
    "teammate",
    "outsider",
    "chair",
    "reviewer",
    "lay_reviewer",
    "no_role_user",
]


@pytest.fixture
def persona(request):
    """Resolve a persona name (from parametrize) to its user; "anonymous" gives None."""
    name = request.param
    return None if name == "anonymous" else request.getfixturevalue(name)
