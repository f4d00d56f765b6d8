"""The demo's partnership network: the Dementia HIT's two rounds, run through the services on the
travelling clock, with their stored metrics; every HIT's co-membership network."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from engagement.enums import NetworkRoundStatus, NetworkSource
from engagement.models import NetworkResult, NetworkRound, NetworkRoundEvent
from teams.models import HIT, User


@pytest.mark.django_db
def test_the_dementia_hit_has_two_closed_rounds_with_stored_networks(client):
    call_command("seed_demo", stdout=StringIO())
    dementia = HIT.objects.get(slug="dementia")

    rounds = list(NetworkRound.objects.filter(hit=dementia).order_by("closes_on"))
    assert [r.title for r in rounds] == ["Baseline network", "One quarter on"]
    assert {r.status for r in rounds} == {NetworkRoundStatus.CLOSED}
    first, second = (r.result for r in rounds)
    # Answered on their own days: the baseline closed by its date (no actor), the second by the director.
    assert [e.action for e in NetworkRoundEvent.objects.filter(network_round=rounds[0]).order_by("pk")] == [
        "create",
        "open",
        "close",
    ]
    assert NetworkRoundEvent.objects.get(network_round=rounds[0], action="close").actor is None
    assert (
        NetworkRoundEvent.objects.get(network_round=rounds[1], action="close").actor.email
        == "director@example.org"
    )
    assert first.respondents == first.nodes - 1 and second.respondents == second.nodes
    # The partners moved closer: denser, and no longer hanging on single organisations.
    assert first.articulation_points >= 1
    assert second.density > first.density
    assert second.articulation_points < first.articulation_points
    assert first.asymmetric_pairs >= 1
    # Every HIT has its co-membership network for the board dashboard.
    assert NetworkResult.objects.filter(source=NetworkSource.CO_MEMBERSHIP).count() == HIT.objects.count()

    client.force_login(User.objects.get(email="director@example.org"))
    page = client.get(reverse("engagement:network-detail", kwargs={"hit_pk": dementia.pk}))
    assert page.status_code == 200
    assert page.context["change"].earlier.network_round_id == rounds[0].pk

    # Loading again adds nothing and recomputes nothing.
    computed = list(NetworkResult.objects.values_list("pk", "computed_at").order_by("pk"))
    call_command("seed_demo", stdout=StringIO())
    assert NetworkRound.objects.count() == 2
    assert list(NetworkResult.objects.values_list("pk", "computed_at").order_by("pk")) == computed
