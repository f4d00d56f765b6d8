"""Writes of patient and public involvement (PPI): the involvement log, standards
self-assessments, the public review group's assessments and the PPI facilitators' support.

Every write checks the actor's permission (PermissionDenied with the reason) and validates before
it stores anything (ValidationError keyed by field). A change to the involvement log asks the
worker to recompute the HIT's coverage, because the log feeds its PPI depth (F4).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import check_version
from core.mail import send_after_commit
from core.permissions import require as _require
from engagement import permissions
from engagement.enums import PPIStandard, StandardRating, SupportStatus
from engagement.models import (
    InvolvementActivity,
    PublicReview,
    StandardRatingRow,
    StandardsAssessment,
    SupportGiven,
    SupportRequest,
)
from engagement.services.score_requests import request_recompute
from teams.enums import ProgrammeRole
from teams.models import HIT, User

# The fields of a log entry a user fills in; the rest (HIT, recorded by) the service sets.
ACTIVITY_FIELDS = (
    "happened_on",
    "activity_type",
    "description",
    "patients",
    "carers",
    "public",
    "hours",
    "level",
    "decision_forum",
    "impact",
    "recognition",
    "named_with_consent",
)

CONSENT_MESSAGE = (
    "Names only with consent: confirm that these people consented to be named, or remove the names."
)


def _hit(hit_id: int) -> HIT:
    return HIT.objects.get(pk=hit_id)


def _not_in_future(field: str, day: datetime.date | None, what: str = "The date") -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be in the future."})


# --- The involvement log -----------------------------------------------------------------------------


def _validate_activity(activity: InvolvementActivity, *, names_consented: bool) -> None:
    errors: dict[str, list[str]] = {}
    if activity.happened_on is not None and activity.happened_on > timezone.localdate():
        errors.setdefault("happened_on", []).append("The date cannot be in the future.")
    for field in ("patients", "carers", "public", "hours"):
        value = getattr(activity, field)
        if value is not None and value < 0:
            errors.setdefault(field, []).append("Enter 0 or more.")
    if activity.named_with_consent and not names_consented:
        errors.setdefault("names_consented", []).append(CONSENT_MESSAGE)
    if errors:
        raise ValidationError(errors)
    activity.full_clean()


def _activity_values(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Not fields of a log entry: {', '.join(sorted(unknown))}")
    cleaned = dict(values)
    for field in ("description", "impact", "named_with_consent"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    return cleaned


@transaction.atomic
def activity_create(
    *, actor: User, hit_id: int, values: Mapping[str, Any], names_consented: bool = False
) -> InvolvementActivity:
    """Add an entry to a HIT's PPI log.

    `values` holds ACTIVITY_FIELDS; names are stored only when `names_consented` confirms that
    the people named agreed to be named. Side effects, in order: the InvolvementActivity row
    (recorded_by = actor); a coverage recompute of the HIT after commit (the log feeds PPI depth).
    """
    hit = _hit(hit_id)
    _require(permissions.can_log_ppi(actor, hit))
    activity = InvolvementActivity(hit=hit, recorded_by=actor, **_activity_values(values))
    _validate_activity(activity, names_consented=names_consented)
    activity.save()
    request_recompute(hit_id=hit.pk)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: User,
    activity_id: int,
    values: Mapping[str, Any],
    names_consented: bool = False,
    expected_version: str | None = None,
) -> InvolvementActivity:
    """Correct an entry of the PPI log.

    Refused with StaleEdit (nothing saved) when the entry is no longer at `expected_version`, the
    version the editor's form started from (core.concurrency).
    Side effects, in order: the changed fields saved (nothing when nothing changed); a coverage
    recompute of the HIT after commit when anything changed.
    """
    activity = (
        InvolvementActivity.objects.select_for_update(of=("self",)).select_related("hit").get(pk=activity_id)
    )
    _require(permissions.can_log_ppi(actor, activity.hit))
    check_version(activity, expected_version)
    changed = []
    for field, value in _activity_values(values).items():
        if getattr(activity, field) != value:
            setattr(activity, field, value)
            changed.append(field)
    _validate_activity(activity, names_consented=names_consented)
    if changed:
        activity.save(update_fields=[*changed, "updated_at"])
        request_recompute(hit_id=activity.hit_id)
    return activity


# --- Standards self-assessment -----------------------------------------------------------------------


@transaction.atomic
def standards_assessment_create(
    *,
    actor: User,
    hit_id: int,
    ratings: Mapping[str, tuple[int, str]],
    assessed_on: datetime.date | None = None,
) -> StandardsAssessment:
    """Record a self-assessment against the six UK Standards for Public Involvement.

    `ratings` maps every PPIStandard to (rating 0-3, note). Side effects: one StandardsAssessment
    and its six StandardRatingRow rows. No score depends on it, so nothing is recomputed.
    """
    hit = _hit(hit_id)
    _require(permissions.can_log_ppi(actor, hit))
    assessed_on = assessed_on or timezone.localdate()
    _not_in_future("assessed_on", assessed_on)
    missing = [s.label for s in PPIStandard if s.value not in ratings]
    unknown = sorted(set(ratings) - set(PPIStandard.values))
    if missing or unknown:
        raise ValidationError(
            "Rate each of the six standards once"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not a standard: {', '.join(unknown)}" if unknown else "")
            + "."
        )
    errors = {
        standard: f"Choose a rating from 0 to 3 for {PPIStandard(standard).label}."
        for standard, (rating, _note) in ratings.items()
        if rating not in StandardRating.values
    }
    if errors:
        raise ValidationError(errors)
    assessment = StandardsAssessment(hit=hit, assessed_on=assessed_on, assessed_by=actor)
    assessment.full_clean()
    assessment.save()
    # In the standards' own order, so reading the rows back by pk gives that order.
    rows = [
        StandardRatingRow(
            assessment=assessment,
            standard=standard.value,
            rating=ratings[standard.value][0],
            note=(ratings[standard.value][1] or "").strip(),
        )
        for standard in PPIStandard
    ]
    for row in rows:
        row.full_clean()
    StandardRatingRow.objects.bulk_create(rows)
    return assessment


# --- The public review group -------------------------------------------------------------------------


@transaction.atomic
def public_review_create(
    *,
    actor: User,
    hit_id: int,
    ppi_depth: int,
    arrangements_adequate: bool,
    comments: str,
    reviewed_on: datetime.date | None = None,
) -> PublicReview:
    """Record the public review group's assessment of a HIT's PPI arrangements.

    Only a lay reviewer who may see the HIT's PPI records one, while the HIT is in set-up. Side effect: the
    PublicReview row. It is the group's judgement, shown beside the computed PPI depth, and is not
    an input of any score, so nothing is recomputed.
    """
    hit = _hit(hit_id)
    _require(permissions.can_view_ppi(actor, hit))
    _require(permissions.can_review_ppi(actor, hit))
    reviewed_on = reviewed_on or timezone.localdate()
    _not_in_future("reviewed_on", reviewed_on)
    review = PublicReview(
        hit=hit,
        reviewer=actor,
        reviewed_on=reviewed_on,
        ppi_depth=ppi_depth,
        arrangements_adequate=arrangements_adequate,
        comments=(comments or "").strip(),
    )
    review.full_clean()
    review.save()
    return review


# --- Support from the PPI facilitators ---------------------------------------------------------------


def ppi_facilitator_emails() -> list[str]:
    return list(
        User.objects.filter(role_assignments__role=ProgrammeRole.PPI_FACILITATOR, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def support_request_create(*, actor: User, hit_id: int, topic: str, details: str = "") -> SupportRequest:
    """A HIT member asks the PPI facilitators for support.

    Side effects, in order: the SupportRequest row (open); after commit, an email to every active
    PPI facilitator (templates/emails/engagement/support_requested*).
    """
    hit = _hit(hit_id)
    _require(permissions.can_request_ppi_support(actor, hit))
    support_request = SupportRequest(
        hit=hit, requested_by=actor, topic=(topic or "").strip(), details=(details or "").strip()
    )
    support_request.full_clean()
    support_request.save()
    send_after_commit(
        template="engagement/support_requested",
        recipients=ppi_facilitator_emails(),
        context={"support_request": support_request, "hit": hit, "requested_by": actor},
    )
    return support_request


@transaction.atomic
def support_give(
    *,
    actor: User,
    request_id: int,
    note: str,
    hours: Decimal | int = 0,
    given_on: datetime.date | None = None,
) -> SupportGiven:
    """Record support a facilitator gave on a request.

    Side effects, in order: the SupportGiven row; an open request moves to "in progress" (a
    closed one stays closed: support recorded after closing is kept without reopening it).
    """
    support_request = (
        SupportRequest.objects.select_for_update(of=("self",)).select_related("hit").get(pk=request_id)
    )
    _require(permissions.can_support_ppi(actor))
    given_on = given_on or timezone.localdate()
    _not_in_future("given_on", given_on)
    if hours is not None and hours < 0:
        raise ValidationError({"hours": "Enter 0 or more."})
    given = SupportGiven(
        request=support_request, given_by=actor, given_on=given_on, hours=hours, note=(note or "").strip()
    )
    given.full_clean()
    given.save()
    if support_request.status == SupportStatus.OPEN:
        support_request.status = SupportStatus.IN_PROGRESS
        support_request.save(update_fields=["status", "updated_at"])
    return given


@transaction.atomic
def support_request_set_status(
    *, actor: User, request_id: int, status: str, expected_status: str
) -> SupportRequest:
    """Move a support request to open, in progress or closed.

    `expected_status` is the status the facilitator saw: if someone else changed it meanwhile, the
    change is refused, so two facilitators acting at once yield one outcome. Side effects: status;
    closed_at set on closing and cleared on reopening.
    """
    support_request = (
        SupportRequest.objects.select_for_update(of=("self",)).select_related("hit").get(pk=request_id)
    )
    _require(permissions.can_support_ppi(actor))
    if status not in SupportStatus.values:
        raise ValidationError({"status": "Choose open, in progress or closed."})
    if support_request.status != expected_status:
        raise ValidationError(
            "Someone else already changed this request: it is now "
            f"{support_request.get_status_display().lower()}. Check it and try again."
        )
    if status == support_request.status:
        raise ValidationError(
            {"status": f"The request is already {support_request.get_status_display().lower()}."}
        )
    support_request.status = status
    support_request.closed_at = timezone.now() if status == SupportStatus.CLOSED else None
    support_request.save(update_fields=["status", "closed_at", "updated_at"])
    return support_request
