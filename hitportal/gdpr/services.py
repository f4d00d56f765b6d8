"""Data protection requests about one person (UK GDPR): export everything the portal holds, or erase.

Erasure anonymises rather than deletes: the person's row, their memberships (as history), the
reviews they wrote and the records they own stay, attributed to "Erased person #<id>" and an
account nobody can sign in to. Stored aggregate scores (engagement.CoverageScore,
ReadinessResult) and anonymous survey responses are never touched, and no recomputation is
enqueued, so the figures already reported stay as they were.

Both the export and the erasure write a GdprAction row (who, when, why), which the audit log lists.

A request about a person has to reach every app that holds personal data, so this lives at the
top of the house plan (hitportal), which may import every app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accreditation.models import (
    Application,
    ApplicationEvent,
    ApplicationSection,
    Condition,
    ConditionEvent,
    EOIEvent,
    ExpressionOfInterest,
    PanelMember,
    PanelSeatEvent,
    ReviewAssignment,
    Revision,
)
from core.permissions import require as _require
from core.workflow import recorded_actor
from engagement.models import ActionPlanItem, Invitation, InvolvementActivity, PublicReview, Stakeholder
from hitportal.gdpr.permissions import can_handle_data_requests
from teams.enums import GdprActionKind, HITStatus, MembershipRole
from teams.models import (
    Affiliation,
    GdprAction,
    HITStatusChange,
    Meeting,
    Membership,
    MembershipChange,
    Person,
    ProposedMembership,
    RoleChange,
    SponsorInteraction,
    User,
)

REASON_MAX_LENGTH = 2000
NAME_REMOVED = "[name removed]"
# Shorter names would match ordinary words in free text ("Will", "May"); such names are left alone.
MIN_MATCHABLE_NAME = 5


def erased_name(person_id: int) -> str:
    return f"Erased person #{person_id}"


def erased_email(user_id: int) -> str:
    # .invalid is reserved (RFC 2606): nothing is ever delivered to it.
    return f"erased-{user_id}@invalid"


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The person's full name as a whole phrase, case-insensitive; None when too short to match safely."""
    name = " ".join(name.split())
    if len(name) < MIN_MATCHABLE_NAME:
        return None
    words = [re.escape(word) for word in name.split(" ")]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _names(text: str, pattern: re.Pattern[str] | None) -> bool:
    return bool(pattern and text and pattern.search(text))


def _scrub(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub(NAME_REMOVED, text) if pattern and text else text


def _scrub_json(value: Any, pattern: re.Pattern[str] | None) -> Any:
    if isinstance(value, str):
        return _scrub(value, pattern)
    if isinstance(value, list):
        return [_scrub_json(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, pattern) for key, item in value.items()}
    return value


def _without_named_entries(text: str, pattern: re.Pattern[str] | None) -> str:
    """A "names with consent" list with the entries naming the person dropped ("A, B; C" -> "A, C")."""
    if not _names(text, pattern):
        return text
    entries = [entry.strip() for entry in re.split(r"[,;\n]", text)]
    return ", ".join(entry for entry in entries if entry and not _names(entry, pattern))


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(objects: Iterable[Any], build: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: _iso(value) for key, value in build(obj).items()} for obj in objects]


# --- Reads -------------------------------------------------------------------------------------------


def person_get(*, pk: int) -> Person:
    try:
        return Person.objects.select_related("user").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person.") from None


def _ppi_entries_naming(pattern: re.Pattern[str] | None, name: str) -> list[InvolvementActivity]:

    if pattern is None:
        return []
    # icontains narrows the scan in the database; the pattern then keeps whole-name matches only.
    candidates = InvolvementActivity.objects.filter(named_with_consent__icontains=name.split()[0])
    return [
        activity
        for activity in candidates.select_related("hit").order_by("-happened_on", "-pk")
        if _names(activity.named_with_consent, pattern)
    ]


def person_data(*, person: Person) -> dict[str, Any]:
    """Everything the portal holds about one person, as JSON-ready data (a fixed number of queries).

    Never includes the password hash, or whether the person answered a survey (responses are
    anonymous; an invitation's "used" flag would link them to one).
    """

    user: User | None = person.user
    pattern = _name_pattern(person.full_name)
    held = _held(person, user)
    return {
        "person": _person_row(person),
        **_directory_data(person, held),
        **_hit_records_data(person, pattern, held),
        **_contact_data(person, held),
        **_account_data(user, held),
    }


