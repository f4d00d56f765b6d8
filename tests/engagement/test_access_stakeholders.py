"""The persona x page matrix of the stakeholder map and coverage pages (collected by
tests/test_access_matrix.py, which checks that every URL pattern has an entry somewhere).

`hit` has a manual stakeholder row. `reviewer` is assigned, with no conflict, to the HIT's
application in the `panel` fixture's round, so may read the HIT's engagement; `lay_reviewer` and
`chair` sit on the panel without an assignment, so for them the HIT does not exist.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.models import Application, ReviewAssignment
from engagement.models import ScoreRequest, Stakeholder
from tests.conftest import PERSONAS
from tests.factories import engagement as ef

ALL = [*PERSONAS, "anonymous"]
# permissions.can_view_engagement: the HIT's members, programme-wide readers, an assigned reviewer.
EDITORS = {"programme_manager", "director", "sponsor", "teammate"}
READERS = EDITORS | {"board_member", "ppi_facilitator", "reviewer"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _readers() -> dict[str, int]:
    """Everyone who may see the HIT's engagement reads it; nobody else learns it exists."""
    return _expect(404, **dict.fromkeys(READERS, 200))


def _editors(status: int) -> dict[str, int]:
    """Members and programme managers act; other readers may see but not act (403); others 404."""
    return _expect(404, **dict.fromkeys(READERS - EDITORS, 403), **dict.fromkeys(EDITORS, status))


def _hit(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk}


def _row(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk, "pk": ctx["row"].pk}


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "engagement:stakeholder-map": ("get", _hit, _readers()),
    "engagement:stakeholder-create": ("get", _hit, _editors(200)),
    "engagement:stakeholder-edit": ("get", _row, _editors(200)),
    "engagement:stakeholder-end": ("post", _row, _editors(302)),
    "engagement:stakeholder-sync": ("post", _hit, _editors(302)),
    "engagement:coverage-detail": ("get", _hit, _readers()),
    "engagement:coverage-recalculate": ("post", _hit, _editors(302)),
}


@pytest.fixture
def ctx(hit, panel, reviewer):
    application = Application.objects.create(hit=hit, round=panel.round)
    ReviewAssignment.objects.create(application=application, reviewer=reviewer, declaration="none")
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


@pytest.mark.parametrize("persona", ["board_member", "ppi_facilitator", "reviewer"], indirect=True)
def test_readers_who_may_not_edit_see_the_reason_and_no_buttons(client, ctx, persona):
    client.force_login(persona)

    response = client.get(reverse("engagement:stakeholder-map", args=[ctx["hit"].pk]))

    content = response.content.decode()
    assert "Only the HIT&#x27;s members and programme managers change its engagement records." in content
    assert reverse("engagement:stakeholder-create", args=[ctx["hit"].pk]) not in content
    assert reverse("engagement:stakeholder-edit", args=[ctx["hit"].pk, ctx["row"].pk]) not in content
    assert "Update from memberships" not in content


@pytest.mark.parametrize("persona", ["board_member", "ppi_facilitator", "reviewer"], indirect=True)
def test_forbidden_write_says_why(client, ctx, persona):
    client.force_login(persona)

    response = client.post(reverse("engagement:stakeholder-sync", args=[ctx["hit"].pk]))

    assert response.status_code == 403
    assert "Only the HIT&#x27;s members and programme managers" in response.content.decode()
