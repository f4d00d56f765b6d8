import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from engagement.models import Stakeholder
from teams.enums import MembershipRole
from teams.models import Membership, Person
from teams.roles import roles_of
from teams.services import members as services_members
from teams.signals import memberships_changed
from tests import factories as f


def test_director_adds_new_person_who_then_has_the_role(director, hit):
    services_members.membership_add(
        actor=director, hit_id=hit.pk, email="New.Person@Example.org", full_name="New Person", role="member"
    )

    person = Person.objects.get(email="new.person@example.org")
    assert list(Membership.objects.filter(person=person).values_list("hit", "role")) == [(hit.pk, "member")]


def test_adding_existing_person_by_email_does_not_duplicate_them(director, hit):
    existing = f.PersonFactory(email="known@example.org", full_name="Known Person")

    services_members.membership_add(actor=director, hit_id=hit.pk, email="KNOWN@example.org", role="member")

    assert Person.objects.filter(email__iexact="known@example.org").count() == 1
    assert Membership.objects.get(person=existing).hit == hit


def test_new_person_needs_a_name(director, hit):
    with pytest.raises(ValidationError) as exc:
        services_members.membership_add(
            actor=director, hit_id=hit.pk, email="nobody@example.org", role="member"
        )

    assert exc.value.message_dict == {
        "full_name": ["This person is not in the directory yet: give their full name."]
    }
    assert not Person.objects.filter(email="nobody@example.org").exists()


def test_working_group_lead_needs_group_and_side(director, hit):
    with pytest.raises(ValidationError) as exc:
        services_members.membership_add(
            actor=director,
            hit_id=hit.pk,
            email="lead@example.org",
            full_name="Lee Lead",
            role="working_group_lead",
        )

    assert "working_group" in exc.value.message_dict
    assert Membership.objects.filter(role="working_group_lead").count() == 0


def test_second_current_lead_on_same_side_is_refused(director, hit):
    group = f.WorkingGroupFactory(hit=hit)
    f.MembershipFactory(hit=hit, role="working_group_lead", working_group=group, lead_side="academic")

    with pytest.raises(ValidationError) as exc:
        services_members.membership_add(
            actor=director,
            hit_id=hit.pk,
            email="second@example.org",
            full_name="Second Academic",
            role="working_group_lead",
            working_group_id=group.pk,
            lead_side="academic",
        )

    assert exc.value.message_dict == {
        "lead_side": ["That working group already has a current lead on this side; end theirs first."]
    }


def test_working_group_of_another_hit_is_refused(director, hit, other_hit):
    foreign = f.WorkingGroupFactory(hit=other_hit)

    with pytest.raises(ValidationError):
        services_members.membership_add(
            actor=director,
            hit_id=hit.pk,
            email="x@example.org",
            full_name="X",
            role="working_group_lead",
            working_group_id=foreign.pk,
            lead_side="service",
        )


def test_teammate_cannot_manage_members(teammate, hit):
    with pytest.raises(PermissionDenied, match="Only the HIT's director"):
        services_members.membership_add(
            actor=teammate, hit_id=hit.pk, email="y@example.org", full_name="Y", role="member"
        )


def test_membership_changes_feed_the_stakeholder_map(director, hit):
    organisation = f.OrganisationFactory()

    membership = services_members.membership_add(
        actor=director,
        hit_id=hit.pk,
        email="mg@example.org",
        full_name="Mo Group",
        role=MembershipRole.MANAGEMENT_GROUP,
        organisation_id=organisation.pk,
    )
    row = Stakeholder.objects.get(hit=hit, source="membership", source_key=str(membership.pk))
    services_members.membership_end(actor=director, membership_id=membership.pk)

    assert (row.organisation, row.depth) == (organisation, 3)
    row.refresh_from_db()
    assert row.end_date == timezone.localdate()


def test_a_reaction_that_fails_undoes_the_membership_change_with_it(director, hit):
    before = Membership.objects.count()

    def refuse(sender, *, hit_id, **kwargs) -> None:
        raise RuntimeError(f"The map of HIT {hit_id} is broken.")

    memberships_changed.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError, match=f"The map of HIT {hit.pk} is broken."):
            services_members.membership_add(
                actor=director, hit_id=hit.pk, email="mg@example.org", full_name="Mo Group", role="member"
            )
    finally:
        memberships_changed.disconnect(dispatch_uid="test.refuse")

    assert Membership.objects.count() == before
    assert Person.objects.filter(email="mg@example.org").count() == 0


def test_ended_membership_removes_the_role(director, hit):
    user = f.UserFactory()
    person = f.PersonFactory(user=user)
    membership = f.MembershipFactory(hit=hit, person=person)

    services_members.membership_end(
        actor=director,
        membership_id=membership.pk,
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )

    assert roles_of(user).hit_ids == frozenset()


def test_ending_twice_is_refused(director, hit):
    membership = f.MembershipFactory(hit=hit)
    services_members.membership_end(actor=director, membership_id=membership.pk)

    with pytest.raises(ValidationError, match="already ended"):
        services_members.membership_end(actor=director, membership_id=membership.pk)


def test_member_add_page_keeps_typed_data_on_error(client, director, hit):
    client.force_login(director)

    response = client.post(
        reverse("teams:member-add", args=[hit.pk]),
        {"email": "fresh@example.org", "full_name": "", "role": "member"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "full_name": ["This person is not in the directory yet: give their full name."]
    }
    assert 'value="fresh@example.org"' in response.content.decode()


def test_working_group_create_and_duplicate_name(client, director, hit):
    client.force_login(director)

    created = client.post(reverse("teams:working-group-create", args=[hit.pk]), {"name": "Data"})
    duplicate = client.post(reverse("teams:working-group-create", args=[hit.pk]), {"name": "data"})

    assert created.url == reverse("teams:member-list", args=[hit.pk])
    assert duplicate.context["form"].errors == {
        "name": ["This HIT already has a working group with that name."]
    }
    assert hit.working_groups.count() == 1


def test_member_end_of_another_hits_membership_is_404(client, director, other_hit):
    foreign = f.MembershipFactory(hit=other_hit)
    client.force_login(director)

    response = client.post(reverse("teams:member-end", args=[foreign.pk]))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.end_date is None


@pytest.mark.parametrize("rows", [1, 30])
def test_member_list_query_count_is_constant(client, director, hit, django_assert_max_num_queries, rows):
    f.MembershipFactory.create_batch(rows, hit=hit, organisation=f.OrganisationFactory())
    client.force_login(director)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("teams:member-list", args=[hit.pk]))

    assert len(response.context["memberships"]) == rows + 1
