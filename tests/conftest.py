"""Shared personas (docs/domain.md section 4) exercised by every view test.

Each persona is a user with exactly the records that grant its role, built from the factories.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import kombu.exceptions
import pytest

from accreditation.enums import PanelRole
from accreditation.models import ReviewAssignment
from accreditation.services import applications as accreditation_services
from teams.enums import HITStatus, MembershipRole, ProgrammeRole
from tests import factories as f
from tests.factories.accreditation_panel import (
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    submitted_review,
)


def _user_with_role(role: str, **kwargs):
    user = f.UserFactory(**kwargs)
    f.RoleAssignmentFactory(user=user, role=role)
    return user


def _member(hit, role: str, **kwargs):
    user = f.UserFactory(**kwargs)
    person = f.PersonFactory(user=user, full_name=user.full_name, email=user.email)
    f.MembershipFactory(hit=hit, person=person, role=role)
    return user


# --- Second factor ---------------------------------------------------------------------------------
# Programme managers, chairs and staff must confirm a second factor before any page (hitportal/security).
# A test client's login (force_login, login) stands for a sign-in that did so: its session is marked
# confirmed, so the persona tests exercise the pages and not the sign-in. Tests of the requirement itself
# (tests/hitportal/test_second_factor*.py) opt out with @pytest.mark.real_second_factor.


@pytest.fixture(autouse=True)
def _test_logins_confirm_second_factor(request, monkeypatch):
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test.client import ClientMixin

    from core import second_factor

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        second_factor.mark_verified(session, user.pk)
        session.save()

    monkeypatch.setattr(ClientMixin, "_login", _login)


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


# Reviewers of the persona HIT's own application, before and after the panel's decision
# (docs/domain.md section 4: a reviewer sees an assigned application, and nothing of the HIT's own
# engagement records, only until the decision). `reviewer` and `lay_reviewer` above sit on the
# panel with no assignment to `hit`.


@pytest.fixture
def review_application(hit, panel):
    """`hit`'s application to the panel's round, under review, with its first revision."""
    application = PanelApplicationFactory(hit=hit, round=panel.round)
    PanelRevisionFactory(application=application)
    return application


@pytest.fixture
def hit_reviewer(reviewer, review_application):
    """`reviewer`, assigned to `hit`'s application and declared no conflict: the assignment is open."""
    ReviewAssignmentFactory(application=review_application, reviewer=reviewer, declared_none=True)
    return reviewer


@pytest.fixture
def hit_lay_reviewer(lay_reviewer, review_application):
    """`lay_reviewer`, assigned as the lay reviewer of `hit`'s application, declared no conflict."""
    ReviewAssignmentFactory(
        application=review_application, reviewer=lay_reviewer, lay=True, declared_none=True
    )
    return lay_reviewer


@pytest.fixture
def decided_application(review_application, hit_reviewer, hit_lay_reviewer, chair):
    """Both reviewers submit their reviews and the chair accredits `hit`'s application, through the
    workflow service (a Decision and an Accreditation; `hit` stays active)."""
    for assignment in ReviewAssignment.objects.filter(application=review_application):
        submitted_review(assignment, 2)
    return accreditation_services.application_transition(
        actor=chair,
        application_id=review_application.pk,
        action="accredit",
        comment="A strong team with a clear plan.",
    )


@pytest.fixture
def decided_reviewer(hit_reviewer, decided_application):
    """`hit_reviewer` after the panel's decision on the application they reviewed."""
    return hit_reviewer


@pytest.fixture
def decided_lay_reviewer(hit_lay_reviewer, decided_application):
    """`hit_lay_reviewer` after the panel's decision on the application they reviewed."""
    return hit_lay_reviewer


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
    "hit_reviewer",
    "hit_lay_reviewer",
    "decided_reviewer",
    "decided_lay_reviewer",
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


@pytest.fixture
def seeded_vocabularies(transactional_db):
    """The rows the data migrations seed (vocabularies, the item bank, the research's statements),
    put back for a test whose rows are committed: pytest-django runs those tests last, each after
    the previous one's flush emptied every table. Both seeds are idempotent."""
    import importlib

    from django.apps import apps

    for module in (
        "teams.migrations.0002_seed_vocabularies",
        "engagement.migrations.0002_seed_actions_and_instrument",
    ):
        importlib.import_module(module).seed(apps, None)
