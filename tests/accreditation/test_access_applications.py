"""The persona x page matrix of the applicant's application pages (collected by
tests/test_access_matrix.py, which checks that every URL pattern has an entry somewhere).

The application is a draft (version 3) of the `hit` fixture's team, in the `panel` fixture's round,
with two frozen revisions, released feedback on revision 2, one stakeholder row and a named but
unconfirmed sponsor. Reviewers: `assigned_reviewer` declared no conflict; `unassigned_reviewer` sits
on the panel without an assignment; `conflicted_reviewer` is assigned but flagged and not cleared by
the chair; `lay_reviewer` is assigned as a lay reviewer.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import (
    ApplicationStatus,
    ConflictDeclaration,
    ConflictResolution,
    FeedbackStatus,
    PanelRole,
)
from accreditation.models import Application, FeedbackDocument, FeedbackPoint, ReviewAssignment
from accreditation.services import drafting as services
from tests import factories as f
from tests.factories.accreditation_applications import (
    ApplicationFactory,
    RevisionFactory,
    StakeholderPlanRowFactory,
)

PERSONAS = [
    "director",
    "teammate",
    "outsider",
    "assigned_reviewer",
    "unassigned_reviewer",
    "conflicted_reviewer",
    "lay_reviewer",
    "chair",
    "board_member",
    "programme_manager",
]
ALL = [*PERSONAS, "anonymous"]
TEAM = {"director", "teammate"}
PANEL_READERS = {"assigned_reviewer", "lay_reviewer", "chair", "programme_manager"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _readers() -> dict[str, int]:
    """Everyone who may open the application reads it; nobody else learns it exists."""
    return _expect(404, **dict.fromkeys(TEAM | PANEL_READERS, 200))


def _team_only(team_status: int) -> dict[str, int]:
    """The team's working copy: the team acts, the panel may see but not change (403), others 404."""
    return _expect(404, **dict.fromkeys(TEAM, team_status), **dict.fromkeys(PANEL_READERS, 403))


def _application(ctx) -> dict:
    return {"pk": ctx["application"].pk}


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "accreditation:application-list": (
        "get",
        lambda ctx: {},
        _expect(403, director=200, teammate=200, outsider=200),
    ),
    "accreditation:application-detail": ("get", _application, _readers()),
    "accreditation:application-section": (
        "get",
        lambda ctx: {"pk": ctx["application"].pk, "key": "aims"},
        _team_only(200),
    ),
    "accreditation:stakeholder-table": ("get", _application, _team_only(200)),
    "accreditation:stakeholder-edit": (
        "get",
        lambda ctx: {"pk": ctx["application"].pk, "row_pk": ctx["row"].pk},
        _team_only(200),
    ),
    "accreditation:stakeholder-delete": (
        "post",
        lambda ctx: {"pk": ctx["application"].pk, "row_pk": ctx["row"].pk},
        _team_only(302),
    ),
    "accreditation:sponsor-request": ("post", _application, _team_only(302)),
    # Public: the signed link is the credential.
    "accreditation:sponsor-confirm": (
        "get",
        lambda ctx: {"token": ctx["token"]},
        _expect(200, anonymous=200),
    ),
    "accreditation:application-transition": (
        "post",
        _application,
        # Only the director submits; an incomplete draft comes back to the overview with its problems.
        _team_only(403) | {"director": 302},
    ),
    "accreditation:revision-list": ("get", _application, _readers()),
    "accreditation:revision-detail": (
        "get",
        lambda ctx: {"pk": ctx["application"].pk, "number": 1},
        _readers(),
    ),
    "accreditation:revision-compare": ("get", _application, _readers()),
    "accreditation:feedback-respond": ("get", _application, _team_only(200)),
}

POST_DATA = {
    "accreditation:application-transition": {"action": "submit", "expected_status": "draft", "comment": ""},
}


@pytest.fixture
def matrix_ctx(hit, panel, director, sponsor):
    application = ApplicationFactory(hit=hit, round=panel.round, version=3, executive_sponsor=sponsor.person)
    RevisionFactory(application=application, number=1, submitted_by=director)
    RevisionFactory(application=application, number=2, submitted_by=director)
    document = FeedbackDocument.objects.create(
        application=application,
        revision_number=2,
        status=FeedbackStatus.RELEASED,
        released_at=timezone.now(),
    )
    FeedbackPoint.objects.create(document=document, section="ppi", text="Pay public contributors.")
    row = StakeholderPlanRowFactory(application=application)
    return {"application": application, "row": row, "token": services.sponsor_token(application)}


