"""The board dashboard's partnership networks: each HIT's density and articulation points, read from
engagement's stored results, without naming any organisation."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from engagement.services.network import PartnerRating, network_compute
from tests import factories as f
from tests.factories.engagement_network import partners, run_round

BOARD = reverse("reporting:board-dashboard")


def test_board_sees_density_and_articulation_points_but_no_names(
    client, hit, other_hit, director, board_member, django_capture_on_commit_callbacks
):
    acute, council, carers = partners(
        hit, ("Acute Trust", "PROV"), ("City Council", "OPS"), ("Carers", "PUBLIC")
    )
    run_round(
        hit,
        director,
        {
            acute: {council: PartnerRating(3, 3, 3), carers: PartnerRating(0)},
            council: {acute: PartnerRating(3, 3, 3), carers: PartnerRating(2, 2, 2)},
        },
        capture=django_capture_on_commit_callbacks,
    )
    partners(other_hit, ("Pain Clinic", "PROV"), ("Pain Charity", "NONNHS"))
    network_compute(hit_ids=[other_hit.pk])
    f.HITFactory(name="Unscored HIT")
    cache.clear()
    client.force_login(board_member)

    response = client.get(BOARD)

    assert response.status_code == 200
    rows = {row.hit.name: row for row in response.context["dashboard"].networks}
    assert (rows["Dementia HIT"].source, rows["Dementia HIT"].articulation_points) == ("round", 1)
    assert rows["Dementia HIT"].density == 2 / 3
    assert (rows["Pain HIT"].source, rows["Pain HIT"].density) == ("co_membership", 0.0)
    assert rows["Unscored HIT"].source == ""
    html = response.content.decode()
    assert "67%" in html and "Co-membership of its groups" in html and "Not computed yet" in html
    assert "City Council" not in html and "Acute Trust" not in html


def test_the_api_gives_network_figures_to_members_and_the_board_only(
    client, hit, teammate, board_member, ppi_facilitator
):
    partners(hit, ("Acute Trust", "PROV"), ("City Council", "OPS"))
    network_compute(hit_ids=[hit.pk])
    url = reverse("api:hit-scores", kwargs={"pk": hit.pk})

    for user in (teammate, board_member):
        client.force_login(user)
        network = client.get(url).json()["network"]
        assert network["source"] == "co_membership"
        assert (network["nodes"], network["ties"], network["density"], network["articulation_points"]) == (
            2,
            0,
            0.0,
            0,
        )
        assert "Acute Trust" not in client.get(url).content.decode()
    # The PPI facilitator follows every HIT's coverage, not its network.
    client.force_login(ppi_facilitator)
    response = client.get(url)
    assert response.status_code == 200 and response.json()["network"] is None
