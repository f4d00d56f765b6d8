import pytest
from django.urls import reverse

from hitportal.navigation import navigation_for

EXPECTED = {
    "programme_manager": [
        "Home",
        "HITs",
        "Dashboard",
        "Rounds",
        "Expressions of interest",
        "Progress reports",
        "Conditions",
        "PPI caseload",
        "Survey items",
        "Audit log",
        "Organisations",
        "People",
        "Vocabularies",
    ],
    "board_member": ["Home", "HITs", "Dashboard"],
    "ppi_facilitator": ["Home", "HITs", "Dashboard", "PPI caseload"],
    "applicant": ["Home", "Rounds", "Expressions of interest"],
    "director": ["Home", "My HITs", "Rounds", "Expressions of interest", "Applications", "Progress reports"],
    "chair": ["Home", "Rounds", "Expressions of interest"],
    "reviewer": ["Home", "My reviews"],
    "lay_reviewer": ["Home", "My reviews"],
    "no_role_user": ["Home"],
}


@pytest.mark.parametrize(("persona", "labels"), list(EXPECTED.items()), indirect=["persona"])
def test_navigation_follows_roles(persona, labels):
    assert [item.label for item in navigation_for(persona, "/")] == labels


@pytest.mark.parametrize(("persona", "labels"), list(EXPECTED.items()), indirect=["persona"])
def test_every_navigation_link_opens_for_its_persona(db, client, persona, labels):
    client.force_login(persona)

    for item in navigation_for(persona, "/"):
        assert client.get(item.url).status_code == 200, item.label


def test_anonymous_has_no_navigation():
    from django.contrib.auth.models import AnonymousUser

    assert navigation_for(AnonymousUser(), reverse("login")) == []


def test_staff_users_who_can_do_something_there_get_the_admin_site_link(db):
    from django.contrib.auth.models import Permission

    from tests import factories as f

    staff = f.UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_organisation"))
    superuser = f.UserFactory(is_staff=True, is_superuser=True)

    assert [item.label for item in navigation_for(staff, "/")] == ["Home", "Admin site"]
    assert [item.label for item in navigation_for(superuser, "/")] == ["Home", "Admin site"]


def test_staff_without_any_admin_permission_get_no_dead_end_link(db, client):
    """The admin site would say "You don't have permission to view or edit anything"."""
    from tests import factories as f

    staff = f.UserFactory(is_staff=True)

    assert [item.label for item in navigation_for(staff, "/")] == ["Home"]
    client.force_login(staff)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