def _assign(user, application, **fields) -> None:
    ReviewAssignment.objects.create(
        application=application,
        reviewer=user,
        declaration=fields.pop("declaration", ConflictDeclaration.NONE),
        declared_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def assigned_reviewer(reviewer, matrix_ctx):
    _assign(reviewer, matrix_ctx["application"])
    return reviewer


@pytest.fixture
def unassigned_reviewer(panel):
    return f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user


@pytest.fixture
def conflicted_reviewer(panel, matrix_ctx):
    user = f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user
    _assign(
        user,
        matrix_ctx["application"],
        flagged_organisations="North Bristol NHS Trust",
        resolution=ConflictResolution.OPEN,
    )
    return user


@pytest.fixture
def matrix_lay_reviewer(lay_reviewer, matrix_ctx):
    _assign(lay_reviewer, matrix_ctx["application"], is_lay=True)
    return lay_reviewer


@pytest.fixture
def who(request, matrix_ctx):
    name = request.param
    if name == "anonymous":
        return None
    return request.getfixturevalue("matrix_lay_reviewer" if name == "lay_reviewer" else name)


@pytest.mark.parametrize(
    ("url_name", "who", "expected"),
    [(url_name, name, spec[2][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["who"],
)
def test_application_persona_matrix(client, matrix_ctx, url_name, who, expected):
    method, kwargs, _ = MATRIX[url_name]
    if who is not None:
        client.force_login(who)
    url = reverse(url_name, kwargs=kwargs(matrix_ctx))

    response = getattr(client, method)(url, POST_DATA.get(url_name, {}))

    assert response.status_code == expected
    if expected == 302 and who is None:
        assert response.url.startswith(reverse("login"))


def test_lay_reviewer_reads_only_the_ppi_arrangements(client, matrix_ctx, matrix_lay_reviewer):
    client.force_login(matrix_lay_reviewer)

    response = client.get(
        reverse("accreditation:revision-detail", kwargs={"pk": matrix_ctx["application"].pk, "number": 1})
    )

    assert [item["section"].key for item in response.context["sections"]] == ["ppi"]
    assert "Who needs to be involved, how, and for what outcome" in response.content.decode()


def test_conflicted_reviewer_cleared_by_the_chair_may_open(client, matrix_ctx, conflicted_reviewer):
    ReviewAssignment.objects.filter(reviewer=conflicted_reviewer).update(
        resolution=ConflictResolution.DISMISSED
    )
    client.force_login(conflicted_reviewer)

    response = client.get(
        reverse("accreditation:application-detail", kwargs={"pk": matrix_ctx["application"].pk})
    )

    assert response.status_code == 200


# --- After the decision (docs/domain.md section 4: a reviewer sees an application until the decision) -------

READER_PAGES = [
    "accreditation:application-detail",
    "accreditation:revision-list",
    "accreditation:revision-detail",
    "accreditation:revision-compare",
]


@pytest.mark.parametrize(
    "status",
    [ApplicationStatus.ACCREDITED, ApplicationStatus.NOT_ACCREDITED, ApplicationStatus.WITHDRAWN],
)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("assigned_reviewer", 404),
        ("lay_reviewer", 404),
        ("director", 200),
        ("chair", 200),
        ("programme_manager", 200),
    ],
    indirect=["who"],
)
@pytest.mark.parametrize("url_name", READER_PAGES)
def test_after_the_decision_reviewers_no_longer_see_the_application(
    client, matrix_ctx, url_name, who, expected, status
):
    Application.objects.filter(pk=matrix_ctx["application"].pk).update(status=status)
    client.force_login(who)
    kwargs = {"pk": matrix_ctx["application"].pk}
    if url_name == "accreditation:revision-detail":
        kwargs["number"] = 1

    response = client.get(reverse(url_name, kwargs=kwargs))

    assert response.status_code == expected


@pytest.mark.parametrize("who", ["assigned_reviewer", "lay_reviewer"], indirect=True)
def test_a_deferral_keeps_the_reviewers_who_will_review_the_resubmission(client, matrix_ctx, who):
    Application.objects.filter(pk=matrix_ctx["application"].pk).update(status=ApplicationStatus.DEFERRED)
    client.force_login(who)

    response = client.get(
        reverse("accreditation:application-detail", kwargs={"pk": matrix_ctx["application"].pk})
    )

    assert response.status_code == 200
