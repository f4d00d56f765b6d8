"""Partnership network rounds end to end through the services, and the stored metrics."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.workflow import InvalidTransition, StaleState
from engagement.enums import NetworkRoundStatus, NetworkSource
from engagement.models import NetworkRating, NetworkRespondent, NetworkResult, NetworkRound, NetworkRoundEvent
from engagement.services import network as svc
from engagement.services.network import PartnerRating
from teams.enums import MembershipRole
from tests import factories as f
from tests.factories.engagement_network import partners, planned_round, tokens_from_mail


@pytest.fixture
def three(hit):
    return partners(hit, ("Acute Trust", "PROV"), ("City Council", "OPS"), ("Carers Forum", "PUBLIC"))


def test_create_plans_one_respondent_per_partner_with_its_category(hit, director, three):
    network_round = svc.network_round_create(
        actor=director, hit_id=hit.pk, title="Round 1", closes_on=timezone.localdate()
    )
    assert network_round.status == NetworkRoundStatus.PLANNED
    rows = list(
        network_round.respondents.order_by("organisation__name").values_list(
            "organisation__name", "category__code"
        )
    )
    assert rows == [("Acute Trust", "PROV"), ("Carers Forum", "PUBLIC"), ("City Council", "OPS")]
    event = NetworkRoundEvent.objects.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "create",
        "",
        "planned",
        director,
    )


def test_create_refused_without_two_partners_or_with_a_past_date_or_a_round_running(hit, director):
    partners(hit, ("Only One", "PROV"))
    with pytest.raises(ValidationError, match="at least two partner organisations"):
        svc.network_round_create(actor=director, hit_id=hit.pk, title="R", closes_on=timezone.localdate())
    partners(hit, ("Second", "COMM"))
    with pytest.raises(ValidationError, match="cannot be in the past"):
        svc.network_round_create(
            actor=director,
            hit_id=hit.pk,
            title="R",
            closes_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    svc.network_round_create(actor=director, hit_id=hit.pk, title="R", closes_on=timezone.localdate())
    with pytest.raises(ValidationError, match="already has a network round"):
        svc.network_round_create(actor=director, hit_id=hit.pk, title="R2", closes_on=timezone.localdate())
    assert NetworkRound.objects.count() == 1


def test_outsiders_and_board_members_cannot_plan_a_round(hit, outsider, board_member, three):
    for actor in (outsider, board_member):
        with pytest.raises(PermissionDenied):
            svc.network_round_create(actor=actor, hit_id=hit.pk, title="R", closes_on=timezone.localdate())


def test_a_round_end_to_end(hit, director, three, django_capture_on_commit_callbacks):
    acute, council, carers = three
    network_round = planned_round(hit, director, three)
    with django_capture_on_commit_callbacks(execute=True):
        move = svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    assert move.sent == 3
    tokens = tokens_from_mail()
    assert len(tokens) == 3
    # Only the digest is stored.
    assert not NetworkRespondent.objects.filter(token_digest__in=tokens.values()).exists()
    network_round.refresh_from_db()
    assert (network_round.status, network_round.opens_on) == ("open", timezone.localdate())

    svc.network_submit(
        token=tokens[f"{acute.pk}@example.org"],
        ratings={council.pk: PartnerRating(4, 3, 4), carers.pk: PartnerRating(1, 2, 2)},
    )
    svc.network_submit(
        token=tokens[f"{council.pk}@example.org"],
        ratings={acute.pk: PartnerRating(2, 3, 3), carers.pk: PartnerRating(0)},
    )
    # The link works once.
    with pytest.raises(svc.NetworkLinkError, match="already been used"):
        svc.network_submit(token=tokens[f"{acute.pk}@example.org"], ratings={})

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminded = svc.network_round_transition(actor=director, round_id=network_round.pk, action="remind")
    assert reminded.sent == 1
    assert [m.to for m in mail.outbox] == [[f"{carers.pk}@example.org"]]
    assert f"{carers.pk}@example.org" in mail.outbox[0].to
    assert "network-survey/" not in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="close")
    # Ratings after the close are refused.
    with pytest.raises(svc.NetworkLinkError, match="closed"):
        svc.network_submit(token=tokens[f"{carers.pk}@example.org"], ratings={acute.pk: PartnerRating(3)})

    result = NetworkResult.objects.get(network_round=network_round)
    assert result.source == NetworkSource.ROUND
    assert (result.nodes, result.respondents) == (3, 2)
    assert result.response_rate == pytest.approx(2 / 3)
    # Ties: acute-council (4 and 2), acute-carers (1, one side); council-carers reported 0.
    assert result.ties == 2
    assert result.density == pytest.approx(2 / 3)
    assert result.articulation_points == 1
    assert result.detail["articulation_points"] == [acute.pk]
    # Acute says coalition, the council says cooperation: two levels apart.
    assert result.asymmetric_pairs == 1
    assert result.fingerprint and result.computed_at
    assert [e.action for e in NetworkRoundEvent.objects.order_by("pk")] == [
        "create",
        "open",
        "remind",
        "close",
    ]


def test_illegal_moves_are_refused_clearly(hit, director, programme_manager, teammate, three):
    network_round = planned_round(hit, director, three)
    with pytest.raises(InvalidTransition, match="A network round that is planned cannot be moved by 'close'"):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="close")
    with pytest.raises(InvalidTransition):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="remind")
    with pytest.raises(StaleState):
        svc.network_round_transition(
            actor=director, round_id=network_round.pk, action="open", expected_status="open"
        )
    svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    # A member who is not the director may remind but not close or cancel.
    with pytest.raises(PermissionDenied, match="director or a programme manager"):
        svc.network_round_transition(actor=teammate, round_id=network_round.pk, action="close")
    with pytest.raises(ValidationError, match="Say why"):
        svc.network_round_transition(actor=programme_manager, round_id=network_round.pk, action="cancel")
    svc.network_round_transition(
        actor=programme_manager, round_id=network_round.pk, action="cancel", reason="Wrong partners."
    )
    network_round.refresh_from_db()
    assert network_round.status == NetworkRoundStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")


def test_open_needs_two_named_contacts(hit, director, three):
    network_round = svc.network_round_create(
        actor=director, hit_id=hit.pk, title="R", closes_on=timezone.localdate()
    )
    first = network_round.respondents.first()
    svc.network_respondent_set(
        actor=director, respondent_id=first.pk, contact_name="A", email="a@example.org"
    )
    with pytest.raises(ValidationError, match="at least two organisations"):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    network_round.refresh_from_db()
    assert network_round.status == NetworkRoundStatus.PLANNED
    with pytest.raises(ValidationError):
        svc.network_respondent_set(
            actor=director, respondent_id=first.pk, contact_name="A", email="not-an-email"
        )


def test_submission_validates_every_partner_and_the_scales(
    hit, director, three, django_capture_on_commit_callbacks
):
    acute, council, carers = three
    network_round = planned_round(hit, director, three)
    with django_capture_on_commit_callbacks(execute=True):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    token = tokens_from_mail()[f"{acute.pk}@example.org"]
    with pytest.raises(ValidationError) as missing:
        svc.network_submit(token=token, ratings={council.pk: PartnerRating(2)})
    assert f"level_{carers.pk}" in missing.value.message_dict
    with pytest.raises(ValidationError, match="only for a partner you have a tie with"):
        svc.network_submit(
            token=token, ratings={council.pk: PartnerRating(0, trust=3), carers.pk: PartnerRating(1)}
        )
    with pytest.raises(ValidationError, match="not in this round"):
        svc.network_submit(
            token=token,
            ratings={council.pk: PartnerRating(1), carers.pk: PartnerRating(1), 999999: PartnerRating(1)},
        )
    with pytest.raises(svc.NetworkLinkError, match="not valid"):
        svc.network_submit(token="forged", ratings={})
    assert NetworkRating.objects.count() == 0


def test_the_date_closes_a_round_and_the_worker_stores_its_metrics(
    hit, director, three, django_capture_on_commit_callbacks
):
    network_round = planned_round(hit, director, three, closes_in=2)
    with django_capture_on_commit_callbacks(execute=True):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    assert svc.network_close_due() == []
    later = timezone.localdate() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.network_close_due(today=later) == [network_round.pk]
    network_round.refresh_from_db()
    assert network_round.status == NetworkRoundStatus.CLOSED
    event = network_round.events.first()
    assert (event.action, event.actor, event.comment) == ("close", None, "Its closing date passed.")
    result = NetworkResult.objects.get(network_round=network_round)
    assert (result.respondents, result.ties, result.response_rate) == (0, 0, 0.0)


def test_co_membership_network_and_idempotent_recompute(hit, three):
    acute, council, carers = three
    group = f.WorkingGroupFactory(hit=hit)
    for organisation, role, working_group in (
        (acute, MembershipRole.DIRECTOR, None),
        (council, MembershipRole.MANAGEMENT_GROUP, None),
        (council, MembershipRole.MEMBER, group),
        (carers, MembershipRole.MEMBER, group),
    ):
        f.MembershipFactory(hit=hit, organisation=organisation, role=role, working_group=working_group)

    outcome = svc.network_compute(hit_ids=[hit.pk])
    assert outcome.computed == 1
    result = NetworkResult.objects.get(hit=hit)
    assert result.source == NetworkSource.CO_MEMBERSHIP
    assert result.network_round is None
    assert result.response_rate is None
    # acute-council (management group), council-carers (working group): the council holds it together.
    assert (result.ties, result.articulation_points) == (2, 1)
    assert result.detail["articulation_points"] == [council.pk]
    first = (result.fingerprint, result.computed_at)

    again = svc.network_compute(hit_ids=[hit.pk])
    assert (again.computed, again.unchanged) == (0, 1)
    result.refresh_from_db()
    assert (result.fingerprint, result.computed_at) == first

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        f.MembershipFactory(hit=hit, organisation=acute, role=MembershipRole.MEMBER, working_group=group)
        assert svc.network_compute().computed >= 1
    result = NetworkResult.objects.get(hit=hit)
    assert result.ties == 3 and result.articulation_points == 0
    assert result.fingerprint != first[0]
    assert NetworkResult.objects.filter(hit=hit).count() == 1


def test_round_moves_are_in_the_audit_log(hit, director, programme_manager, three):
    from hitportal.audit import selectors as audit

    planned_round(hit, director, three)
    entries = audit.audit_page_entries(
        audit.audit_entries(user=programme_manager, filters=audit.AuditFilter(kind="network_round"))
    )
    assert [e.kind for e in entries] == ["network_round"]
    assert "Planned" in entries[0].what


def test_the_beat_tasks_close_due_rounds_and_recompute_every_network(
    hit, director, three, django_capture_on_commit_callbacks
):
    from engagement import tasks

    network_round = planned_round(hit, director, three, closes_in=1)
    svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert tasks.close_due_network_rounds() == 1
    network_round.refresh_from_db()
    assert network_round.status == NetworkRoundStatus.CLOSED
    assert NetworkResult.objects.filter(network_round=network_round).exists()
    assert tasks.recompute_networks() == {"computed": 1, "unchanged": 1}
    assert tasks.recompute_networks() == {"computed": 0, "unchanged": 2}
