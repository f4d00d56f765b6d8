"""HIT membership changes in the audit log (hitportal/audit/selectors.py, source "membership")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hitportal.audit import selectors as audit
from teams.models import MembershipChange
from teams.services import members as services_members
from teams.services.members import membership_change_record
from tests import factories as f


def _entries(user, **filters) -> list[audit.AuditEntry]:
    return audit.audit_page_entries(audit.audit_entries(user=user, filters=audit.AuditFilter(**filters)))


def test_an_addition_names_the_person_the_role_the_hit_and_who_added_them(programme_manager, director, hit):
    services_members.membership_add(
        actor=director, hit_id=hit.pk, email="nia@example.org", full_name="Nia New", role="ppi_lead"
    )

    [entry] = _entries(programme_manager, kind="membership")

    assert (entry.what, entry.who, entry.hit_label, entry.object_label) == (
        "Added Nia New as ppi lead of Dementia HIT",
        "Dana Director",
        "Dementia HIT",
        "Nia New",
    )
    assert entry.object_url == reverse("teams:member-list", args=[hit.pk])
    assert entry.hit_url == reverse("teams:hit-detail", args=[hit.pk])


def test_an_ending_reads_as_ended(programme_manager, director, hit):
    membership = f.MembershipFactory(hit=hit, person=f.PersonFactory(full_name="Ola Old"))

    services_members.membership_end(actor=director, membership_id=membership.pk)

    assert [e.what for e in _entries(programme_manager, kind="membership")] == [
        "Ended Ola Old's membership as member of Dementia HIT"
    ]


def test_a_role_change_names_both_roles(programme_manager, hit):
    membership = f.MembershipFactory(
        hit=hit, person=f.PersonFactory(full_name="Rae Role"), role="co_director"
    )
    membership_change_record(
        actor=programme_manager, membership=membership, change="role_changed", from_role="member"
    )

    assert [e.what for e in _entries(programme_manager, kind="membership")] == [
        "Changed Rae Role's role in Dementia HIT from member to co-director"
    ]


def test_a_change_without_an_actor_reads_as_system(programme_manager, hit):
    membership = f.MembershipFactory(hit=hit, role="director")
    membership_change_record(actor=None, membership=membership, change="added", comment="From the EOI.")

    [entry] = _entries(programme_manager, kind="membership")

    assert (entry.who, entry.detail) == ("System", "From the EOI.")


def test_the_hit_filter_keeps_the_hits_own_changes(programme_manager, hit, other_hit):
    for target in (hit, other_hit):
        membership_change_record(
            actor=programme_manager, membership=f.MembershipFactory(hit=target), change="added"
        )

    assert [e.hit_label for e in _entries(programme_manager, kind="membership", hit_id=hit.pk)] == [
        "Dementia HIT"
    ]


def test_membership_entries_are_hidden_from_others(board_member, hit):
    membership_change_record(actor=None, membership=f.MembershipFactory(hit=hit), change="added")

    assert MembershipChange.objects.count() == 1
    assert _entries(board_member) == []


@pytest.mark.parametrize("copies", [1, 3])
def test_the_page_query_count_does_not_grow_with_membership_changes(
    client, programme_manager, django_assert_num_queries, copies
):
    for _ in range(copies):
        membership = f.MembershipFactory(hit=f.HITFactory())
        membership_change_record(actor=programme_manager, membership=membership, change="added")
        membership_change_record(actor=None, membership=membership, change="ended")
    client.force_login(programme_manager)

    # session, user, 3 role lookups, the log's version, the count, the page, the HIT choices of the filter
    # (their ids, then the rows: teams.forms.lookup.first_rows)
    with django_assert_num_queries(10):
        response = client.get(reverse("audit:log"))
    # Again: from the cache (session, user, the version; the roles are cached since the first request).
    with django_assert_num_queries(3):
        again = client.get(reverse("audit:log"))
    assert _log(again) == _log(response) and "<td>" in _log(again)

    kinds = [e.kind for e in response.context["entries"]]
    assert kinds.count("membership") == 2 * copies
    assert "HIT membership" in response.content.decode()


def _log(response) -> str:
    """The page between its heading and the end of its main part (the rest carries per-request tokens)."""
    html = response.content.decode()
    return html[html.index("<h1>Audit log</h1>") : html.index("</main>")]
