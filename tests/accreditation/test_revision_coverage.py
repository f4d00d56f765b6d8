"""The panel reads each submitted revision's planned coverage and its growth (docs/domain.md 5.2, 4.1),
from the snapshot stored at submit, on the revision list, the comparison and the review page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.models import Revision
from accreditation.selectors.applications import coverage_change, revision_coverage
from accreditation.services.applications import application_transition
from engagement.models import CoverageSnapshot
from tests.factories.accreditation_applications import ApplicationFactory, complete_application
from tests.factories.accreditation_panel import PanelRevisionFactory, ReviewAssignmentFactory
from tests.factories.engagement import CoverageSnapshotFactory

pytestmark = pytest.mark.django_db

# Four enabled categories, equal weights. Revision 1: providers at depth 2, the public at 1.
# B = 2/4 -> 180 degrees; W = (2 + 1) / (3 x 4) = 25.0%. Gaps: commissioners (stressed), local authority.
V1_DEPTHS = {"PROV": 2, "COMM": 0, "PUBLIC": 1, "LA": 0}
V1_GAPS = [
    {"code": "COMM", "name": "Commissioners", "stressed": True},
    {"code": "LA", "name": "Local authority", "stressed": False},
]
# Revision 2: providers at 3, commissioners at 2, the public dropped. B = 2/4 -> 180 degrees;
# W = (3 + 2) / 12 = 41.7%: +16.7 points, +0 degrees, commissioners gained, the public lost.
V2_DEPTHS = {"PROV": 3, "COMM": 2, "PUBLIC": 0, "LA": 0}
V2_GAPS = [
    {"code": "PUBLIC", "name": "Patients and the public", "stressed": False},
    {"code": "LA", "name": "Local authority", "stressed": False},
]


def _snapshot(hit, number: int, depths: dict, gaps: list, weighted: float) -> CoverageSnapshot:
    covered = sum(1 for d in depths.values() if d >= 1)
    return CoverageSnapshotFactory(
        hit=hit,
        label=f"application v{number}",
        breadth=covered / len(depths),
        degrees=360 * covered / len(depths),
        weighted=weighted,
        category_depths=depths,
        gaps=gaps,
    )


def _revisions(application, count: int = 2) -> list[Revision]:
    """`count` revisions of `application` (revision 1 already exists); revision 1 carries the first
    hand-computed snapshot, every later one the second."""
    plans = [(V1_DEPTHS, V1_GAPS, 0.25), (V2_DEPTHS, V2_GAPS, 5 / 12)]
    revisions = []
    for number in range(1, count + 1):
        depths, gaps, weighted = plans[min(number, 2) - 1]
        snapshot = _snapshot(application.hit, number, depths, gaps, weighted)
        revision = Revision.objects.filter(application=application, number=number).first()
        if revision is None:
            revision = PanelRevisionFactory(application=application, number=number)
        revision.coverage = snapshot
        revision.save(update_fields=["coverage"])
        revisions.append(revision)
    application.version = count
    application.save(update_fields=["version"])
    return revisions


# --- The numbers, hand-computed ---------------------------------------------------------------------


def test_coverage_of_one_revision_is_read_from_its_snapshot(review_application):
    (first,) = _revisions(review_application, 1)

    entry = coverage_change(revision=first, previous=None)

    assert (entry.covered, entry.enabled, entry.weighted_percent) == (2, 4, 25.0)
    assert entry.snapshot.degrees == 180
    assert [g["name"] for g in entry.gaps] == ["Commissioners", "Local authority"]
    assert entry.compared is False


def test_growth_between_two_revisions(review_application):
    first, second = _revisions(review_application, 2)

    entry = revision_coverage(revisions=[second, first])[2]

    assert entry.compared is True
    assert entry.previous_number == 1
    assert entry.gained == ["Commissioners"]
    assert entry.lost == ["Patients and the public"]
    assert entry.weighted_change == 16.7
    assert entry.degrees_change == 0


def test_a_revision_without_a_stored_snapshot_is_said_so(chair_client_factory, review_application):
    Revision.objects.filter(application=review_application).update(coverage=None)
    client = chair_client_factory()

    response = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))

    assert "Coverage was not stored for revision 1" in response.content.decode()


def test_submit_stores_the_revision_coverage_and_links_it(hit, director, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))

    application_transition(actor=director, application_id=application.pk, action="submit")

    revision = Revision.objects.select_related("coverage").get(application=application)
    assert revision.coverage is not None
    assert revision.coverage.label == "application v1"
    assert revision.coverage.hit_id == hit.pk
    # Gaps are stored with the snapshot, by name, so the page never recomputes them.
    covered = {code for code, depth in revision.coverage.category_depths.items() if depth >= 1}
    assert {"PROV", "COMM"} <= covered
    assert all("name" in gap for gap in revision.coverage.gaps)
    assert not {g["code"] for g in revision.coverage.gaps} & covered


# --- The pages ----------------------------------------------------------------------------------------


@pytest.fixture
def chair_client_factory(client, chair):
    def make():
        client.force_login(chair)
        return client

    return make


def test_revision_list_shows_coverage_and_growth(client, chair, review_application):
    _revisions(review_application, 2)
    client.force_login(chair)

    response = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))

    html = " ".join(response.content.decode().split())
    assert "2 of 4 stakeholder categories (180 degrees)" in html
    assert "Depth-weighted coverage:</strong> 41.7%" in html
    assert "Depth-weighted coverage:</strong> 25.0%" in html
    assert '<strong class="text-danger">Commissioners</strong>' in html
    assert (
        "weighted score +16.7 points, 0 degrees; gained Commissioners; lost Patients and the public." in html
    )


def test_review_page_shows_the_revision_coverage_and_growth(client, hit_reviewer, review_application):
    _revisions(review_application, 2)
    assignment = review_application.assignments.get(reviewer=hit_reviewer)
    client.force_login(hit_reviewer)

    response = client.get(reverse("accreditation:review-edit", args=[assignment.pk]))

    html = " ".join(response.content.decode().split())
    assert "Planned coverage of version 2" in html
    assert "gained Commissioners; lost Patients and the public." in html


def test_comparison_shows_the_coverage_change(client, chair, review_application):
    _revisions(review_application, 2)
    client.force_login(chair)

    response = client.get(
        reverse("accreditation:revision-compare", args=[review_application.pk]), {"a": 1, "b": 2}
    )

    assert response.context["coverage"].gained == ["Commissioners"]
    assert "Since revision 1:" in response.content.decode()


# --- Who sees it ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "hit_reviewer", "director", "programme_manager"], ids=lambda w: w)
def test_coverage_is_shown_to_the_panel_the_team_and_programme_managers(
    request, client, who, review_application
):
    _revisions(review_application, 2)
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))

    assert response.status_code == 200
    assert "Depth-weighted coverage" in response.content.decode()


def test_lay_reviewer_sees_the_revisions_without_coverage(client, hit_lay_reviewer, review_application):
    _revisions(review_application, 2)
    client.force_login(hit_lay_reviewer)

    listing = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))
    compare = client.get(reverse("accreditation:revision-compare", args=[review_application.pk]))

    assert listing.status_code == 200
    assert "Depth-weighted coverage" not in listing.content.decode()
    assert "Depth-weighted coverage" not in compare.content.decode()


@pytest.mark.parametrize("who", ["outsider", "board_member", "ppi_facilitator", "reviewer"], ids=lambda w: w)
def test_coverage_is_refused_to_others(request, client, who, review_application):
    _revisions(review_application, 2)
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))

    assert response.status_code == 404


def test_recused_reviewer_no_longer_sees_it(client, reviewer, review_application):
    _revisions(review_application, 2)
    ReviewAssignmentFactory(
        application=review_application, reviewer=reviewer, declared_conflict=True, recused=True
    )
    client.force_login(reviewer)

    listing = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))
    compare = client.get(reverse("accreditation:revision-compare", args=[review_application.pk]))

    assert (listing.status_code, compare.status_code) == (404, 404)


def test_decided_reviewer_no_longer_sees_it(client, decided_reviewer, review_application):
    client.force_login(decided_reviewer)

    response = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))

    assert response.status_code == 404


# --- Query count ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_revision_list_query_count_is_constant(
    client, chair, review_application, count, django_assert_num_queries
):
    _revisions(review_application, count)
    client.force_login(chair)
    client.get(reverse("accreditation:revision-list", args=[review_application.pk]))

    # The roles come from the cache after the first request (teams/roles.py): three queries fewer.
    with django_assert_num_queries(5):
        response = client.get(reverse("accreditation:revision-list", args=[review_application.pk]))

    assert len(response.context["rows"]) == count
