"""Shared personas (DOMAIN.md section 4) exercised by every view test.

Each persona is a user with exactly the records that grant its role, built from the factories.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import kombu.exceptions
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


# --- A broker instead of eager tasks ----------------------------------------------------------------


@dataclass
class Broker:
    """What the web process published: (task name, kwargs, countdown). Set `refuse` to an exception
    to make every publish fail as a stopped Redis does (kombu's OperationalError)."""

    published: list[tuple[str, dict, float | None]] = field(default_factory=list)
    refuse: BaseException | None = None


@pytest.fixture
def broker(monkeypatch) -> Iterator[Broker]:
    """Tasks are published to a broker that this fixture stands in for, instead of run eagerly."""
    from celery.app.task import Task

    from hitportal import celery_app

    fake = Broker()

    def apply_async(task, args=None, kwargs=None, countdown=None, **options):
        fake.published.append((task.name, kwargs, countdown))
        if fake.refuse is not None:
            raise fake.refuse

    monkeypatch.setattr(Task, "apply_async", apply_async)
    # Celery's settings object has no attribute of its own to monkeypatch: restore it by hand.
    eager_before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield fake
    finally:
        celery_app.conf.task_always_eager = eager_before


BROKER_DOWN = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
