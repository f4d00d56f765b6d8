"""The partnership network's pages: the HIT's network, the rounds, and the respondent's form."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from engagement.models import NetworkRating, NetworkRespondent, NetworkResult, NetworkRound
from engagement.services import network as svc
from engagement.services.network import PartnerRating
from teams.enums import MembershipRole
from tests import factories as f
from tests.factories.engagement_network import partners, planned_round, run_round, tokens_from_mail


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


@pytest.fixture
def three(hit):
    return partners(hit, ("Acute Trust", "PROV"), ("City Council", "OPS"), ("Carers Forum", "PUBLIC"))


def chain_answers(acute, council, carers):
    """acute - council - carers: the council holds it together; acute and council see it differently."""
    return {
        acute: {council: PartnerRating(4, 3, 3), carers: PartnerRating(0)},
        council: {acute: PartnerRating(2, 3, 3), carers: PartnerRating(3, 4, 4)},
        carers: {acute: PartnerRating(0), council: PartnerRating(3, 4, 2)},
    }


def url(name, hit, **kwargs):
    return reverse(f"engagement:{name}", kwargs={"hit_pk": hit.pk, **kwargs})


def test_network_page_without_a_round_shows_the_co_membership_network_labelled(director_client, hit, three):
    acute, council, _carers = three
    f.MembershipFactory(hit=hit, organisation=acute, role=MembershipRole.MANAGEMENT_GROUP)
    f.MembershipFactory(hit=hit, organisation=council, role=MembershipRole.MANAGEMENT_GROUP)
    svc.network_compute(hit_ids=[hit.pk])

    response = director_client.get(url("network-detail", hit))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Co-membership network." in html
    assert response.context["view"].result.source == "co_membership"
    assert html.count('r="10" fill=') == 3
    assert "Not tied to any other partner: Carers Forum." in html


def test_network_page_of_a_closed_round(
    director_client, hit, director, three, django_capture_on_commit_callbacks
):
    run_round(hit, director, chain_answers(*three), capture=django_capture_on_commit_callbacks)

    response = director_client.get(url("network-detail", hit))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Co-membership" not in html
    # The council is the articulation point: drawn as a diamond, named in the summary and the table.
    assert html.count('transform="rotate(45') == 1 + 1  # the council, and the legend's sample
    assert "If any of these left, the network would split: City Council." in html
    assert '<svg class="network-drawing' in html and 'role="img"' in html
    legend = [entry.name for entry in response.context["view"].legend]
    assert len(legend) == 3
    # Acute says coalition, the council cooperation: a pair to talk about, without their levels.
    assert "<li>Acute Trust and City Council</li>" in html
    # Ratings about an organisation need three raters: here each has at most two.
    table = {row["name"]: row for row in response.context["view"].table}
    assert table["City Council"]["mean_level"] is None
    assert table["City Council"]["articulation"] is True
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_change_between_two_rounds(director_client, hit, director, three, django_capture_on_commit_callbacks):
    acute, _council, carers = three
    run_round(hit, director, chain_answers(*three), capture=django_capture_on_commit_callbacks, title="First")
    second = chain_answers(*three)
    second[acute][carers] = PartnerRating(2, 3, 3)
    run_round(hit, director, second, capture=django_capture_on_commit_callbacks, title="Second")

    response = director_client.get(url("network-detail", hit))

    change = response.context["change"]
    assert change.earlier.network_round.title == "First"
    assert change.ties_gained == [("Acute Trust", "Carers Forum")]
    assert change.articulation_gone == ["City Council"]
    assert change.density == pytest.approx(1 / 3)
    html = response.content.decode()
    assert "No longer articulation points: City Council." in html
    # The earlier round is still there to look at.
    first = NetworkRound.objects.get(title="First")
    earlier = director_client.get(url("network-detail", hit) + f"?round={first.pk}")
    assert earlier.context["view"].result.network_round_id == first.pk
    assert earlier.context["change"] is None


def test_who_sees_the_network(
    client, hit, board_member, ppi_facilitator, outsider, programme_manager, teammate
):
    for user, status in (
        (board_member, 404),
        (ppi_facilitator, 404),
        (outsider, 404),
        (programme_manager, 200),
        (teammate, 200),
    ):
        client.force_login(user)
        for name in ("network-detail", "network-export", "network-rounds"):
            assert client.get(url(name, hit)).status_code == status, (user, name)


def test_the_ties_export_is_for_programme_managers(
    client, hit, director, programme_manager, three, django_capture_on_commit_callbacks
):
    network_round = run_round(
        hit, director, chain_answers(*three), capture=django_capture_on_commit_callbacks
    )
    client.force_login(director)
    assert client.get(url("network-ties-export", hit, pk=network_round.pk)).status_code == 403
    client.force_login(programme_manager)
    response = client.get(url("network-ties-export", hit, pk=network_round.pk))
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("organisation_a,organisation_b,level_a_about_b")
    assert len(lines) == 1 + 2
    # The member-facing export carries no pair's ratings.
    client.force_login(director)
    table = client.get(url("network-export", hit)).content.decode()
    assert "level_a_about_b" not in table and "Acute Trust" in table


def test_a_round_through_the_pages(client, director_client, hit, three, django_capture_on_commit_callbacks):
    acute, council, carers = three
    response = director_client.post(
        url("network-rounds", hit),
        {"title": "Autumn", "closes_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()},
    )
    network_round = NetworkRound.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "network-round", hit, pk=network_round.pk
    )
    for respondent in network_round.respondents.all():
        response = director_client.post(
            url("network-round-contact", hit, pk=network_round.pk, respondent_pk=respondent.pk),
            {"contact_name": "Sam", "email": f"{respondent.organisation_id}@example.org"},
        )
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        director_client.post(
            url("network-round-open", hit, pk=network_round.pk), {"expected_status": "planned"}
        )
    network_round.refresh_from_db()
    assert network_round.status == "open"
    token = tokens_from_mail()[f"{acute.pk}@example.org"]

    respond = reverse("engagement:network-respond", kwargs={"token": token})
    page = client.get(respond)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert [name for name, *_ in page.context["form"].rows()] == ["Carers Forum", "City Council"]
    bad = client.post(
        respond, {f"level_{council.pk}": "0", f"trust_{council.pk}": "3", f"level_{carers.pk}": "2"}
    )
    assert bad.status_code == 400
    assert NetworkRating.objects.count() == 0
    done = client.post(
        respond,
        {
            f"level_{council.pk}": "3",
            f"trust_{council.pk}": "4",
            f"value_{council.pk}": "2",
            f"level_{carers.pk}": "0",
        },
    )
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert NetworkRating.objects.count() == 2
    assert client.get(respond).status_code == 410

    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(
            url("network-round-close", hit, pk=network_round.pk), {"expected_status": "open"}
        )
    assert response.status_code == 302
    assert NetworkResult.objects.get(network_round=network_round).respondents == 1
    assert client.get(respond).status_code == 410


def test_a_member_who_is_not_the_director_cannot_close(client, hit, director, teammate, three):
    network_round = planned_round(hit, director)
    svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    client.force_login(teammate)
    assert client.post(url("network-round-close", hit, pk=network_round.pk)).status_code == 403
    # ... and sees no button for it.
    page = client.get(url("network-round", hit, pk=network_round.pk)).content.decode()
    assert url("network-round-close", hit, pk=network_round.pk) not in page
    assert url("network-round-remind", hit, pk=network_round.pk) in page


def test_an_illegal_move_is_refused_with_a_message(director_client, hit, director, three):
    network_round = planned_round(hit, director)
    response = director_client.post(url("network-round-close", hit, pk=network_round.pk), follow=True)
    assert (
        "A network round that is planned cannot be moved by &#x27;close&#x27;." in response.content.decode()
    )
    network_round.refresh_from_db()
    assert network_round.status == "planned"


def test_a_forged_link_is_not_found(client, db):
    response = client.get(reverse("engagement:network-respond", kwargs={"token": "not-a-token"}))
    assert response.status_code == 404
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("organisations", [3, 12])
def test_network_page_query_count_is_constant(
    director_client,
    hit,
    director,
    organisations,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    orgs = partners(hit, *((f"Partner {n:02}", ("PROV", "COMM", "OPS")[n % 3]) for n in range(organisations)))
    answers = {a: {b: PartnerRating(1 + (a.pk + b.pk) % 5, 3, 3) for b in orgs if b != a} for a in orgs}
    run_round(hit, director, answers, capture=django_capture_on_commit_callbacks, title="One")
    run_round(hit, director, answers, capture=django_capture_on_commit_callbacks, title="Two")
    mail.outbox.clear()

    # session + user + role lookups + HIT + results + categories
    with django_assert_max_num_queries(9):
        response = director_client.get(url("network-detail", hit))
    assert response.status_code == 200
    assert len(response.context["view"].table) == organisations

    network_round = NetworkRound.objects.filter(title="Two").get()
    # ... + round + respondents + events
    with django_assert_max_num_queries(10):
        response = director_client.get(url("network-round", hit, pk=network_round.pk))
    assert len(response.context["respondents"]) == organisations
    with django_assert_max_num_queries(8):
        response = director_client.get(url("network-rounds", hit))
    assert [r.organisations for r in response.context["rounds"]] == [organisations] * 2


def test_a_contact_named_in_an_open_round_gets_a_new_link(
    director_client, hit, director, three, django_capture_on_commit_callbacks
):
    network_round = planned_round(hit, director)
    with django_capture_on_commit_callbacks(execute=True):
        svc.network_round_transition(actor=director, round_id=network_round.pk, action="open")
    respondent = NetworkRespondent.objects.filter(network_round=network_round).first()
    old = tokens_from_mail()[respondent.email]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        director_client.post(
            url("network-round-contact", hit, pk=network_round.pk, respondent_pk=respondent.pk),
            {"contact_name": "New person", "email": "new@example.org"},
        )
    assert list(tokens_from_mail()) == ["new@example.org"]
    with pytest.raises(svc.NetworkLinkError):
        svc.respondent_for_token(token=old)


def test_the_ties_of_a_round_not_closed_are_not_exported(client, hit, director, programme_manager, three):
    network_round = planned_round(hit, director)
    client.force_login(programme_manager)
    assert client.get(url("network-ties-export", hit, pk=network_round.pk)).status_code == 404


def _contact_url(hit, network_round, respondent):
    return url("network-round-contact", hit, pk=network_round.pk, respondent_pk=respondent.pk)


def test_a_bad_contact_is_refused_beside_its_field_and_keeps_what_was_typed(
    director_client, hit, director, three
):
    network_round = planned_round(hit, director)
    respondent = network_round.respondents.select_related("organisation").first()
    before = (respondent.contact_name, respondent.email)
    page = director_client.get(url("network-round", hit, pk=network_round.pk))
    version = page.context["respondents"][0].version
    response = director_client.post(
        _contact_url(hit, network_round, respondent),
        {"contact_name": "Priya Shah", "email": "not an address", "version": version},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Priya Shah"' in html and 'value="not an address"' in html
    assert f'aria-describedby="email-{respondent.pk}-error"' in html
    assert "Enter a valid email address." in html
    assert f"The contact for {respondent.organisation.name} was not saved" in html
    respondent.refresh_from_db()
    assert (respondent.contact_name, respondent.email) == before


def test_two_people_naming_one_contact_do_not_overwrite_each_other(director_client, hit, director, three):
    network_round = planned_round(hit, director)
    respondent = network_round.respondents.select_related("organisation").first()
    page = director_client.get(url("network-round", hit, pk=network_round.pk))
    row = next(r for r in page.context["respondents"] if r.pk == respondent.pk)
    opened_at = row.version
    assert f'name="version" value="{opened_at}"' in page.content.decode()
    # Someone else names a contact after the page was drawn.
    svc.network_respondent_set(
        actor=director, respondent_id=respondent.pk, contact_name="Their pick", email="theirs@example.org"
    )
    response = director_client.post(
        _contact_url(hit, network_round, respondent),
        {"contact_name": "My pick", "email": "mine@example.org", "version": opened_at},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Their version and yours" in html
    assert "theirs@example.org" in html and 'value="mine@example.org"' in html
    respondent.refresh_from_db()
    assert respondent.email == "theirs@example.org"
    # Saving again from the refused page, knowingly, replaces theirs.
    refreshed = next(r for r in response.context["respondents"] if r.pk == respondent.pk).version
    assert refreshed != opened_at
    again = director_client.post(
        _contact_url(hit, network_round, respondent),
        {"contact_name": "My pick", "email": "mine@example.org", "version": refreshed},
    )
    assert again.status_code == 302
    respondent.refresh_from_db()
    assert (respondent.contact_name, respondent.email) == ("My pick", "mine@example.org")


def test_the_service_refuses_a_stale_contact(hit, director, three):
    from core.concurrency import StaleEdit, version_of

    network_round = planned_round(hit, director)
    respondent = network_round.respondents.first()
    stale = version_of(respondent)
    svc.network_respondent_set(
        actor=director, respondent_id=respondent.pk, contact_name="A", email="a@example.org"
    )
    with pytest.raises(StaleEdit):
        svc.network_respondent_set(
            actor=director,
            respondent_id=respondent.pk,
            contact_name="B",
            email="b@example.org",
            expected_version=stale,
        )
    respondent.refresh_from_db()
    assert respondent.email == "a@example.org"
