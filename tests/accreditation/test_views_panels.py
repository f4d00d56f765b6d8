"""The panel administration pages (accreditation/views/panels.py) and their link from the round's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.enums import ConflictResolution, PanelRole
from accreditation.models import Panel, PanelMember, PanelSeatEvent, ReviewAssignment
from tests import factories as f
from tests.factories.accreditation_panel import PanelApplicationFactory, ReviewAssignmentFactory


@pytest.fixture
def pm_client(client, programme_manager):
    client.force_login(programme_manager)
    return client


def _person(name: str, *, account: bool = True):
    user = f.UserFactory(full_name=name) if account else None
    email = user.email if user else f"{name.split()[0].lower()}@example.org"
    return f.PersonFactory(user=user, full_name=name, email=email)


# --- The round's page --------------------------------------------------------------------------------


def test_round_detail_without_panel_offers_to_make_one(pm_client):
    round = f.RoundFactory()

    content = pm_client.get(reverse("accreditation:round-detail", args=[round.pk])).content.decode()

    assert "This round has no panel yet" in content
    assert f'href="{reverse("accreditation:panel-create", args=[round.pk])}"' in content


def test_round_detail_links_the_chair_to_the_panel_read_only(client, panel, chair):
    client.force_login(chair)

    content = client.get(reverse("accreditation:round-detail", args=[panel.round_id])).content.decode()

    assert f'href="{reverse("accreditation:panel-detail", args=[panel.pk])}"' in content
    assert reverse("accreditation:panel-create", args=[panel.round_id]) not in content


def test_round_detail_hides_panels_from_applicants(client, panel, applicant):
    client.force_login(applicant)

    content = client.get(reverse("accreditation:round-detail", args=[panel.round_id])).content.decode()

    assert reverse("accreditation:panel-detail", args=[panel.pk]) not in content


# --- Making a panel ----------------------------------------------------------------------------------


def test_panel_create_page_suggests_a_name(pm_client):
    round = f.RoundFactory(name="Round 2027")

    response = pm_client.get(reverse("accreditation:panel-create", args=[round.pk]))

    assert response.context["form"]["name"].value() == "Round 2027 panel"


def test_panel_create_makes_the_panel_and_opens_it(pm_client):
    round = f.RoundFactory()

    response = pm_client.post(
        reverse("accreditation:panel-create", args=[round.pk]), {"name": "Steering panel"}
    )

    panel = Panel.objects.get(round=round)
    assert response.url == reverse("accreditation:panel-detail", args=[panel.pk])
    assert panel.name == "Steering panel"


def test_panel_create_taken_name_keeps_what_was_typed(pm_client, panel):
    response = pm_client.post(
        reverse("accreditation:panel-create", args=[panel.round_id]), {"name": panel.name}
    )

    assert response.status_code == 200
    assert response.context["form"]["name"].value() == panel.name
    assert response.context["form"].errors["name"] == [
        f"{panel.round} already has a panel called {panel.name}: choose another name."
    ]
    assert Panel.objects.count() == 1


# --- The panel page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("members", "queries"), [(1, 10), (3, 10)])
def test_panel_detail_query_count_is_constant(
    pm_client, programme_manager, django_assert_num_queries, members, queries
):
    panel = f.PanelFactory()
    for _ in range(members):
        member = f.PanelMemberFactory(panel=panel)
        ReviewAssignmentFactory(application=PanelApplicationFactory(round=panel.round), reviewer=member.user)
        f.PanelSeatEventFactory(panel=panel, user=member.user, actor=programme_manager)
    url = reverse("accreditation:panel-detail", args=[panel.pk])

    with django_assert_num_queries(queries):
        response = pm_client.get(url)

    assert response.status_code == 200
    assert [s.open_reviews for s in response.context["seats"]] == [1] * members
    assert len(response.context["history"]) == members


def test_panel_detail_for_the_chair_has_no_forms(client, panel, chair):
    f.PanelMemberFactory(panel=panel)
    client.force_login(chair)

    response = client.get(reverse("accreditation:panel-detail", args=[panel.pk]))

    content = response.content.decode()
    assert response.context["add_form"] is None
    assert "Only programme managers change a panel&#x27;s members." in content
    assert "/remove/" not in content


def test_seat_add_without_account_says_so_next_to_the_field(pm_client, panel):
    person = _person("Omar Offline", account=False)

    response = pm_client.post(
        reverse("accreditation:panel-seat-add", args=[panel.pk]),
        {"person": person.pk, "role": PanelRole.REVIEWER, "comment": "From the trust"},
    )

    form = response.context["add_form"]
    assert response.status_code == 200
    assert form.errors["person"] == [
        "Omar Offline has no account on the portal yet, so they cannot sit on a panel. An account must be "
        "created for them first; then seat them here."
    ]
    assert form["comment"].value() == "From the trust"
    assert PanelMember.objects.count() == 0


def test_seat_add_second_chair_error_is_next_to_the_seat(pm_client, panel, chair):
    person = _person("Carla Second")

    response = pm_client.post(
        reverse("accreditation:panel-seat-add", args=[panel.pk]),
        {"person": person.pk, "role": PanelRole.CHAIR},
    )

    assert list(response.context["add_form"].errors) == ["role"]
    assert PanelMember.objects.filter(panel=panel, role=PanelRole.CHAIR).count() == 1


# --- Removing and replacing --------------------------------------------------------------------------


def test_seat_remove_page_lists_the_reviews_owed(pm_client, panel):
    member = f.PanelMemberFactory(panel=panel, user__full_name="Rita Leaving")
    ReviewAssignmentFactory(
        application=PanelApplicationFactory(round=panel.round, hit__name="Pain HIT"), reviewer=member.user
    )

    content = pm_client.get(reverse("accreditation:panel-seat-remove", args=[member.pk])).content.decode()

    assert "Rita Leaving still owes reviews of:" in content
    assert "Pain HIT" in content


def test_seat_remove_warns_which_applications_need_a_reviewer(pm_client, panel):
    member = f.PanelMemberFactory(panel=panel)
    ReviewAssignmentFactory(
        application=PanelApplicationFactory(round=panel.round, hit__name="Pain HIT"), reviewer=member.user
    )

    response = pm_client.post(
        reverse("accreditation:panel-seat-remove", args=[member.pk]), {"reason": "Stepped down"}, follow=True
    )

    shown = [str(m) for m in response.context["messages"]]
    assert any("need another reviewer" in m and "Pain HIT" in m for m in shown)
    assert PanelSeatEvent.objects.get().comment == "Stepped down"


def test_seat_replace_hands_over_and_says_so(pm_client, panel):
    member = f.PanelMemberFactory(panel=panel, user__full_name="Rita Leaving")
    owed = ReviewAssignmentFactory(
        application=PanelApplicationFactory(round=panel.round, hit__name="Pain HIT"), reviewer=member.user
    )
    person = _person("Nell Newcomer")

    response = pm_client.post(
        reverse("accreditation:panel-seat-replace", args=[member.pk]), {"person": person.pk}, follow=True
    )

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == f"Nell Newcomer replaced Rita Leaving on {panel.name}."
    assert "Reviews handed over to the replacement: Pain HIT." in shown
    owed.refresh_from_db()
    assert owed.resolution == ConflictResolution.RECUSED
    assert ReviewAssignment.objects.filter(reviewer=person.user, application=owed.application).count() == 1


def test_seat_replace_without_account_keeps_the_page(pm_client, panel):
    member = f.PanelMemberFactory(panel=panel)
    person = _person("Omar Offline", account=False)

    response = pm_client.post(
        reverse("accreditation:panel-seat-replace", args=[member.pk]),
        {"person": person.pk, "reason": "Retired"},
    )

    assert response.status_code == 200
    assert "has no account on the portal yet" in response.context["form"].errors["person"][0]
    assert response.context["form"]["reason"].value() == "Retired"
    assert PanelMember.objects.filter(pk=member.pk).exists() is True
