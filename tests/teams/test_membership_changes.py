"""Membership changes leave a record (MembershipChange) and reach the person added: a login and its
invitation, or an e-mail saying what they were added to (teams/services/members.py,
teams.services.directory.member_login_invite; docs/domain.md section 4.2, "Members")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from teams.models import AccountInvitation, MembershipChange, Person, User
from teams.services import members as services_members
from tests import factories as f


def _add(director, hit, **kwargs):
    return services_members.membership_add(actor=director, hit_id=hit.pk, **kwargs)


def test_adding_a_member_records_who_added_them(director, hit):
    membership = _add(director, hit, email="new@example.org", full_name="Nia New", role="member")

    [change] = MembershipChange.objects.all()
    assert (change.membership, change.change, change.role, change.actor) == (
        membership,
        "added",
        "member",
        director,
    )


def test_ending_a_membership_records_who_ended_it(director, hit):
    membership = f.MembershipFactory(hit=hit)

    services_members.membership_end(actor=director, membership_id=membership.pk)

    [change] = MembershipChange.objects.all()
    assert (change.membership, change.change, change.actor) == (membership, "ended", director)


def test_a_refused_addition_records_nothing_and_sends_nothing(
    director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    existing = f.MembershipFactory(hit=hit, role="ppi_lead")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _add(director, hit, email=existing.person.email, role="ppi_lead")

    assert MembershipChange.objects.count() == 0
    assert mailoutbox == []


def test_a_new_member_without_a_login_gets_one_and_an_invitation(
    director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        _add(director, hit, email="Nia@Example.org", full_name="Nia New", role="ppi_lead")

    person = Person.objects.get(email="nia@example.org")
    assert person.user is not None
    assert person.user.email == "nia@example.org"
    assert not person.user.has_usable_password()
    assert AccountInvitation.objects.get(user=person.user).invited_by == director
    [message] = mailoutbox
    assert message.to == ["nia@example.org"]
    assert message.subject.endswith("set your password")
    assert "Dana Director added you as ppi lead of Dementia HIT" in message.body
    assert "Choose your password here" in message.body


def test_a_new_member_of_the_public_gets_no_login_and_no_email(
    director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        _add(
            director,
            hit,
            email="pat@example.org",
            full_name="Pat Public",
            is_public_member=True,
            role="member",
        )

    assert Person.objects.get(email="pat@example.org").user is None
    assert not User.objects.filter(email="pat@example.org").exists()
    assert mailoutbox == []
    assert MembershipChange.objects.filter(change="added").count() == 1


def test_a_member_who_has_signed_up_is_told_what_they_were_added_to(
    director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    user = f.UserFactory(email="sam@example.org", full_name="Sam Signed")
    f.PersonFactory(email="sam@example.org", full_name="Sam Signed", user=user)

    with django_capture_on_commit_callbacks(execute=True):
        _add(director, hit, email="sam@example.org", role="management_group")

    assert AccountInvitation.objects.count() == 0
    [message] = mailoutbox
    assert message.to == ["sam@example.org"]
    assert message.subject == "You were added as management group member of Dementia HIT on HIT Portal"
    assert "Dana Director added you as management group member of Dementia HIT" in message.body


def test_a_login_without_a_password_is_invited_again(
    director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    user = User.objects.create_user(email="ivy@example.org", full_name="Ivy Invited")
    user.set_unusable_password()
    user.save()
    f.PersonFactory(email="ivy@example.org", full_name="Ivy Invited", user=user)

    with django_capture_on_commit_callbacks(execute=True):
        _add(director, hit, email="ivy@example.org", role="member")

    assert AccountInvitation.objects.filter(user=user).count() == 1
    [message] = mailoutbox
    assert message.subject.endswith("set your password")


def test_a_login_with_the_address_but_no_person_is_linked_and_told(
    director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    user = f.UserFactory(email="lee@example.org", full_name="Lee Login")

    with django_capture_on_commit_callbacks(execute=True):
        _add(director, hit, email="lee@example.org", full_name="Lee Login", role="member")

    assert Person.objects.get(email="lee@example.org").user == user
    assert [m.to for m in mailoutbox] == [["lee@example.org"]]
    assert "added you as member of Dementia HIT" in mailoutbox[0].body


def test_nobody_is_emailed_about_adding_themselves(
    director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        _add(director, hit, email=director.email, role="ppi_lead")

    assert mailoutbox == []
    assert MembershipChange.objects.get().actor == director


def test_the_add_member_page_invites_the_new_member(
    client, director, hit, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(director)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("teams:member-add", args=[hit.pk]),
            {"email": "page@example.org", "full_name": "Paige Added", "role": "member"},
        )

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["page@example.org"]]
    assert MembershipChange.objects.get().actor == director
