import datetime

from django.utils import timezone

from teams.enums import MembershipRole
from teams.roles import roles_of
from tests import factories as f


def test_roles_of_anonymous_is_empty():
    from django.contrib.auth.models import AnonymousUser

    assert roles_of(AnonymousUser()).is_empty


def test_roles_of_no_role_user_is_empty(no_role_user):
    assert roles_of(no_role_user).roles == frozenset()


def test_roles_of_gathers_programme_hit_and_panel_roles(director, hit, panel):
    f.RoleAssignmentFactory(user=director, role="board_member")
    f.PanelMemberFactory(panel=panel, user=director, role="chair")

    roles = roles_of(director)

    assert roles.roles == {"board_member", "hit_member", "hit_director", "panel_chair"}
    assert roles.hit_ids == {hit.pk}
    assert roles.hit_roles == {hit.pk: {MembershipRole.DIRECTOR}}
    assert roles.panel_ids == {panel.pk}


def test_roles_of_ignores_ended_and_future_memberships(db):
    user = f.UserFactory()
    person = f.PersonFactory(user=user)
    today = timezone.localdate()
    f.MembershipFactory(
        person=person,
        start_date=today - datetime.timedelta(days=100),
        end_date=today - datetime.timedelta(days=1),
    )
    f.MembershipFactory(person=person, start_date=today + datetime.timedelta(days=5))

    assert roles_of(user).roles == frozenset()


def test_roles_of_is_cached_per_user_object(director, django_assert_num_queries):
    roles_of(director)
    with django_assert_num_queries(0):
        roles_of(director)
