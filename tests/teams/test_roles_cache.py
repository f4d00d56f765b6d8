"""Roles cached across requests (teams/roles.py): gathered once per request, kept in the shared cache
under the user's roles version and the date, and never used again once a role-granting record changed:
a revoked role, an ended membership or a removed panel seat is refused on the very next request."""

from __future__ import annotations

import datetime
import socket
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import PanelRole
from accreditation.models import PanelMember
from accreditation.services import panels as panel_services
from teams import roles as roles_module
from teams.enums import MembershipRole, ProgrammeRole
from teams.models import Membership, RoleAssignment, User
from teams.roles import roles_of
from teams.services import directory, members
from tests import factories as f

AUDIT_LOG = reverse("audit:log")  # programme managers only
REPORTS = reverse("reporting:report-list")  # HIT members, programme managers, board members
ASSIGNMENTS = reverse("accreditation:assignment-list")  # panel members only
PROFILE = reverse("profile")

ROLE_TABLES = ('"teams_roleassignment"', '"teams_membership"', '"accreditation_panelmember"')


def _role_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in ROLE_TABLES)]


def _signed_in(client, user):
    client.force_login(user)
    return client


def _gathered(monkeypatch) -> list[int]:
    """Counts how often roles are read from the database (teams.roles._gather)."""
    calls: list[int] = []
    original = roles_module._gather

    def counting(user, today):
        calls.append(user.pk)
        return original(user, today)

    monkeypatch.setattr(roles_module, "_gather", counting)
    return calls


# --- Once per request, then from the cache ---------------------------------------------------------------


def test_roles_are_gathered_once_per_request_and_then_come_from_the_cache(client, director, monkeypatch):
    gathered = _gathered(monkeypatch)
    _signed_in(client, director)

    # The profile page asks for the roles twice (the navigation and the page's role list).
    assert client.get(PROFILE).status_code == 200
    assert gathered == [director.pk]

    assert client.get(PROFILE).status_code == 200
    assert gathered == [director.pk]  # not again: the shared cache answered


