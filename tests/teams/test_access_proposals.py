"""Persona matrix for the "Proposed memberships" page (docs/domain.md sections 3.9 and 4): the HIT's
director and programme managers; 403 for the others who see the HIT, 404 for everyone else."""

import pytest
from django.urls import reverse

from teams.enums import MembershipRole, ProposalStatus
from teams.models import Membership, ProposedMembership
from tests.conftest import PERSONAS

ALL = [*PERSONAS, "anonymous"]
READERS = {"programme_manager", "board_member", "ppi_facilitator", "director", "sponsor", "teammate"}
CONFIRMERS = {"programme_manager": 200, "director": 200}
READ_ONLY = dict.fromkeys(READERS - set(CONFIRMERS), 403)


def _expect(**overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, 404)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


MATRIX = {
    "teams:proposed-memberships": (
        "get",
        lambda ctx: {"pk": ctx["hit"].pk},
        _expect(**READ_ONLY, **CONFIRMERS),
    ),
}


@pytest.fixture
def ctx(hit, db):
    from tests import factories as f

    person = f.PersonFactory(full_name="Ann Jones")
    proposal = ProposedMembership.objects.create(
        hit=hit,
        source_key=1,
        source_label="Round 2026, revision 1",
        role=MembershipRole.MANAGEMENT_GROUP,
        name_as_written="Ann Jones",
        person=person,
    )
    return {"hit": hit, "proposal": proposal}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(name, persona, spec[2][persona]) for name, spec in MATRIX.items() for persona in ALL],
    indirect=["persona"],
)
def test_proposals_persona_matrix(client, ctx, url_name, persona, expected):
    method, kwargs, _ = MATRIX[url_name]
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(ctx)))

    assert response.status_code == expected


@pytest.mark.parametrize(
    "persona", ["board_member", "sponsor", "teammate", "outsider", "reviewer"], indirect=True
)
def test_a_post_by_anyone_else_confirms_nothing(client, ctx, persona):
    client.force_login(persona)
    proposal = ctx["proposal"]

    response = client.post(
        reverse("teams:proposed-memberships", args=[ctx["hit"].pk]),
        {
            "shown": str(proposal.pk),
            f"p{proposal.pk}-include": "on",
            f"p{proposal.pk}-person": proposal.person_id,
        },
    )

    assert response.status_code in (403, 404)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    assert not Membership.objects.filter(person=proposal.person).exists()