def _held(person: Person, user: User | None) -> dict[str, QuerySet[Any]]:
    """The records a person's data page counts, each as the query the export (`person_data`) reads
    it from before its joins and order: one definition, so the page's counts and the export agree
    (the tests compare the two for a person with records of every kind)."""
    emails = {email.lower() for email in (person.email, user.email if user else "") if email}
    return {
        "affiliations": Affiliation.objects.filter(person=person),
        "hit_memberships": Membership.objects.filter(person=person),
        "stakeholder_map_entries": Stakeholder.objects.filter(person=person),
        "applications_naming_them": Application.objects.filter(
            Q(director=person) | Q(executive_sponsor=person)
        ),
        "expressions_of_interest": ExpressionOfInterest.objects.filter(author=user)
        if user
        else ExpressionOfInterest.objects.none(),
        "review_assignments": ReviewAssignment.objects.filter(reviewer=user)
        if user
        else ReviewAssignment.objects.none(),
        "public_reviews_written": PublicReview.objects.filter(reviewer=user)
        if user
        else PublicReview.objects.none(),
        "sponsor_interactions": SponsorInteraction.objects.filter(sponsor=person),
        "action_plan_items_owned": ActionPlanItem.objects.filter(owner=person),
        "conditions_owned": Condition.objects.filter(owner=person),
        "survey_invitations": Invitation.objects.filter(_email_is_one_of(emails))
        if emails
        else Invitation.objects.none(),
    }


def person_record_counts(*, person: Person) -> dict[str, int]:
    """How many of each kind of record the portal holds about the person (the keys of `person_data`
    the data page lists): counts only, one query each (no record is read or formatted)."""
    counts = {key: queryset.count() for key, queryset in _held(person, person.user).items()}
    counts["ppi_log_entries_naming_them"] = len(
        _ppi_entries_naming(_name_pattern(person.full_name), person.full_name)
    )
    return counts


def _person_row(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "email": person.email,
        "patient_or_public_member": person.is_public_member,
        "professional_group": person.get_professional_group_display(),
        "created_at": _iso(person.created_at),
        "updated_at": _iso(person.updated_at),
    }


def _directory_data(person: Person, held: dict[str, QuerySet[Any]]) -> dict[str, Any]:
    """Where the person works and which HITs they belong to (teams)."""
    return {
        "affiliations": _rows(
            held["affiliations"].select_related("organisation").order_by("pk"),
            lambda a: {
                "organisation": a.organisation.name,
                "job_title": a.job_title,
                "appointment": a.get_appointment_display(),
                "primary": a.is_primary,
                "from": a.start_date,
                "until": a.end_date,
            },
        ),
        "hit_memberships": _rows(
            held["hit_memberships"]
            .select_related("hit", "organisation", "working_group", "theme")
            .order_by("start_date", "pk"),
            lambda m: {
                "hit": m.hit.name,
                "role": m.get_role_display(),
                "representing": m.organisation.name if m.organisation else "",
                "working_group": m.working_group.name if m.working_group else "",
                "lead_side": m.get_lead_side_display() if m.lead_side else "",
                "theme": m.theme.name if m.theme else "",
                "from": m.start_date,
                "until": m.end_date,
            },
        ),
        # The history of those memberships: each addition, ending and role change (teams.MembershipChange).
        "hit_membership_changes": _rows(
            MembershipChange.objects.filter(membership__person=person)
            .select_related("membership__hit")
            .order_by("created_at", "pk"),
            lambda c: {
                "hit": c.membership.hit.name,
                "change": c.get_change_display(),
                "role": c.get_role_display(),
                "role_before": c.get_from_role_display() if c.from_role else "",
                "when": c.created_at,
                "comment": c.comment,
            },
        ),
    }


