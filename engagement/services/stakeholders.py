"""Writes of the stakeholder map: add, edit and end stakeholders, and keep the map in step with memberships and with the stakeholder rows of an application."""

from __future__ import annotations

import datetime
from typing import Any, Required, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import check_version
from engagement.enums import StakeholderSource
from engagement.models import (
    Stakeholder,
)
from engagement.services.score_requests import request_recompute
from teams.enums import MembershipRole
from teams.models import Membership, StakeholderCategory, User

# Membership roles on the depth scale: leadership and decision roles are 3, group members 2.
MEMBERSHIP_DEPTH: dict[str, int] = {
    MembershipRole.DIRECTOR: 3,
    MembershipRole.CO_DIRECTOR: 3,
    MembershipRole.EXECUTIVE_SPONSOR: 3,
    MembershipRole.MANAGEMENT_GROUP: 3,
    MembershipRole.WORKING_GROUP_LEAD: 3,
    MembershipRole.THEME_LEAD: 3,
    MembershipRole.PPI_LEAD: 2,
    MembershipRole.MEMBER: 2,
}

# The fields of a manual row its editor fills in (engagement.forms.stakeholders.StakeholderForm).
MANUAL_FIELDS = ("person", "organisation", "category", "depth", "role", "start_date", "end_date", "evidence")


class ApplicationRow(TypedDict, total=False):
    """A row of an accredited application's stakeholder table, as stakeholders_sync_application_rows
    reads it."""

    key: Required[int]  # the table row's id: which map row it feeds
    organisation_id: int | None  # rows without one are skipped
    category_id: Required[int]
    role: str
    depth: int  # 1 when left out; kept within 0-3


# --- Stakeholder map ---------------------------------------------------------------------------------


@transaction.atomic
def stakeholder_save(
    *, actor: User, stakeholder: Stakeholder, expected_version: str | None = None
) -> Stakeholder:
    """Add or change a manual row of the map. Side effects: the row; a coverage recompute.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    if stakeholder.pk is not None:
        check_version(Stakeholder.objects.select_for_update().get(pk=stakeholder.pk), expected_version)
    if stakeholder.source != StakeholderSource.MANUAL:
        raise ValidationError(
            "This row comes from a membership or the application; change it there so nothing is typed twice."
        )
    if stakeholder.person_id is None and stakeholder.organisation_id is None:
        raise ValidationError({"person": "Name a person or an organisation."})
    stakeholder.full_clean()
    if stakeholder.pk is None:
        stakeholder.save()  # type: ignore[unreachable]  # the stubs type pk int; a new row's is None
    else:
        stakeholder.save(update_fields=[*MANUAL_FIELDS, "updated_at"])
    request_recompute(hit_id=stakeholder.hit_id)
    return stakeholder


@transaction.atomic
def stakeholder_end(
    *, actor: User, stakeholder_id: int, end_date: datetime.date | None = None
) -> Stakeholder:
    """End a manual row's involvement (kept for the history). Side effect: end date; recompute."""
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder_id)
    if stakeholder.source != StakeholderSource.MANUAL:
        raise ValidationError("End the membership or change the application instead.")
    end = end_date or timezone.localdate()
    if end < stakeholder.start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    stakeholder.end_date = end
    stakeholder.save(update_fields=["end_date", "updated_at"])
    request_recompute(hit_id=stakeholder.hit_id)
    return stakeholder


def _category_for(membership: Membership, categories: dict[str, int]) -> int | None:
    person = membership.person
    if person.is_public_member and "PUBLIC" in categories:
        return categories["PUBLIC"]
    organisation = membership.organisation
    if organisation is None:
        affiliation = next(iter(person.affiliations.all()), None)  # prefetched, primary first
        organisation = affiliation.organisation if affiliation else None
    if organisation is not None and organisation.org_type.default_category_id:
        return organisation.org_type.default_category_id
    return categories.get("STAFF")


@transaction.atomic
def stakeholders_sync_memberships(*, hit_id: int) -> int:
    """Mirror the HIT's memberships onto its map (idempotent): one row per membership, its depth
    from the role, its category from the person (public member) or their organisation's type.

    Side effects: Stakeholder rows of source "membership" created, updated or ended; a coverage
    recompute. Returns the number of rows written.
    """
    categories = dict(StakeholderCategory.objects.values_list("code", "pk"))
    memberships = (
        Membership.objects.filter(hit_id=hit_id)
        .select_related("person", "organisation__org_type")
        .prefetch_related("person__affiliations__organisation__org_type")
    )
    existing = {
        s.source_key: s
        for s in Stakeholder.objects.filter(hit_id=hit_id, source=StakeholderSource.MEMBERSHIP)
    }
    written = 0
    seen = set()
    for membership in memberships:
        key = str(membership.pk)
        seen.add(key)
        category_id = _category_for(membership, categories)
        if category_id is None:
            continue
        values = {
            "person_id": membership.person_id,
            "organisation_id": membership.organisation_id,
            "category_id": category_id,
            "depth": MEMBERSHIP_DEPTH[membership.role],
            "role": membership.get_role_display(),
            "start_date": membership.start_date,
            "end_date": membership.end_date,
        }
        row = existing.get(key)
        if row is None:
            Stakeholder.objects.create(
                hit_id=hit_id, source=StakeholderSource.MEMBERSHIP, source_key=key, **values
            )
            written += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.save(update_fields=[*values, "updated_at"])
            written += 1
    gone = [s.pk for k, s in existing.items() if k not in seen]
    if gone:
        Stakeholder.objects.filter(pk__in=gone).delete()
        written += len(gone)
    if written:
        request_recompute(hit_id=hit_id)
    return written


def stakeholders_follow_memberships(sender: object, *, hit_id: int, **kwargs: Any) -> None:
    """The receiver of teams.signals.memberships_changed: mirror the HIT's memberships again."""
    stakeholders_sync_memberships(hit_id=hit_id)


@transaction.atomic
def stakeholders_sync_application_rows(*, hit_id: int, rows: list[ApplicationRow], label: str) -> int:
    """Mirror an accredited application's "who, how, for what outcome" table onto the map.

    `rows` are plain dicts (ApplicationRow: key, organisation_id, category_id, role, depth);
    accreditation calls this so engagement never imports it. Rows naming no directory organisation
    are skipped (the map needs a person or an organisation). Idempotent on `key`.
    """
    existing = {
        s.source_key: s
        for s in Stakeholder.objects.filter(hit_id=hit_id, source=StakeholderSource.APPLICATION)
    }
    written = 0
    for row in rows:
        if not row.get("organisation_id"):
            continue
        key = str(row["key"])
        values = {
            "organisation_id": row["organisation_id"],
            "category_id": row["category_id"],
            "depth": min(max(int(row.get("depth", 1)), 0), 3),
            "role": row.get("role", "")[:300],
            "evidence": f"From {label}",
        }
        current = existing.pop(key, None)
        if current is None:
            Stakeholder.objects.create(
                hit_id=hit_id, source=StakeholderSource.APPLICATION, source_key=key, **values
            )
            written += 1
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            current.save(update_fields=[*values, "updated_at"])
            written += 1
    if written:
        request_recompute(hit_id=hit_id)
    return written
