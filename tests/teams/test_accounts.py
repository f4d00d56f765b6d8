"""Programme roles and logins, managed by programme managers from a person's page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from teams.enums import ProgrammeRole, RoleChangeKind
from teams.models import AccountInvitation, RoleAssignment, RoleChange, User
from teams.roles import roles_of
from teams.services.directory import account_create, account_invite, role_grant, role_revoke
from tests import factories as f


@pytest.fixture
def person(db):
    return f.PersonFactory(full_name="Gina Grantee", email="gina@example.org")


@pytest.fixture
def gina(person):
    user = f.UserFactory(full_name="Gina Grantee", email="gina@example.org")
    person.user = user
    person.save(update_fields=["user"])
    return user


def _changes(user):
    return list(RoleChange.objects.filter(user=user).order_by("pk").values_list("role", "change", "actor"))


# --- Granting --------------------------------------------------------------------------------------------


def test_role_grant_records_the_change_and_emails_the_user(
    programme_manager, gina, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        role_grant(actor=programme_manager, user=gina, role=ProgrammeRole.BOARD_MEMBER)

    assert roles_of(gina).has(ProgrammeRole.BOARD_MEMBER)
    assert _changes(gina) == [(ProgrammeRole.BOARD_MEMBER, RoleChangeKind.GRANTED, programme_manager.pk)]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["gina@example.org"], "You are now board member on HIT Portal")
    ]
    assert "Pat Manager gave you the role board member" in mailoutbox[0].body
    assert "dashboards" in mailoutbox[0].body


def test_role_grant_of_a_held_role_changes_nothing(
    programme_manager, gina, django_capture_on_commit_callbacks, mailoutbox
):
    role_grant(actor=programme_manager, user=gina, role=ProgrammeRole.BOARD_MEMBER)

    with django_capture_on_commit_callbacks(execute=True):
        role_grant(actor=programme_manager, user=gina, role=ProgrammeRole.BOARD_MEMBER)

    assert RoleAssignment.objects.filter(user=gina).count() == 1
    assert len(_changes(gina)) == 1
    assert mailoutbox == []


def test_role_grant_refused_to_a_board_member(programme_manager, board_member, gina):
    with pytest.raises(PermissionDenied, match="Only programme managers grant"):
        role_grant(actor=board_member, user=gina, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert RoleAssignment.objects.filter(user=gina).exists() is False


def test_role_grant_of_the_first_programme_manager_needs_none(db):
    first = f.UserFactory()

    role_grant(actor=first, user=first, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert roles_of(first).has(ProgrammeRole.PROGRAMME_MANAGER)


def test_role_grant_applicant_to_oneself_is_allowed(programme_manager, no_role_user):
    role_grant(actor=no_role_user, user=no_role_user, role=ProgrammeRole.APPLICANT)

    assert list(RoleAssignment.objects.filter(user=no_role_user).values_list("role", flat=True)) == [
        "applicant"
    ]


# --- Revoking --------------------------------------------------------------------------------------------


def test_role_revoke_leaves_a_record_and_emails_the_user(
    programme_manager, gina, django_capture_on_commit_callbacks, mailoutbox
):
    role_grant(actor=programme_manager, user=gina, role=ProgrammeRole.PPI_FACILITATOR, notify=False)

    with django_capture_on_commit_callbacks(execute=True):
        role_revoke(actor=programme_manager, user=gina, role=ProgrammeRole.PPI_FACILITATOR)

    assert RoleAssignment.objects.filter(user=gina).exists() is False
    assert _changes(gina) == [
        (ProgrammeRole.PPI_FACILITATOR, RoleChangeKind.GRANTED, programme_manager.pk),
        (ProgrammeRole.PPI_FACILITATOR, RoleChangeKind.REVOKED, programme_manager.pk),
    ]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["gina@example.org"], "You are no longer ppi facilitator on HIT Portal")
    ]


def test_role_revoke_of_the_last_programme_manager_is_refused(programme_manager, mailoutbox):
    with pytest.raises(ValidationError) as refused:
        role_revoke(actor=programme_manager, user=programme_manager, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert refused.value.message_dict["role"] == [
        "Pat Manager is the programme's last programme manager. Grant the role to someone else first: "
        "without a programme manager nobody could grant roles, run rounds or edit the directory."
    ]
    assert roles_of(programme_manager).has(ProgrammeRole.PROGRAMME_MANAGER)
    assert RoleChange.objects.exists() is False


def test_role_revoke_of_ones_own_manager_role_when_another_remains(programme_manager, gina):
    role_grant(actor=programme_manager, user=gina, role=ProgrammeRole.PROGRAMME_MANAGER, notify=False)

    role_revoke(actor=programme_manager, user=programme_manager, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert list(RoleAssignment.objects.values_list("user", flat=True)) == [gina.pk]


def test_role_revoke_of_a_role_not_held_is_refused(programme_manager, gina):
    with pytest.raises(ValidationError, match="does not hold the role board member"):
        role_revoke(actor=programme_manager, user=gina, role=ProgrammeRole.BOARD_MEMBER)

    assert RoleChange.objects.exists() is False


def test_role_revoke_refused_to_a_ppi_facilitator(ppi_facilitator, programme_manager):
    with pytest.raises(PermissionDenied):
        role_revoke(actor=ppi_facilitator, user=programme_manager, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert roles_of(programme_manager).has(ProgrammeRole.PROGRAMME_MANAGER)


# --- Logins ----------------------------------------------------------------------------------------------


def test_account_create_links_a_login_and_sends_a_one_time_link(
    programme_manager, person, client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        user = account_create(
            actor=programme_manager,
            person=person,
            email="Gina@Example.org",
            roles=[ProgrammeRole.BOARD_MEMBER],
        )

    person.refresh_from_db()
    assert (person.user, user.email, user.full_name, user.has_usable_password()) == (
        user,
        "gina@example.org",
        "Gina Grantee",
        False,
    )
    assert roles_of(user).has(ProgrammeRole.BOARD_MEMBER)
    assert list(AccountInvitation.objects.values_list("user", "invited_by")) == [
        (user.pk, programme_manager.pk)
    ]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["gina@example.org"], "Your login to HIT Portal: set your password")
    ]
    body = mailoutbox[0].body
    assert "You were given the role: board member." in body
    link = re.search(r"http://\S+/password/reset/(\S+)/(\S+)/", body)
    assert link is not None
    assert default_token_generator.check_token(user, link.group(2)) is True

    # The link sets a password once.
    path = link.group(0).removeprefix("http://testserver").split("8000", 1)[-1]
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-Long-pass-phrase-9", "new_password2": "a-Long-pass-phrase-9"},
    )
    user.refresh_from_db()
    assert user.check_password("a-Long-pass-phrase-9") is True
    assert client.get(path, follow=True).context["validlink"] is False


def test_account_create_keeps_the_directory_address(programme_manager, person):
    account_create(actor=programme_manager, person=person, email="gina.work@example.org")

    person.refresh_from_db()
    assert (person.email, person.user.email) == ("gina@example.org", "gina.work@example.org")


def test_account_create_refuses_an_address_of_another_login(programme_manager, person):
    f.UserFactory(email="taken@example.org")

    with pytest.raises(ValidationError) as refused:
        account_create(actor=programme_manager, person=person, email="TAKEN@example.org")

    assert refused.value.message_dict == {"email": ["Another login already uses this address."]}
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert AccountInvitation.objects.exists() is False


def test_account_create_refuses_a_person_with_a_login(programme_manager, gina, person):
    with pytest.raises(ValidationError, match="already has a login"):
        account_create(actor=programme_manager, person=person, email="new@example.org")

    assert User.objects.filter(email="new@example.org").exists() is False


def test_account_create_refuses_an_address_of_another_person(programme_manager):
    f.PersonFactory(email="shared@example.org")
    person = f.PersonFactory(email="")

    with pytest.raises(ValidationError) as refused:
        account_create(actor=programme_manager, person=person, email="shared@example.org")

    assert refused.value.message_dict == {"email": ["Another person in the directory has this address."]}


def test_account_create_refused_to_a_director(director, person):
    with pytest.raises(PermissionDenied, match="Only programme managers create logins"):
        account_create(actor=director, person=person, email="gina@example.org")

    assert User.objects.filter(email="gina@example.org").exists() is False


def test_account_invite_again_sends_a_new_link(
    programme_manager, person, django_capture_on_commit_callbacks, mailoutbox
):
    user = account_create(actor=programme_manager, person=person, email="gina@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        account_invite(actor=programme_manager, user=user)

    assert AccountInvitation.objects.filter(user=user).count() == 2
    assert [m.to for m in mailoutbox] == [["gina@example.org"]]


def test_account_invite_refused_once_a_password_is_set(programme_manager, gina):
    with pytest.raises(ValidationError, match="has already set a password"):
        account_invite(actor=programme_manager, user=gina)

    assert AccountInvitation.objects.exists() is False


# --- Pages -----------------------------------------------------------------------------------------------


def test_person_page_offers_a_login_to_a_person_without_one(client, programme_manager, person):
    client.force_login(programme_manager)

    page = client.get(reverse("teams:person-detail", args=[person.pk])).content.decode()

    assert reverse("teams:account-create", args=[person.pk]) in page
    assert reverse("teams:person-role-grant", args=[person.pk]) not in page


def test_person_page_lists_roles_and_their_history(client, programme_manager, gina, person):
    role_grant(actor=programme_manager, user=gina, role=ProgrammeRole.BOARD_MEMBER, notify=False)
    client.force_login(programme_manager)

    response = client.get(reverse("teams:person-detail", args=[person.pk]))

    page = response.content.decode()
    assert 'Revoke<span class="visually-hidden"> the role board member of Gina Grantee' in page
    assert "Board member granted by Pat Manager" in page
    assert [value for value, _ in response.context["grant_form"].fields["role"].choices] == [
        "programme_manager",
        "ppi_facilitator",
    ]


def test_account_create_page_creates_and_returns_to_the_person(
    client, programme_manager, person, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(programme_manager)
    url = reverse("teams:account-create", args=[person.pk])
    assert client.get(url).context["form"]["email"].value() == "gina@example.org"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "gina@example.org", "roles": ["ppi_facilitator"]})

    assert response.status_code == 302
    assert response.url == reverse("teams:person-detail", args=[person.pk])
    person.refresh_from_db()
    assert roles_of(person.user).has(ProgrammeRole.PPI_FACILITATOR)
    assert len(mailoutbox) == 1


def test_account_create_page_shows_the_error_next_to_the_address(client, programme_manager, person):
    f.UserFactory(email="taken@example.org")
    client.force_login(programme_manager)

    response = client.post(reverse("teams:account-create", args=[person.pk]), {"email": "taken@example.org"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Another login already uses this address."]
    assert response.context["form"]["email"].value() == "taken@example.org"


def test_role_grant_page_grants_and_says_so(client, programme_manager, gina, person):
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:person-role-grant", args=[person.pk]), {"role": "board_member"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Gina Grantee is now board member. They were e-mailed."
    ]
    assert RoleAssignment.objects.filter(user=gina, role="board_member").exists() is True


def test_role_revoke_page_says_why_the_last_manager_stays(client, programme_manager):
    person = f.PersonFactory(user=programme_manager, full_name="Pat Manager")
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:person-role-revoke", args=[person.pk]), {"role": "programme_manager"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("teams:person-detail", args=[person.pk])
    assert [str(m) for m in response.context["messages"]] == [
        "Pat Manager is the programme's last programme manager. Grant the role to someone else first: "
        "without a programme manager nobody could grant roles, run rounds or edit the directory."
    ]


def test_role_revoke_page_of_ones_own_role_goes_home(client, programme_manager, gina):
    role_grant(actor=programme_manager, user=gina, role=ProgrammeRole.PROGRAMME_MANAGER, notify=False)
    person = f.PersonFactory(user=programme_manager)
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:person-role-revoke", args=[person.pk]), {"role": "programme_manager"}
    )

    assert response.url == reverse("home")


def test_role_grant_page_for_a_person_without_login_says_so(client, programme_manager, person):
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:person-role-grant", args=[person.pk]), {"role": "board_member"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Gina Grantee has no login yet: create one first."
    ]
