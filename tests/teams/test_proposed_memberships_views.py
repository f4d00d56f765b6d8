"""The "Proposed memberships" page: the HIT page's call to action, the one-step confirmation, errors
next to their row, a stale page and a repeated submission (docs/domain.md section 3.9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hitportal.audit.selectors import AuditFilter, audit_entries
from teams.enums import MembershipRole, ProposalStatus
from teams.models import Membership, MembershipChange, ProposedMembership, WorkingGroup
from tests import factories as f


def _propose(hit, *, name, person=None, role=MembershipRole.MANAGEMENT_GROUP, group="", side="", position=0):
    return ProposedMembership.objects.create(
        hit=hit,
        source_key=1,
        source_label="Round 2026, revision 1",
        position=position,
        role=role,
        name_as_written=name,
        person=person,
        working_group_name=group,
        lead_side=side,
    )


@pytest.fixture
def proposals(hit):
    jones = f.PersonFactory(full_name="Ann Jones")
    lee = f.PersonFactory(full_name="Dee Lee")
    return {
        "jones": _propose(hit, name="Ann Jones", person=jones, position=0),
        "unknown": _propose(hit, name="Bob Unknown", position=1),
        "lee": _propose(
            hit,
            name="Prof Dee Lee",
            person=lee,
            role=MembershipRole.WORKING_GROUP_LEAD,
            group="Crisis care",
            side="academic",
            position=2,
        ),
        "tbc": _propose(
            hit,
            name="TBC",
            role=MembershipRole.WORKING_GROUP_LEAD,
            group="Crisis care",
            side="service",
            position=3,
        ),
    }


def _url(hit):
    return reverse("teams:proposed-memberships", args=[hit.pk])


def _form(client, hit):
    """The page's hidden fields and each row's initial choices, as the browser would send them."""
    page = client.get(_url(hit))
    assert page.status_code == 200
    data = {"shown": page.context["page_form"].initial["shown"]}
    data["form_key"] = str(page.context["page_form"]["form_key"].value())
    for row in page.context["rows"]:
        form = row.form
        if form.initial.get("include"):
            data[f"{form.prefix}-include"] = "on"
        if form.initial.get("person"):
            data[f"{form.prefix}-person"] = str(form.initial["person"])
    return data


def test_the_hit_page_calls_the_director_to_confirm(client, hit, director, proposals):
    client.force_login(director)

    page = client.get(reverse("teams:hit-detail", args=[hit.pk])).content.decode()

    assert "proposed 4 memberships still to confirm" in page
    assert _url(hit) in page


def test_the_hit_page_shows_no_call_to_others_or_once_decided(client, hit, teammate, director, proposals):
    client.force_login(teammate)
    assert _url(hit) not in client.get(reverse("teams:hit-detail", args=[hit.pk])).content.decode()

    ProposedMembership.objects.update(status=ProposalStatus.DISMISSED, decided_at="2026-01-01T00:00Z")
    client.force_login(director)
    assert _url(hit) not in client.get(reverse("teams:hit-detail", args=[hit.pk])).content.decode()


def test_the_page_lists_each_proposal_with_its_match(client, hit, director, proposals):
    client.force_login(director)

    response = client.get(_url(hit))

    rows = response.context["rows"]
    assert [r.proposal for r in rows] == [proposals[k] for k in ("jones", "unknown", "lee", "tbc")]
    assert [(r.form.initial["include"], r.form.initial["person"]) for r in rows] == [
        (True, proposals["jones"].person_id),
        (False, None),
        (True, proposals["lee"].person_id),
        (False, None),
    ]
    page = response.content.decode()
    assert "No single match in the directory" in page
    assert "Crisis care" in page


def test_confirming_in_one_step(client, hit, director, proposals):
    client.force_login(director)
    data = _form(client, hit)
    bob = f.PersonFactory(full_name="Robert Unknown")
    data[f"p{proposals['unknown'].pk}-include"] = "on"
    data[f"p{proposals['unknown'].pk}-person"] = str(bob.pk)

    response = client.post(_url(hit), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("teams:member-list", args=[hit.pk])
    assert "3 memberships added from the accredited application; 1 dismissed." in response.content.decode()
    added = Membership.objects.filter(hit=hit).exclude(person__user=director)
    assert {(m.person.full_name, m.role) for m in added} == {
        ("Ann Jones", MembershipRole.MANAGEMENT_GROUP),
        ("Robert Unknown", MembershipRole.MANAGEMENT_GROUP),
        ("Dee Lee", MembershipRole.WORKING_GROUP_LEAD),
    }
    assert WorkingGroup.objects.get(hit=hit).name == "Crisis care"
    assert dict(ProposedMembership.objects.values_list("name_as_written", "status")) == {
        "Ann Jones": ProposalStatus.CONFIRMED,
        "Bob Unknown": ProposalStatus.CONFIRMED,
        "Prof Dee Lee": ProposalStatus.CONFIRMED,
        "TBC": ProposalStatus.DISMISSED,
    }


def test_the_audit_log_shows_the_confirmations_and_the_dismissal(
    client, hit, director, programme_manager, proposals
):
    client.force_login(director)
    client.post(_url(hit), _form(client, hit))

    entries = list(audit_entries(user=programme_manager, filters=AuditFilter(hit_id=hit.pk)))

    by_kind: dict[str, list] = {}
    for entry in entries:
        by_kind.setdefault(entry["log_kind"], []).append(entry)
    assert len(by_kind["membership"]) == 2
    assert {e["log_detail"] for e in by_kind["membership"]} == {
        "From the accredited application: Round 2026, revision 1."
    }
    assert sorted(e["log_object"] for e in by_kind["proposed_membership"]) == ["Bob Unknown", "TBC"]
    assert {e["log_actor_id"] for e in by_kind["proposed_membership"]} == {director.pk}


def test_a_ticked_unmatched_row_without_a_person_saves_nothing_and_keeps_the_choices(
    client, hit, director, proposals
):
    client.force_login(director)
    data = _form(client, hit)
    data[f"p{proposals['unknown'].pk}-include"] = "on"
    data.pop(f"p{proposals['lee'].pk}-include")  # a change the user made, to be kept

    response = client.post(_url(hit), data)

    assert response.status_code == 200
    rows = {row.proposal.pk: row.form for row in response.context["rows"]}
    assert rows[proposals["unknown"].pk].errors["person"] == [
        "Choose who this is from the directory, or untick the row."
    ]
    assert not rows[proposals["jones"].pk].errors
    page = response.content.decode()
    assert "There is a problem" in page and "Nothing was saved" in page
    assert f'name="p{proposals["lee"].pk}-include"' in page
    assert rows[proposals["lee"].pk]["include"].value() is False
    assert rows[proposals["unknown"].pk]["include"].value() is True
    assert not Membership.objects.filter(hit=hit, role=MembershipRole.MANAGEMENT_GROUP).exists()
    assert set(ProposedMembership.objects.values_list("status", flat=True)) == {ProposalStatus.PROPOSED}
    assert not MembershipChange.objects.filter(membership__hit=hit, comment__startswith="From").exists()


def test_the_same_page_sent_twice_adds_no_one_twice(client, hit, director, proposals):
    client.force_login(director)
    data = _form(client, hit)

    first = client.post(_url(hit), data)
    second = client.post(_url(hit), data, follow=True)

    assert first.status_code == 302
    assert "already been sent" in second.content.decode()
    assert Membership.objects.filter(hit=hit, role=MembershipRole.MANAGEMENT_GROUP).count() == 1
    assert Membership.objects.filter(hit=hit, role=MembershipRole.WORKING_GROUP_LEAD).count() == 1


def test_a_page_left_open_while_someone_else_decided_saves_nothing(
    client, hit, director, programme_manager, proposals
):
    client.force_login(director)
    stale = _form(client, hit)
    client.force_login(programme_manager)
    client.post(_url(hit), _form(client, hit))
    client.force_login(director)

    response = client.post(_url(hit), stale, follow=True)

    assert "while the page was open, so nothing was saved" in response.content.decode()
    assert Membership.objects.filter(hit=hit, role=MembershipRole.MANAGEMENT_GROUP).count() == 1
    assert set(ProposedMembership.objects.values_list("decided_by", flat=True)) == {programme_manager.pk}


@pytest.mark.parametrize("count", [2, 10])
def test_the_page_costs_the_same_queries_however_many_proposals(
    client, hit, director, django_assert_max_num_queries, count
):
    for n in range(count):
        person = f.PersonFactory() if n % 2 else None
        _propose(hit, name=f"Member {n}", person=person, position=n)
    client.force_login(director)

    # session, user, roles, the HIT, the pending proposals, the directory (count, list), the decided ones
    with django_assert_max_num_queries(10):
        response = client.get(_url(hit))

    assert len(response.context["rows"]) == count


def test_the_setup_checklist_points_to_the_proposals(client, hit, director, teammate, proposals):
    url = reverse("reporting:setup-checklist", args=[hit.pk])
    client.force_login(director)
    assert _url(hit) in client.get(url).content.decode()

    client.force_login(teammate)
    assert _url(hit) not in client.get(url).content.decode()


def test_in_a_large_directory_each_unmatched_row_searches_it(client, settings, hit, director, proposals):
    """Past DIRECTORY_SELECT_FULL_MAX people, the person is found with the lookup's search box; a name
    typed without JavaScript is resolved on submit."""
    settings.DIRECTORY_SELECT_FULL_MAX = 1
    robert = f.PersonFactory(full_name="Robert Unknown")
    client.force_login(director)
    unknown = proposals["unknown"].pk
    page = client.get(_url(hit)).content.decode()
    assert f'name="p{unknown}-person__q"' in page
    assert reverse("teams:directory-lookup", args=["people"]) in page
    data = _form(client, hit)
    data[f"p{unknown}-include"] = "on"
    data[f"p{unknown}-person__q"] = "Robert Unknown"

    response = client.post(_url(hit), data)

    assert response.status_code == 302
    assert Membership.objects.filter(hit=hit, person=robert, role=MembershipRole.MANAGEMENT_GROUP).exists()
