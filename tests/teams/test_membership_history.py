"""The membership history on a HIT's Members page: who was added, whose membership ended and whose
role changed, by whom and when, newest first, a page at a time."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teams.models import MembershipChange
from teams.services import members as services_members
from teams.services.members import membership_change_record
from teams.views.members import HISTORY_PAGE_SIZE
from tests import factories as f

pytestmark = pytest.mark.django_db


def _page(client, hit, **params):
    return client.get(reverse("teams:member-list", args=[hit.pk]), params)


def test_the_members_page_lists_each_change_with_who_and_when(client, director, programme_manager, hit):
    services_members.membership_add(
        actor=director, hit_id=hit.pk, email="nia@example.org", full_name="Nia New", role="ppi_lead"
    )
    leaving = f.MembershipFactory(hit=hit, person=f.PersonFactory(full_name="Ola Old"), role="member")
    services_members.membership_end(actor=programme_manager, membership_id=leaving.pk)
    membership_change_record(
        actor=None,
        membership=f.MembershipFactory(hit=hit, person=f.PersonFactory(full_name="Sam System")),
        change="added",
    )
    f.MembershipFactory(hit=f.HITFactory(), person=f.PersonFactory(full_name="Elsewhere Person"))
    membership_change_record(
        actor=director,
        membership=f.MembershipFactory(person=f.PersonFactory(full_name="Other Hit")),
        change="added",
    )
    client.force_login(director)

    response = _page(client, hit)

    html = " ".join(response.content.decode().split())
    assert "Membership history" in html
    assert "Added Nia New as ppi lead" in html.replace("PPI", "ppi")
    assert "Ended Ola Old's membership as member" in html
    assert "Added Sam System" in html and "System</td>" in html
    assert "Other Hit" not in html  # another HIT's change
    rows = list(response.context["history"])
    assert [row.membership.person.full_name for row in rows] == ["Sam System", "Ola Old", "Nia New"]
    assert rows[2].actor == director and rows[1].actor == programme_manager


def test_a_role_change_names_both_roles(client, director, hit):
    membership = f.MembershipFactory(
        hit=hit, person=f.PersonFactory(full_name="Rae Role"), role="co_director"
    )
    membership_change_record(actor=director, membership=membership, change="role_changed", from_role="member")
    client.force_login(director)

    html = " ".join(_page(client, hit).content.decode().split())
    assert "Changed Rae Role's role from member to co-director" in html


def test_the_history_is_paged_newest_first(client, director, hit):
    start = timezone.now() - datetime.timedelta(days=100)
    for n in range(HISTORY_PAGE_SIZE + 3):
        change = membership_change_record(
            actor=director,
            membership=f.MembershipFactory(hit=hit, person=f.PersonFactory(full_name=f"P{n:02d}")),
            change="added",
        )
        MembershipChange.objects.filter(pk=change.pk).update(created_at=start + datetime.timedelta(days=n))
    client.force_login(director)

    first = _page(client, hit)
    second = _page(client, hit, page=2)

    names = [c.membership.person.full_name for c in first.context["history"]]
    assert len(names) == HISTORY_PAGE_SIZE and names[0] == f"P{HISTORY_PAGE_SIZE + 2:02d}"
    assert [c.membership.person.full_name for c in second.context["history"]] == ["P02", "P01", "P00"]
    assert "Pages of the membership history" in first.content.decode()


def test_whoever_may_not_see_the_members_page_sees_no_history(client, outsider, hit):
    membership_change_record(actor=None, membership=f.MembershipFactory(hit=hit), change="added")
    client.force_login(outsider)

    assert _page(client, hit).status_code in (403, 404)


def _queries(client, hit) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert _page(client, hit).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_history(client, director, hit):
    client.force_login(director)
    membership_change_record(actor=director, membership=f.MembershipFactory(hit=hit), change="added")
    _page(client, hit)
    before = _queries(client, hit)
    for _ in range(6):
        membership = f.MembershipFactory(hit=hit, person=f.PersonFactory())
        membership_change_record(actor=f.UserFactory(), membership=membership, change="added")
        membership_change_record(actor=None, membership=membership, change="ended")
    assert _queries(client, hit) == before
