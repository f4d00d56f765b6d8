"""The HIT profile pages: editing from the HIT page, errors and conflicts, and the history."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.concurrency import version_of
from teams.enums import ProfileChangeSource
from teams.models import HITProfileChange
from teams.services.profile import ProfileValues, hit_profile_update


def _form(hit, **changes):
    data = {
        "name": hit.name,
        "focus": hit.focus,
        "problem": hit.problem,
        "aims": hit.aims,
        "host_organisation": hit.host_organisation_id or "",
        "host_unit": hit.host_unit,
        "version": version_of(hit),
    }
    data.update(changes)
    return data


def test_the_hit_page_links_the_director_to_the_edit_page(client, hit, director):
    client.force_login(director)

    page = client.get(reverse("teams:hit-detail", args=[hit.pk])).content.decode()

    assert reverse("teams:hit-profile-edit", args=[hit.pk]) in page
    assert reverse("teams:hit-profile-history", args=[hit.pk]) in page


def test_the_hit_page_shows_a_teammate_the_history_but_no_edit_link(client, hit, teammate):
    client.force_login(teammate)

    page = client.get(reverse("teams:hit-detail", args=[hit.pk])).content.decode()

    assert reverse("teams:hit-profile-edit", args=[hit.pk]) not in page
    assert reverse("teams:hit-profile-history", args=[hit.pk]) in page


def test_saving_the_profile_redirects_to_the_hit_page_and_records_it(client, hit, director):
    client.force_login(director)

    response = client.post(
        reverse("teams:hit-profile-edit", args=[hit.pk]), _form(hit, aims="Fewer falls at home.")
    )

    hit.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("teams:hit-detail", args=[hit.pk])
    assert hit.aims == "Fewer falls at home."
    assert HITProfileChange.objects.get(hit=hit).actor == director


def test_a_taken_name_is_shown_next_to_the_field_and_the_typed_text_stays(client, hit, other_hit, director):
    client.force_login(director)

    response = client.post(
        reverse("teams:hit-profile-edit", args=[hit.pk]), _form(hit, name=other_hit.name, aims="Typed aims")
    )

    hit.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["HIT with this Name already exists."]
    assert "Typed aims" in response.content.decode()
    assert hit.aims == ""
    assert HITProfileChange.objects.count() == 0


def test_a_save_over_someone_elses_change_is_a_409_keeping_the_typed_text(
    client, hit, director, programme_manager
):
    client.force_login(director)
    opened = _form(hit, aims="My aims")
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5)):
        hit_profile_update(actor=programme_manager, hit_id=hit.pk, values=ProfileValues(aims="Their aims"))

        response = client.post(reverse("teams:hit-profile-edit", args=[hit.pk]), opened)

    hit.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone changed this since you opened it" in page
    assert "My aims" in page and "Their aims" in page
    assert hit.aims == "Their aims"


def test_the_history_page_shows_who_when_what_and_the_source(client, hit, director, programme_manager):
    hit_profile_update(actor=director, hit_id=hit.pk, values=ProfileValues(aims="Fewer falls."))
    HITProfileChange.objects.create(
        hit=hit,
        actor=None,
        source=ProfileChangeSource.APPLICATION,
        source_label="the accredited application (Round 1, revision 2)",
        changes=[{"field": "host_unit", "label": "Host unit or division", "before": "", "after": "Medicine"}],
    )
    client.force_login(programme_manager)

    page = client.get(reverse("teams:hit-profile-history", args=[hit.pk])).content.decode()

    assert "Dana Director" in page
    assert "Fewer falls." in page
    assert "taken from the accredited application (Round 1, revision 2)" in page
    assert "System" in page and "Medicine" in page


@pytest.mark.parametrize("count", [1, 3])
def test_the_history_page_queries_do_not_grow_with_changes(
    client, hit, director, count, django_assert_num_queries
):
    for number in range(count):
        hit_profile_update(actor=director, hit_id=hit.pk, values=ProfileValues(aims=f"Aims {number}"))
    client.force_login(director)

    with django_assert_num_queries(8):
        response = client.get(reverse("teams:hit-profile-history", args=[hit.pk]))

    assert len(response.context["page"]) == count
