"""The persona x page matrix of the stakeholder map and coverage pages (collected by
tests/test_access_matrix.py, which checks that every URL pattern has an entry somewhere).

`hit` has a manual stakeholder row and an application under review in the `panel` fixture's
round (conftest `review_application`). The named map is for the HIT's members and programme
managers only (docs/domain.md section 4). The coverage, without names, is also for board members, PPI
facilitators, and, while the application is open, its cleared full reviewer (`hit_reviewer`) and the
round's chair; never for a lay reviewer, and nothing after the decision (`decided_reviewer`).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.models import ReviewAssignment
from engagement.models import ScoreRequest, Stakeholder
from tests.conftest import PERSONAS
from tests.factories import engagement as ef

ALL = [*PERSONAS, "anonymous"]
EDITORS = {"programme_manager", "director", "sponsor", "teammate"}
# permissions.can_view_stakeholder_map: the editors only.
MAP_READERS = EDITORS
# permissions.can_view_coverage.
COVERAGE_READERS = EDITORS | {"board_member", "ppi_facilitator", "hit_reviewer", "chair"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _readers(readers: set[str]) -> dict[str, int]:
    """Everyone who may see the page reads it; nobody else learns the HIT exists."""
    return _expect(404, **dict.fromkeys(readers, 200))


def _editors(readers: set[str], status: int) -> dict[str, int]:
    """Members and programme managers act; other readers may see but not act (403); others 404."""
    return _expect(404, **dict.fromkeys(readers - EDITORS, 403), **dict.fromkeys(EDITORS, status))


def _hit(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk}


def _row(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk, "pk": ctx["row"].pk}


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "engagement:stakeholder-map": ("get", _hit, _readers(MAP_READERS)),
    "engagement:stakeholder-create": ("get", _hit, _editors(MAP_READERS, 200)),
    "engagement:stakeholder-edit": ("get", _row, _editors(MAP_READERS, 200)),
    "engagement:stakeholder-end": ("post", _row, _editors(MAP_READERS, 302)),
    "engagement:stakeholder-sync": ("post", _hit, _editors(MAP_READERS, 302)),
    "engagement:coverage-detail": ("get", _hit, _readers(COVERAGE_READERS)),
    "engagement:coverage-recalculate": ("post", _hit, _editors(COVERAGE_READERS, 302)),
}


@pytest.fixture
def ctx(hit, review_application):
    row = ef.StakeholderFactory(hit=hit, role="Adviser")
    return {"hit": hit, "row": row}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[2][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_persona_matrix(client, ctx, url_name, persona, expected):
    method, kwargs, _ = MATRIX[url_name]
    if persona is not None:
        client.force_login(persona)
    url = reverse(url_name, kwargs=kwargs(ctx))

    response = getattr(client, method)(url)

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


NOT_EDITORS = sorted(set(ALL) - EDITORS)


@pytest.mark.parametrize("persona", NOT_EDITORS, indirect=True)
def test_writes_by_non_editors_change_nothing(client, ctx, persona):
    if persona is not None:
        client.force_login(persona)
    hit_pk, row = ctx["hit"].pk, ctx["row"]
    payload = {"organisation": row.organisation_id, "category": row.category_id, "depth": 3}
    payload |= {"start_date": "2024-01-01", "role": "Forged"}

    client.post(reverse("engagement:stakeholder-create", args=[hit_pk]), payload)
    client.post(reverse("engagement:stakeholder-edit", args=[hit_pk, row.pk]), payload)
    client.post(reverse("engagement:stakeholder-end", args=[hit_pk, row.pk]))
    client.post(reverse("engagement:stakeholder-sync", args=[hit_pk]))
    client.post(reverse("engagement:coverage-recalculate", args=[hit_pk]))

    assert list(Stakeholder.objects.values_list("pk", "role", "depth", "end_date")) == [
        (row.pk, "Adviser", 2, None)
    ]
    assert ScoreRequest.objects.count() == 0


COVERAGE_ONLY = sorted(COVERAGE_READERS - EDITORS)


@pytest.mark.parametrize("persona", COVERAGE_ONLY, indirect=True)
def test_coverage_readers_who_may_not_edit_see_the_reason_and_no_button_or_map_link(client, ctx, persona):
    client.force_login(persona)

    response = client.get(reverse("engagement:coverage-detail", args=[ctx["hit"].pk]))

    content = response.content.decode()
    assert "Only the HIT&#x27;s members and programme managers change its engagement records." in content
    assert reverse("engagement:coverage-recalculate", args=[ctx["hit"].pk]) not in content
    assert reverse("engagement:stakeholder-map", args=[ctx["hit"].pk]) not in content


@pytest.mark.parametrize("persona", ["director", "programme_manager"], indirect=True)
def test_map_readers_find_the_map_linked_from_the_coverage(client, ctx, persona):
    client.force_login(persona)

    response = client.get(reverse("engagement:coverage-detail", args=[ctx["hit"].pk]))

    assert reverse("engagement:stakeholder-map", args=[ctx["hit"].pk]) in response.content.decode()


@pytest.mark.parametrize("persona", COVERAGE_ONLY, indirect=True)
def test_forbidden_recalculation_says_why(client, ctx, persona):
    client.force_login(persona)

    response = client.post(reverse("engagement:coverage-recalculate", args=[ctx["hit"].pk]))

    assert response.status_code == 403
    assert "Only the HIT&#x27;s members and programme managers" in response.content.decode()


def test_chair_no_longer_sees_the_coverage_once_the_application_is_decided(
    client, ctx, chair, decided_application
):
    client.force_login(chair)

    response = client.get(reverse("engagement:coverage-detail", args=[ctx["hit"].pk]))

    assert response.status_code == 404


def test_reviewer_whose_conflict_is_open_does_not_see_the_coverage(client, ctx, hit_reviewer):
    ReviewAssignment.objects.filter(reviewer=hit_reviewer).update(flagged_organisations="A partner")
    client.force_login(hit_reviewer)

    response = client.get(reverse("engagement:coverage-detail", args=[ctx["hit"].pk]))

    assert response.status_code == 404