def _hit_records_data(
    person: Person, pattern: re.Pattern[str] | None, held: dict[str, QuerySet[Any]]
) -> dict[str, Any]:
    """The HITs' records that name the person or that they own: stakeholder maps, applications,
    the PPI log, sponsor contacts, action plans and conditions."""
    return {
        "stakeholder_map_entries": _rows(
            held["stakeholder_map_entries"].select_related("hit", "category").order_by("pk"),
            lambda s: {
                "hit": s.hit.name,
                "category": s.category.name,
                "depth": s.get_depth_display(),
                "role": s.role,
                "evidence": s.evidence,
                "from": s.start_date,
                "until": s.end_date,
            },
        ),
        "applications_naming_them": _rows(
            held["applications_naming_them"].select_related("hit", "round").order_by("pk"),
            lambda a: {
                "application": a.pk,
                "hit": a.hit.name,
                "round": a.round.name,
                "named_as": ", ".join(
                    label
                    for label, pk in (
                        ("director", a.director_id),
                        ("executive sponsor", a.executive_sponsor_id),
                    )
                    if pk == person.pk
                ),
            },
        ),
        "ppi_log_entries_naming_them": _rows(
            _ppi_entries_naming(pattern, person.full_name),
            lambda e: {
                "hit": e.hit.name,
                "date": e.happened_on,
                "activity": e.get_activity_type_display(),
                "named_with_consent": e.named_with_consent,
            },
        ),
        "sponsor_interactions": _rows(
            held["sponsor_interactions"].select_related("hit").order_by("happened_on", "pk"),
            lambda i: {
                "hit": i.hit.name,
                "date": i.happened_on,
                "kind": i.get_kind_display(),
                "note": i.note,
            },
        ),
        "action_plan_items_owned": _rows(
            held["action_plan_items_owned"].select_related("hit").order_by("due_on", "pk"),
            lambda i: {
                "hit": i.hit.name,
                "title": i.title,
                "due_on": i.due_on,
                "status": i.get_status_display(),
            },
        ),
        "conditions_owned": _rows(
            held["conditions_owned"].select_related("decision__application__hit").order_by("due_on", "pk"),
            lambda c: {
                "hit": c.decision.application.hit.name,
                "condition": c.text,
                "due_on": c.due_on,
                "closed_at": c.closed_at,
                "evidence": c.evidence,
            },
        ),
    }


def _contact_data(person: Person, held: dict[str, QuerySet[Any]]) -> dict[str, Any]:
    """Survey invitations sent to the person's addresses, and the data protection requests about them."""
    return {
        "survey_invitations": _rows(
            held["survey_invitations"].select_related("wave__hit").order_by("pk"),
            lambda i: {"hit": i.wave.hit.name, "survey": i.wave.title, "sent_at": i.sent_at},
        ),
        "data_protection_requests": _rows(
            GdprAction.objects.filter(person_number=person.pk).select_related("actor").order_by("created_at"),
            lambda g: {"action": g.get_action_display(), "when": g.created_at, "reason": g.reason},
        ),
    }


def _account_data(user: User | None, held: dict[str, QuerySet[Any]]) -> dict[str, Any]:
    """The person's user account and what they did with it; empty without an account."""
    if user is None:
        return {
            "user_account": None,
            "programme_role_changes": [],
            "panel_seat_events": [],
            "expressions_of_interest": [],
            "review_assignments": [],
            "public_reviews_written": [],
        }
    return {
        "user_account": {
            "email": user.email,
            "full_name": user.full_name,
            "active": user.is_active,
            "can_open_admin_site": user.is_staff,
            "joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "programme_roles": _rows(
                user.role_assignments.order_by("role"),
                lambda r: {"role": r.get_role_display(), "granted_at": r.created_at},
            ),
            "panel_roles": _rows(
                PanelMember.objects.filter(user=user).select_related("panel__round").order_by("pk"),
                lambda p: {"panel": p.panel.name, "round": p.panel.round.name, "role": p.get_role_display()},
            ),
        },
        # Each grant and revocation of their programme roles (teams.RoleChange).
        "programme_role_changes": _rows(
            RoleChange.objects.filter(user=user).order_by("created_at", "pk"),
            lambda r: {"role": r.get_role_display(), "change": r.get_change_display(), "when": r.created_at},
        ),
        # Each time they were seated on a panel, removed from it, replaced or took over a seat
        # (accreditation.PanelSeatEvent).
        "panel_seat_events": _rows(
            PanelSeatEvent.objects.filter(Q(user=user) | Q(successor=user))
            .select_related("panel__round")
            .order_by("created_at", "pk"),
            lambda e: {
                "panel": e.panel.name,
                "round": e.panel.round.name,
                "role": e.get_role_display(),
                "change": e.get_change_display(),
                "their_part": "took over the seat" if e.successor_id == user.pk else "held the seat",
                "when": e.created_at,
                "comment": e.comment,
            },
        ),
        "expressions_of_interest": _rows(
            held["expressions_of_interest"].select_related("round").order_by("pk"),
            lambda e: {
                "working_title": e.working_title,
                "round": e.round.name,
                "status": e.get_status_display(),
                "problem": e.problem,
                "boundaries": e.boundaries,
                "proposed_director": e.proposed_director,
                "known_risks": e.known_risks,
                "submitted_at": e.submitted_at,
            },
        ),
        "review_assignments": _review_assignments(held["review_assignments"]),
        "public_reviews_written": _rows(
            held["public_reviews_written"].select_related("hit").order_by("pk"),
            lambda r: {
                "hit": r.hit.name,
                "reviewed_on": r.reviewed_on,
                "ppi_depth": r.ppi_depth,
                "arrangements_adequate": r.arrangements_adequate,
                "comments": r.comments,
            },
        ),
    }