def test_a_signed_in_page_asks_no_role_tables_once_the_roles_are_cached(client, programme_manager):
    _signed_in(client, programme_manager)
    client.get(reverse("password_change_done"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("password_change_done")).status_code == 200
    assert _role_queries(captured) == []
    assert len(captured.captured_queries) == 2  # the session and the user, nothing else


def test_the_cached_roles_are_keyed_by_user_version_and_date(director):
    from django.core.cache import cache

    user = User.objects.get(pk=director.pk)
    roles = roles_of(user)

    key = f"roles:{roles_module.ROLES_CACHE_SCHEMA}:{user.pk}:{user.roles_version}:{timezone.localdate().isoformat()}"
    assert cache.get(key) == roles


# --- Every change to what grants roles is seen on the next request --------------------------------------


def test_a_revoked_programme_role_is_refused_on_the_next_request(client, programme_manager, db):
    other_manager = f.UserFactory()
    directory.role_grant(actor=programme_manager, user=other_manager, role=ProgrammeRole.PROGRAMME_MANAGER)
    _signed_in(client, other_manager)
    assert client.get(AUDIT_LOG).status_code == 200
    assert client.get(AUDIT_LOG).status_code == 200  # from the cache

    directory.role_revoke(actor=programme_manager, user=other_manager, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert client.get(AUDIT_LOG).status_code == 403


def test_a_granted_programme_role_works_on_the_next_request(client, programme_manager, no_role_user):
    _signed_in(client, no_role_user)
    assert client.get(AUDIT_LOG).status_code == 403

    directory.role_grant(actor=programme_manager, user=no_role_user, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert client.get(AUDIT_LOG).status_code == 200


def test_a_role_assignment_deleted_outside_the_services_is_refused_too(client, programme_manager):
    """The admin site and the shell write through the models: the signals renew the version."""
    other_manager = f.UserFactory()
    f.RoleAssignmentFactory(user=other_manager, role=ProgrammeRole.PROGRAMME_MANAGER)
    _signed_in(client, other_manager)
    assert client.get(AUDIT_LOG).status_code == 200

    RoleAssignment.objects.filter(user=other_manager).delete()

    assert client.get(AUDIT_LOG).status_code == 403


def test_an_ended_membership_is_refused_on_the_next_request(client, programme_manager, hit):
    user = f.UserFactory()
    person = f.PersonFactory(user=user)
    today = timezone.localdate()
    membership = f.MembershipFactory(
        hit=hit, person=person, role=MembershipRole.MEMBER, start_date=today - datetime.timedelta(days=30)
    )
    _signed_in(client, user)
    assert client.get(REPORTS).status_code == 200

    members.membership_end(
        actor=programme_manager, membership_id=membership.pk, end_date=today - datetime.timedelta(days=1)
    )

    assert client.get(REPORTS).status_code == 403


def test_a_new_membership_counts_on_the_next_request(client, hit):
    user = f.UserFactory()
    person = f.PersonFactory(user=user)
    _signed_in(client, user)
    assert client.get(REPORTS).status_code == 403

    f.MembershipFactory(hit=hit, person=person, role=MembershipRole.MEMBER)

    assert client.get(REPORTS).status_code == 200


def test_unlinking_the_person_from_the_login_ends_its_hit_roles_at_once(client, teammate):
    _signed_in(client, teammate)
    assert client.get(REPORTS).status_code == 200

    person = teammate.person
    person.user = None
    person.save()

    assert client.get(REPORTS).status_code == 403


def test_a_membership_ending_today_stops_counting_tomorrow(client, hit):
    """The date is part of the cache key: yesterday's roles are never read today."""
    late_evening = timezone.localtime().replace(hour=23, minute=0)
    with time_machine.travel(late_evening, tick=False):
        user = f.UserFactory()
        person = f.PersonFactory(user=user)
        today = timezone.localdate()
        f.MembershipFactory(
            hit=hit,
            person=person,
            role=MembershipRole.MEMBER,
            start_date=today - datetime.timedelta(days=10),
            end_date=today,
        )
        _signed_in(client, user)
        assert client.get(REPORTS).status_code == 200
        assert client.get(REPORTS).status_code == 200  # from the cache

    with time_machine.travel(late_evening + datetime.timedelta(hours=2), tick=False):  # still signed in
        assert client.get(REPORTS).status_code == 403


def test_a_removed_panel_seat_is_refused_on_the_next_request(client, programme_manager, panel):
    seat = f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER)
    _signed_in(client, seat.user)
    assert client.get(ASSIGNMENTS).status_code == 200

    panel_services.panel_seat_remove(actor=programme_manager, member_id=seat.pk)

    assert client.get(ASSIGNMENTS).status_code == 403


def test_a_panel_seat_handed_to_someone_else_ends_the_first_users_seat(client, panel):
    seat = f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER)
    first = seat.user
    _signed_in(client, first)
    assert client.get(ASSIGNMENTS).status_code == 200

    seat = PanelMember.objects.get(pk=seat.pk)
    seat.user = f.UserFactory()
    seat.save()

    assert client.get(ASSIGNMENTS).status_code == 403


def test_a_stale_copy_of_the_user_saved_later_does_not_bring_an_old_version_back(client, programme_manager):
    other_manager = f.UserFactory()
    f.RoleAssignmentFactory(user=other_manager, role=ProgrammeRole.PROGRAMME_MANAGER)
    stale = User.objects.get(pk=other_manager.pk)
    _signed_in(client, other_manager)
    assert client.get(AUDIT_LOG).status_code == 200

    directory.role_revoke(actor=programme_manager, user=other_manager, role=ProgrammeRole.PROGRAMME_MANAGER)
    stale.full_name = "Renamed"
    stale.save()  # loaded before the revocation, with the old roles version

    assert User.objects.get(pk=other_manager.pk).full_name == "Renamed"
    assert client.get(AUDIT_LOG).status_code == 403


def test_a_service_that_changes_roles_in_a_request_sees_the_change_in_that_request(programme_manager):
    user = f.UserFactory()
    assert not roles_of(user).has(ProgrammeRole.BOARD_MEMBER)

    directory.role_grant(actor=programme_manager, user=user, role=ProgrammeRole.BOARD_MEMBER)

    assert roles_of(user).has(ProgrammeRole.BOARD_MEMBER)  # forget_roles: read again, not from the cache


def test_membership_role_changes_renew_the_version(hit):
    user = f.UserFactory()
    person = f.PersonFactory(user=user)
    membership = f.MembershipFactory(hit=hit, person=person, role=MembershipRole.MEMBER)
    before = User.objects.get(pk=user.pk).roles_version

    Membership.objects.filter(pk=membership.pk).get().delete()

    assert User.objects.get(pk=user.pk).roles_version != before


# --- With Redis down -------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down():
    """The failover cache (core/cache.py) pointed at a Redis that refuses: it answers from local memory."""
    caches = {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=caches), mock.patch("core.cache.logger"):
        from django.core.cache import caches as handler

        handler["default"].clear()
        yield
        handler["default"].clear()


def test_with_redis_down_pages_work_and_a_revoked_role_is_still_refused_at_once(
    client, programme_manager, redis_down
):
    other_manager = f.UserFactory()
    directory.role_grant(actor=programme_manager, user=other_manager, role=ProgrammeRole.PROGRAMME_MANAGER)
    _signed_in(client, other_manager)
    assert client.get(AUDIT_LOG).status_code == 200
    assert client.get(AUDIT_LOG).status_code == 200  # the local fallback cache answered

    directory.role_revoke(actor=programme_manager, user=other_manager, role=ProgrammeRole.PROGRAMME_MANAGER)

    assert client.get(AUDIT_LOG).status_code == 403


def test_with_redis_down_a_session_keeps_working_and_signing_out_holds(client, director, redis_down):
    """Sessions live in the database, not the cache (docs/architecture.md, "The signed-in floor")."""
    _signed_in(client, director)
    assert client.get(PROFILE).status_code == 200

    client.post(reverse("logout"))

    assert client.get(PROFILE).status_code == 302
