"""Which roles a user holds, gathered from the records that grant them.

Programme-wide roles are RoleAssignment rows and HIT roles come from the user's person's current
memberships, both kept here in teams. Other apps grant roles too (accreditation's panels make
reviewers and chairs): teams, at the bottom of the house plan, cannot ask them by name, so it sends
the signal `roles_requested`, and each app that grants roles answers with a `RoleGrant`
(accreditation/roles.py).

Every signed-in request needs the roles (the navigation, every permission), so they are kept twice:
- on the user object, so one request gathers them at most once however often it asks;
- in the shared cache (core.cache: Redis, or each process's own while Redis is away) for
  ROLES_CACHE_SECONDS, under the user's id, `User.roles_version` and today's date. The version is a
  column of the user row that the session's sign-in loads anyway, so finding the cache entry costs no
  query. Every write to a record that grants roles replaces the version in the same transaction
  (`roles_changed`, called by the post_save/post_delete receivers connected below and in each granting
  app), so the next request after the commit misses the old entry: a revoked role stops at once, on
  every web process, whether or not Redis answers. The date is in the key because memberships start
  and end on dates: no entry outlives the day it was made for.
An app that grants roles must connect its own receivers that call `roles_changed` (as accreditation
does for panel seats); a write that bypasses the signals (QuerySet.update, bulk_create) must call it.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

import django.dispatch
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from teams.enums import MembershipRole, Role
from teams.models import Membership, Person, RoleAssignment, User

#: Whom a predicate or a selector may be asked about: a signed-in user, or the anonymous one of a
#: request that has not signed in. Services take `actor: User`: only a signed-in user acts.
AnyUser: TypeAlias = "User | AnonymousUser"

_CACHE_ATTR = "_hitportal_roles"
# Set by forget_roles: this user object's roles_version may be older than the database's, so its
# roles are gathered from the database for the rest of its life, never from the shared cache.
_UNCACHED_ATTR = "_hitportal_roles_uncached"
#: How long the shared cache keeps one user's roles (the key also changes with the date and the version).
ROLES_CACHE_SECONDS = 6 * 60 * 60
#: Part of the cache key: raise it when UserRoles changes shape, so a release never unpickles the old one.
ROLES_CACHE_SCHEMA = 1

_MEMBERSHIP_ROLES: dict[str, str] = {
    MembershipRole.DIRECTOR: Role.HIT_DIRECTOR,
    MembershipRole.CO_DIRECTOR: Role.HIT_DIRECTOR,
    MembershipRole.EXECUTIVE_SPONSOR: Role.EXECUTIVE_SPONSOR,
}

#: Sent by roles_of with `user` (signed in). Each receiver returns a RoleGrant, or None.
roles_requested = django.dispatch.Signal()


@dataclass(frozen=True)
class RoleGrant:
    """What an app that grants roles adds to a user's: roles, and the panels and rounds behind them."""

    roles: frozenset[str] = frozenset()
    panel_ids: frozenset[int] = frozenset()
    chair_round_ids: frozenset[int] = frozenset()  # rounds whose panel the user chairs


@dataclass(frozen=True)
class UserRoles:
    roles: frozenset[str] = frozenset()
    hit_ids: frozenset[int] = frozenset()  # HITs the user is a current member of
    hit_roles: dict[int, frozenset[str]] = field(default_factory=dict)  # HIT id -> membership roles
    panel_ids: frozenset[int] = frozenset()
    chair_round_ids: frozenset[int] = frozenset()  # rounds whose panel the user chairs

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_empty(self) -> bool:
        return not self.roles


def roles_of(user: AnyUser | None) -> UserRoles:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return UserRoles()
    cached: UserRoles | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    key = None
    if user.pk is not None and not getattr(user, _UNCACHED_ATTR, False):
        key = f"roles:{ROLES_CACHE_SCHEMA}:{user.pk}:{user.roles_version}:{today.isoformat()}"
        cached = cache.get(key)
        if isinstance(cached, UserRoles):
            setattr(user, _CACHE_ATTR, cached)
            return cached
    result = _gather(user, today)
    if key is not None:
        cache.set(key, result, ROLES_CACHE_SECONDS)
    setattr(user, _CACHE_ATTR, result)
    return result