def _review_assignments(assignments_of_user: QuerySet[ReviewAssignment]) -> list[dict[str, Any]]:
    assignments = (
        assignments_of_user.select_related("application__hit", "application__round", "review")
        .prefetch_related("review__scores")
        .order_by("pk")
    )
    return [
        {
            "application": a.application_id,
            "hit": a.application.hit.name,
            "round": a.application.round.name,
            "lay_review": a.is_lay,
            "due_on": _iso(a.due_on),
            "conflict_declaration": a.get_declaration_display(),
            "declaration_note": a.declaration_note,
            "conflict_resolution": a.get_resolution_display(),
            "resolution_note": a.resolution_note,
            "review": _review(a),
        }
        for a in assignments
    ]


def _review(assignment: ReviewAssignment) -> dict[str, Any] | None:
    review = getattr(assignment, "review", None)
    if review is None:
        return None
    return {
        "version_reviewed": review.revision_number,
        "status": review.get_status_display(),
        "recommendation": review.get_recommendation_display() if review.recommendation else "",
        "summary": review.summary,
        "submitted_at": _iso(review.submitted_at),
        "scores": [
            {"criterion": s.criterion, "score": s.score, "comment": s.comment} for s in review.scores.all()
        ],
    }


def person_current_roles(*, person: Person) -> list[str]:
    """What the person does now, in words: erasing does not end any of it, so the page warns."""

    today = timezone.localdate()
    roles: list[str] = []
    memberships = (
        Membership.objects.filter(person=person, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("hit")
        .order_by("hit__name", "role")
    )
    directing = [m for m in memberships if m.role == MembershipRole.DIRECTOR]
    other_directors = set(
        Membership.objects.filter(
            hit_id__in=[m.hit_id for m in directing], role=MembershipRole.DIRECTOR, start_date__lte=today
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exclude(person=person)
        .values_list("hit_id", flat=True)
    )
    for membership in memberships:
        line = f"{membership.get_role_display()} of {membership.hit.name}"
        if (
            membership.role == MembershipRole.DIRECTOR
            and membership.hit.status == HITStatus.ACTIVE
            and membership.hit_id not in other_directors
        ):
            line += " (its only current director; the HIT is active)"
        roles.append(line)
    user = person.user
    if user is not None:
        roles += [f"{r.get_role_display()} (programme-wide)" for r in user.role_assignments.order_by("role")]
        roles += [
            f"{p.get_role_display()} of {p.panel.name}"
            for p in PanelMember.objects.filter(user=user).select_related("panel").order_by("pk")
        ]
    return roles


# --- Writes ------------------------------------------------------------------------------------------


@transaction.atomic
def person_data_export(*, actor: User, person_id: int) -> dict[str, Any]:
    """Everything held about a person (see `person_data`), for the programme manager to send them.

    Side effects: one GdprAction (export) row naming the actor.
    """
    _require(can_handle_data_requests(actor))
    person = person_get(pk=person_id)
    data = {
        "exported_at": _iso(timezone.now()),
        "notes": "Everything HIT Portal holds about this person. Anonymous survey answers are not "
        "linked to anyone and cannot be included.",
        **person_data(person=person),
    }
    GdprAction.objects.create(
        person=person, person_number=person.pk, action=GdprActionKind.EXPORT, actor=recorded_actor(actor)
    )
    return data


@transaction.atomic
def person_erase(*, actor: User, person_id: int, reason: str) -> Person:
    """Anonymise a person and their account, keeping history, scores and survey answers intact.

    Side effects, in order:
    1. checks the reason (ValidationError keyed "reason", nothing changed), locks the person's row
       and refuses an actor erasing themselves;
    2. removes their full name from free text that names them: PPI log "named with consent" lists
       (their entry dropped) and descriptions, the evidence and role notes of their stakeholder-map
       rows, notes of their sponsor contacts, meeting notes of their HITs, the proposed director of
       expressions of interest, and the sections and frozen revisions of applications of their HITs
       or naming them, the names of the memberships those applications proposed ("[name removed]"), and the
       comments of recorded changes that name them (their memberships' and HITs' changes, their HITs' EOI,
       application and condition events, panel seat changes);
    3. deletes their affiliations (job title and organisation identify them; a membership keeps the
       organisation they represented);
    4. renames the person "Erased person #<id>" with no email;
    5. their user account, if any: same name, email erased-<user id>@invalid, unusable password,
       inactive, no staff or superuser rights, no last login, no API token;
    6. survey invitations sent to their email addresses get placeholder addresses;
    7. admin log entries about their person and user rows show the new name;
    8. appends a GdprAction (erase) row with the actor and the reason.
    Memberships, stakeholder rows, reviews (scores and comments), EOIs, conditions, action items and
    every recorded event stay, attributed to the anonymised person or account. No score is
    recomputed.
    """
    _require(can_handle_data_requests(actor))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the erasure (for example the request's date)."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason within {REASON_MAX_LENGTH} characters."})
    try:
        person = Person.objects.select_for_update().get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404("No such person.") from None
    if person.user_id is not None and person.user_id == actor.pk:
        raise ValidationError("You cannot erase yourself; ask another programme manager.")
    user = User.objects.select_for_update().filter(pk=person.user_id).first() if person.user_id else None
    pattern = _name_pattern(person.full_name)
    emails = {email.lower() for email in (person.email, user.email if user else "") if email}

    _scrub_free_text(person=person, pattern=pattern)
    person.affiliations.all().delete()

    new_name = erased_name(person.pk)
    person.full_name = new_name
    person.email = ""
    person.full_clean(exclude=["user"])
    person.save(update_fields=["full_name", "email", "updated_at"])

    if user is not None:
        _erase_account(user=user, name=new_name)
    _erase_invitations(emails=emails)
    _rename_admin_log_entries(person=person, user=user, name=new_name)

    GdprAction.objects.create(
        person=person,
        person_number=person.pk,
        action=GdprActionKind.ERASE,
        actor=recorded_actor(actor),
        reason=reason,
    )
    return person


def _scrub_free_text(*, person: Person, pattern: re.Pattern[str] | None) -> None:
    from engagement.models import InvolvementActivity, Stakeholder

    if pattern is None:
        return
    for activity in _ppi_entries_naming(pattern, person.full_name):
        activity.named_with_consent = _without_named_entries(activity.named_with_consent, pattern)
        activity.description = _scrub(activity.description, pattern)
        activity.save(update_fields=["named_with_consent", "description", "updated_at"])
    first_word = person.full_name.split()[0]
    for activity in InvolvementActivity.objects.filter(description__icontains=first_word):
        if _names(activity.description, pattern):
            activity.description = _scrub(activity.description, pattern)
            activity.save(update_fields=["description", "updated_at"])
    for row in Stakeholder.objects.filter(person=person):
        row.evidence, row.role = _scrub(row.evidence, pattern), _scrub(row.role, pattern)
        row.save(update_fields=["evidence", "role", "updated_at"])
    for interaction in person.sponsor_interactions.all():
        if _names(interaction.note, pattern):
            interaction.note = _scrub(interaction.note, pattern)
            interaction.save(update_fields=["note", "updated_at"])
    hit_ids = set(person.memberships.values_list("hit_id", flat=True))
    for meeting in Meeting.objects.filter(hit_id__in=hit_ids, notes__icontains=first_word):
        if _names(meeting.notes, pattern):
            meeting.notes = _scrub(meeting.notes, pattern)
            meeting.save(update_fields=["notes", "updated_at"])
    for eoi in ExpressionOfInterest.objects.filter(proposed_director__icontains=first_word):
        if _names(eoi.proposed_director, pattern):
            eoi.proposed_director = _scrub(eoi.proposed_director, pattern)
            eoi.save(update_fields=["proposed_director", "updated_at"])
    applications = Application.objects.filter(
        Q(hit_id__in=hit_ids) | Q(director=person) | Q(executive_sponsor=person)
    ).values_list("pk", flat=True)
    for section in ApplicationSection.objects.filter(application_id__in=applications):
        scrubbed = _scrub_json(section.data, pattern)
        if scrubbed != section.data:
            section.data = scrubbed
            section.save(update_fields=["data", "updated_at"])
    for revision in Revision.objects.filter(application_id__in=applications):
        fields = {
            name: _scrub_json(getattr(revision, name), pattern)
            for name in ("sections", "stakeholders", "governance")
        }
        changed = [name for name, value in fields.items() if value != getattr(revision, name)]
        if changed:
            for name in changed:
                setattr(revision, name, fields[name])
            revision.save(update_fields=changed)
    # Comments recorded with changes: their memberships' changes and their HITs' status changes, the events
    # of their HITs' expressions of interest, applications and conditions, and panel seat changes.
    for events in (
        MembershipChange.objects.filter(Q(membership__person=person) | Q(membership__hit_id__in=hit_ids)),
        HITStatusChange.objects.filter(hit_id__in=hit_ids),
        EOIEvent.objects.filter(Q(eoi__hit_id__in=hit_ids) | Q(eoi__author_id=person.user_id)),
        ApplicationEvent.objects.filter(application_id__in=applications),
        ConditionEvent.objects.filter(condition__decision__application_id__in=applications),
        PanelSeatEvent.objects.all(),
    ):
        _scrub_comments(events.filter(comment__icontains=first_word), pattern)
    # The memberships those applications proposed keep each name as the application wrote it.
    for proposal in ProposedMembership.objects.filter(
        Q(person=person) | Q(name_as_written__icontains=first_word)
    ):
        written = _scrub(proposal.name_as_written, pattern)
        if written == proposal.name_as_written and proposal.person_id == person.pk:
            written = NAME_REMOVED
        if written != proposal.name_as_written:
            proposal.name_as_written = written
            proposal.save(update_fields=["name_as_written", "updated_at"])


def _scrub_comments(events: Iterable[Any], pattern: re.Pattern[str]) -> None:
    """The person's name removed from each event's comment that names them (the rest of the row stays)."""
    for event in events:
        if _names(event.comment, pattern):
            event.comment = _scrub(event.comment, pattern)
            event.save(update_fields=["comment"])


def _erase_account(*, user: User, name: str) -> None:

    user.full_name = name
    user.email = erased_email(user.pk)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save(
        update_fields=[
            "full_name",
            "email",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "last_login",
            "updated_at",
        ]
    )
    user.groups.clear()
    user.user_permissions.clear()
    Token.objects.filter(user=user).delete()


def _email_is_one_of(emails: set[str]) -> Q:
    """Case-insensitive: an address typed into an invitation list keeps whatever case it was given."""
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(email__iexact=email)
    return query


def _erase_invitations(*, emails: set[str]) -> None:

    if not emails:
        return
    # The invitation's own id keeps (wave, email) unique; the wave's counts stay as they were.
    Invitation.objects.filter(_email_is_one_of(emails)).update(
        email=Concat(Value("erased-invitation-"), Cast("pk", CharField()), Value("@invalid"))
    )


def _rename_admin_log_entries(*, person: Person, user: User | None, name: str) -> None:
    targets = Q(content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk))
    if user is not None:
        targets |= Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    LogEntry.objects.filter(targets).update(object_repr=name)