def _gather(user: User, today: datetime.date) -> UserRoles:
    """The user's roles from the database (three queries: role assignments, memberships, panel seats)."""
    roles: set[str] = {
        str(role)
        for role in RoleAssignment.objects.filter(user=user).order_by().values_list("role", flat=True)
    }
    hit_roles: dict[int, set[str]] = {}
    memberships = (
        Membership.objects.filter(person__user=user, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by()
    )
    for hit_id, role in memberships.values_list("hit_id", "role"):
        hit_roles.setdefault(hit_id, set()).add(str(role))
        roles.add(str(Role.HIT_MEMBER.value))
        if role in _MEMBERSHIP_ROLES:
            roles.add(str(_MEMBERSHIP_ROLES[role]))
    panel_ids: set[int] = set()
    chair_round_ids: set[int] = set()
    for _receiver, answer in roles_requested.send(sender=UserRoles, user=user):
        # Each receiver answers with a RoleGrant or None (accreditation/roles.py); django-stubs
        # types every signal answer as `str | None`.
        grant = cast(RoleGrant | None, answer)
        if grant is None:
            continue
        roles |= {str(role) for role in grant.roles}
        panel_ids |= grant.panel_ids
        chair_round_ids |= grant.chair_round_ids

    return UserRoles(
        roles=frozenset(roles),
        hit_ids=frozenset(hit_roles),
        hit_roles={hit_id: frozenset(r) for hit_id, r in hit_roles.items()},
        panel_ids=frozenset(panel_ids),
        chair_round_ids=frozenset(chair_round_ids),
    )


def viewer_scope(user: AnyUser) -> str:
    """What a page kept in the cache for this viewer is keyed by (core.versions.cached_render): the user and
    their roles version, which every change to what grants them roles replaces (roles_changed). Per user,
    never per role: two users with the same roles may still see different HITs' rows."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return "anonymous"
    return f"{user.pk}:{user.roles_version}"


def forget_roles(user: AnyUser | None) -> None:
    """Drop the roles kept on this user object (after a service changed them within the same request):
    it asks the database again, not the shared cache, whose key this object's version no longer names."""
    if user is None or isinstance(user, AnonymousUser):
        return
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    setattr(user, _UNCACHED_ATTR, True)


def roles_changed(user_ids: Iterable[int | None]) -> None:
    """Give these users a new roles version, so no cached roles of theirs are used again. Call it in the
    transaction that changes what grants them roles: the version and the change commit together."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if ids:
        User.objects.filter(pk__in=ids).update(roles_version=uuid.uuid4())


# --- What changes roles in teams: role assignments, memberships and the person a login is linked to ------
# QuerySet.delete() sends post_delete for each row while receivers are connected; QuerySet.update()
# and bulk_create() send nothing (teams.services do not use them on these models).


def _role_assignment_changed(sender: type[RoleAssignment], instance: RoleAssignment, **kwargs: Any) -> None:
    roles_changed([instance.user_id, getattr(instance, "_roles_old_user_id", None)])


def _membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    person_ids = {instance.person_id, getattr(instance, "_roles_old_person_id", None)} - {None}
    User.objects.filter(person__in=person_ids).update(roles_version=uuid.uuid4())


def _person_changed(sender: type[Person], instance: Person, **kwargs: Any) -> None:
    roles_changed([instance.user_id, getattr(instance, "_roles_old_user_id", None)])


def remember_old_value(attname: str, remember_as: str) -> Any:
    """A pre_save receiver that keeps the saved row's `attname` on the instance as `remember_as`, so the
    post_save receiver also renews the roles of the user a changed link no longer points at."""

    def receiver(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if instance._state.adding or instance.pk is None:
            return
        if (
            update_fields is not None
            and attname not in update_fields
            and attname.removesuffix("_id") not in update_fields
        ):
            return
        old = sender._default_manager.filter(pk=instance.pk).values_list(attname, flat=True).first()
        setattr(instance, remember_as, old)

    return receiver


_remember_ra_user = remember_old_value("user_id", "_roles_old_user_id")
_remember_membership_person = remember_old_value("person_id", "_roles_old_person_id")
_remember_person_user = remember_old_value("user_id", "_roles_old_user_id")


def connect_role_receivers() -> None:
    """Connect the receivers that renew roles versions (TeamsConfig.ready)."""
    for model, changed, remember in (
        (RoleAssignment, _role_assignment_changed, _remember_ra_user),
        (Membership, _membership_changed, _remember_membership_person),
        (Person, _person_changed, _remember_person_user),
    ):
        name = model.__name__
        pre_save.connect(remember, sender=model, dispatch_uid=f"teams.roles.remember.{name}")
        post_save.connect(changed, sender=model, dispatch_uid=f"teams.roles.saved.{name}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"teams.roles.deleted.{name}")
