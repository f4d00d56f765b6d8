"""Writes of the accreditation app. Every state change goes through `eoi_transition` or
`application_transition`; each service takes the acting user and lists its side effects."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accreditation import permissions, workflow
from accreditation.criteria import criteria_for
from accreditation.enums import (
    ApplicationKind,
    ConflictDeclaration,
    ConflictResolution,
    DecisionOutcome,
    FeedbackStatus,
    PanelRole,
    Recommendation,
    ReviewStatus,
)
from accreditation.models import (
    Accreditation,
    Application,
    ApplicationSection,
    Condition,
    Decision,
    EOIPartner,
    ExpressionOfInterest,
    FeedbackDocument,
    FeedbackPoint,
    PanelMember,
    Review,
    ReviewAssignment,
    ReviewScore,
    Revision,
    Round,
    StakeholderPlanRow,
)
from accreditation.sections import (
    GOVERNANCE_MODEL_FIELDS,
    MIN_STAKEHOLDER_ORGANISATIONS,
    SECTIONS,
    get_section,
    section_is_complete,
)
from accreditation.workflow import APPLICATION_WORKFLOW, EOI_WORKFLOW, ApplicationStatus, EOIStatus
from core.batch import BatchOutcome, each_row
from core.concurrency import check_version, latest_changed
from core.mail import absolute_url, send_after_commit
from core.workflow import (
    InvalidTransition,
    Move,
    Rule,
    StaleState,
    Transition,
    moved_by,
    perform,
    record_event,
    recorded_actor,
)
from engagement import services as engagement_services
from teams import services as team_services
from teams.enums import HITStatus, MembershipRole
from teams.models import HIT, Membership, Organisation, Person
from teams.roles import forget_roles

logger = logging.getLogger(__name__)

SPONSOR_SIGNING_SALT = "accreditation.sponsor-confirmation"
SPONSOR_LINK_MAX_AGE = 60 * 60 * 24 * 30  # a month


# --- Rounds ------------------------------------------------------------------------------------------


@transaction.atomic
def round_save(*, actor: object, round: Round, expected_version: str | None = None) -> Round:
    """Create or update a round (programme managers). Side effect: the Round row.

    A change is refused with StaleEdit (nothing saved) when the round is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    verdict = permissions.can_manage_rounds(actor)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    if round.pk is not None:
        check_version(Round.objects.select_for_update().get(pk=round.pk), expected_version)
    round.full_clean()
    round.save()
    return round


# --- Expressions of interest -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerInput:
    category_id: int
    organisation_id: int | None = None
    organisation_name: str = ""


@transaction.atomic
def eoi_save(
    *,
    actor: object,
    eoi: ExpressionOfInterest,
    partners: Sequence[PartnerInput] | None = None,
    expected_version: str | None = None,
) -> ExpressionOfInterest:
    """Save a draft EOI and, when given, replace its partner list.

    Side effects: the EOI row; EOIPartner rows replaced. Refuses anything but a draft, and a
    change to a draft no longer at `expected_version` (StaleEdit, nothing saved; core.concurrency).
    """
    if eoi.pk is None:
        verdict = permissions.can_start_eoi(actor)
        if not verdict:
            raise PermissionDenied(verdict.reason)
        eoi.author = actor
    else:
        locked = ExpressionOfInterest.objects.select_for_update().get(pk=eoi.pk)
        if locked.author_id != actor.pk:
            raise PermissionDenied("Only the author edits an expression of interest.")
        if locked.status != EOIStatus.DRAFT:
            raise InvalidTransition(
                f"This expression of interest was already {locked.get_status_display().lower()}; it can no longer "
                "be edited."
            )
        check_version(locked, expected_version)
    eoi.full_clean(exclude=["hit"])
    eoi.save()
    if partners is not None:
        eoi.partners.all().delete()
        EOIPartner.objects.bulk_create(
            EOIPartner(
                eoi=eoi,
                organisation_id=p.organisation_id,
                organisation_name=p.organisation_name.strip(),
                category_id=p.category_id,
            )
            for p in partners
        )
    return eoi


def _require_role(transition: Transition, roles: set[str]) -> None:
    if not transition.roles & roles:
        raise PermissionDenied(f"You cannot '{transition.label.lower()}' here.")


@dataclass
class EOIMove(Move[ExpressionOfInterest]):
    """A move of an expression of interest; an invitation keeps the application draft it opened."""

    application: Application | None = None


@transaction.atomic
def eoi_transition(
    *, actor: object, eoi_id: int, action: str, comment: str = "", expected_status: str | None = None
) -> ExpressionOfInterest:
    """Submit, invite or decline an EOI (accreditation.workflow.EOI_WORKFLOW, performed by core.workflow).

    Side effects, in order: locks the EOI; checks the transition and the actor's role; the guard
    and effect of EOI_RULES (submit needs a problem, boundaries, a proposed director, two partners
    and the round's EOI deadline not yet passed; decline needs a note); sets the status; on invite
    creates the HIT (status proposed), makes the author its director, and creates the application
    draft prefilled from the EOI; records an EOIEvent; emails the author (on decision) or the
    round's chairs (on submit) after commit.
    """
    eoi = (
        ExpressionOfInterest.objects.select_for_update(of=("self",))
        .select_related("round", "author")
        .get(pk=eoi_id)
    )
    EOI_WORKFLOW.check_unchanged(eoi.status, expected_status, eoi.events.select_related("actor").first)
    transition = EOI_WORKFLOW.get(action, eoi.status)
    _require_role(transition, permissions.eoi_roles(actor, eoi))
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ValidationError({"comment": "Write a note to the applicant explaining the decision."})
    move = EOIMove(eoi, transition, actor=actor, comment=comment)
    perform(move, EOI_RULES[action], events=eoi.events)
    if action == "submit":
        chairs = PanelMember.objects.filter(panel__round=eoi.round, role=PanelRole.CHAIR).values_list(
            "user__email", flat=True
        )
        send_after_commit(template="accreditation/eoi_submitted", recipients=chairs, context={"eoi": eoi})
    else:
        send_after_commit(
            template="accreditation/eoi_decided",
            recipients=[eoi.author.email],
            context={"eoi": eoi, "application": move.application},
        )
    forget_roles(actor)
    return eoi


def _guard_eoi_submit(move: EOIMove) -> None:
    eoi = move.obj
    errors = {}
    for field in ("problem", "boundaries", "proposed_director"):
        if not getattr(eoi, field).strip():
            errors[field] = f"Fill in {ExpressionOfInterest._meta.get_field(field).verbose_name}."
    if eoi.partners.count() < MIN_STAKEHOLDER_ORGANISATIONS:
        errors["partners"] = "Name at least two partner organisations."
    if timezone.localdate() > eoi.round.eoi_deadline:
        errors["round"] = (
            f"The deadline for expressions of interest to {eoi.round} was "
            f"{eoi.round.eoi_deadline.day} {eoi.round.eoi_deadline:%B %Y}."
        )
    if errors:
        raise ValidationError(errors)


def _effect_eoi_submit(move: EOIMove) -> None:
    move.set(submitted_at=timezone.now())


def _effect_eoi_decide(move: EOIMove) -> None:
    move.set(decided_by=move.actor, decided_at=timezone.now(), decision_note=move.comment)


def _effect_eoi_invite(move: EOIMove) -> None:
    _effect_eoi_decide(move)
    hit, move.application = _hit_from_eoi(actor=move.actor, eoi=move.obj)
    move.set(hit=hit)


# What each move of EOI_WORKFLOW checks and does beyond its table row.
EOI_RULES: dict[str, Rule[EOIMove]] = {
    "submit": Rule(guard=_guard_eoi_submit, effect=_effect_eoi_submit),
    "invite": Rule(effect=_effect_eoi_invite),
    "decline": Rule(effect=_effect_eoi_decide),
}


def _unique_hit_name(title: str) -> tuple[str, str]:
    name, n = title.strip(), 1
    while HIT.objects.filter(name=name).exists():
        n += 1
        name = f"{title.strip()} ({n})"
    base = slugify(name)[:70] or "hit"
    slug, n = base, 1
    while HIT.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return name, slug


def _person_for(user) -> Person:
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.filter(email__iexact=user.email, user__isnull=True).first()
        if person is None:
            person = Person.objects.create(
                full_name=user.full_name or user.email, email=user.email, user=user
            )
        else:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
    return person


def _hit_from_eoi(*, actor: object, eoi: ExpressionOfInterest) -> tuple[HIT, Application]:
    name, slug = _unique_hit_name(eoi.working_title)
    hit = HIT.objects.create(
        name=name, slug=slug, focus=eoi.working_title[:200], problem=eoi.problem, status=HITStatus.PROPOSED
    )
    author = _person_for(eoi.author)
    Membership.objects.create(hit=hit, person=author, role=MembershipRole.DIRECTOR)
    application = Application.objects.create(hit=hit, round=eoi.round, director=author)
    ApplicationSection.objects.create(
        application=application,
        key="aims",
        data={"aims": "", "problem": eoi.problem, "boundaries": eoi.boundaries},
        updated_by=recorded_actor(actor),
    )
    StakeholderPlanRow.objects.bulk_create(
        StakeholderPlanRow(
            application=application,
            organisation_id=partner.organisation_id,
            stakeholder=partner.organisation_name,
            category_id=partner.category_id,
            role="To be agreed",
            outcome="To be agreed",
        )
        for partner in eoi.partners.all()
    )
    forget_roles(eoi.author)
    return hit, application


# --- Application sections ----------------------------------------------------------------------------


def _lock_editable(actor: object, application_id: int) -> Application:
    application = Application.objects.select_for_update().get(pk=application_id)
    verdict = permissions.can_edit_application(actor, application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    return application


def section_data(application: Application, key: str, stored: dict | None = None) -> dict:
    """A section's answers as form data, with governance's model-backed answers merged in."""
    data = dict(stored or {})
    if key == "governance":
        for field in GOVERNANCE_MODEL_FIELDS:
            value = (
                getattr(application, f"{field}_id", None) if field != "host_unit" else application.host_unit
            )
            data[field] = value if value is not None else ""
    return data


@transaction.atomic
def section_save(
    *, actor: object, application_id: int, key: str, data: dict, expected_version: str | None = None
) -> ApplicationSection:
    """Save one section's answers (already validated by the section's draft form).

    Side effects: the ApplicationSection row (data, completeness mark); for governance, the
    application's director, sponsor and host fields. A change of sponsor voids the confirmation.
    Refused with StaleEdit (nothing saved) when the section is no longer at `expected_version`,
    the version the editor's form started from ("" for a section never saved; core.concurrency).
    The application's lock serialises every save of its sections.
    """
    application = _lock_editable(actor, application_id)
    section = get_section(key)
    if section.form_class is None:
        raise ValueError("The stakeholder table is saved row by row.")
    stored = ApplicationSection.objects.filter(application=application, key=key).first()
    current = stored or ApplicationSection(application=application, key=key, data={})
    current.application = application  # as locked now: the governance answers stored on it
    check_version(current, expected_version)
    stored = dict(data)
    if key == "governance":
        fields = []
        previous_sponsor = application.executive_sponsor_id
        for field in GOVERNANCE_MODEL_FIELDS:
            value = stored.pop(field, None)
            if field == "host_unit":
                application.host_unit = value or ""
            else:
                setattr(application, f"{field}_id", value or None)
            fields.append(field)
        if application.executive_sponsor_id != previous_sponsor:
            # A new sponsor confirms afresh, even one who confirmed before being replaced.
            application.sponsor_confirmed_at = None
            application.sponsor_confirmed_for = None
            fields += ["sponsor_confirmed_at", "sponsor_confirmed_for"]
        application.save(update_fields=[*fields, "updated_at"])
    row, _ = ApplicationSection.objects.get_or_create(application=application, key=key)
    row.data = stored
    row.is_complete = section_is_complete(key, section_data(application, key, stored))
    row.updated_by = recorded_actor(actor)
    row.save(update_fields=["data", "is_complete", "updated_by", "updated_at"])
    return row


@transaction.atomic
def stakeholder_row_save(
    *, actor: object, application_id: int, row: StakeholderPlanRow, expected_version: str | None = None
) -> StakeholderPlanRow:
    """Add or change one row of the stakeholder table. Side effect: the row.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version` (core.concurrency).
    """
    application = _lock_editable(actor, application_id)
    if row.pk is not None and row.application_id != application.pk:
        raise PermissionDenied("That row belongs to another application.")
    if row.pk is not None:
        check_version(StakeholderPlanRow.objects.select_for_update().get(pk=row.pk), expected_version)
    row.application = application
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def stakeholder_row_delete(*, actor: object, application_id: int, row_id: int) -> None:
    application = _lock_editable(actor, application_id)
    deleted, _ = StakeholderPlanRow.objects.filter(application=application, pk=row_id).delete()
    if not deleted:
        raise PermissionDenied("That row belongs to another application.")


def stakeholder_summary(application: Application) -> tuple[int, int]:
    """(distinct organisations, distinct stakeholder categories) in the stakeholder table."""
    totals = application.stakeholder_rows.aggregate(
        organisations=Count("organisation", distinct=True), categories=Count("category", distinct=True)
    )
    return totals["organisations"], totals["categories"]


def submission_problems(application: Application) -> list[tuple[str, str]]:
    """Every reason the application cannot be submitted yet, as (section key, message)."""
    problems: list[tuple[str, str]] = []
    stored = {s.key: s for s in application.sections.all()}
    for section in SECTIONS:
        if section.form_class is None:
            continue
        row = stored.get(section.key)
        if row is None or not section_is_complete(
            section.key, section_data(application, section.key, row.data)
        ):
            problems.append((section.key, f"Complete the section '{section.title}'."))
    organisations, _ = stakeholder_summary(application)
    if organisations < MIN_STAKEHOLDER_ORGANISATIONS:
        problems.append(
            ("stakeholders", "Name at least two organisations in the table of who needs to be involved.")
        )
    if application.director_id is None:
        problems.append(("governance", "Name the HIT's director."))
    if application.executive_sponsor_id is None:
        problems.append(("governance", "Name the executive sponsor."))
    elif not application.sponsor_confirmed:
        problems.append(("governance", "The executive sponsor has not confirmed their sponsorship yet."))
    return problems


# --- Executive sponsor confirmation ------------------------------------------------------------------


def sponsor_token(application: Application) -> str:
    return signing.dumps(
        {"a": application.pk, "s": application.executive_sponsor_id}, salt=SPONSOR_SIGNING_SALT, compress=True
    )


def sponsor_token_read(token: str) -> tuple[int, int]:
    """(application id, sponsor person id) from a confirmation link; BadSignature if forged/expired."""
    payload = signing.loads(token, salt=SPONSOR_SIGNING_SALT, max_age=SPONSOR_LINK_MAX_AGE)
    return int(payload["a"]), int(payload["s"])


@transaction.atomic
def sponsor_request(*, actor: object, application_id: int) -> None:
    """Email the named executive sponsor a link to confirm. Side effect: one email after commit."""
    application = _lock_editable(actor, application_id)
    sponsor = application.executive_sponsor
    if sponsor is None:
        raise ValidationError(
            {"executive_sponsor": "Name the executive sponsor in the governance section first."}
        )
    if not sponsor.email:
        raise ValidationError({"executive_sponsor": f"{sponsor} has no email address in the directory."})
    link = absolute_url(reverse("accreditation:sponsor-confirm", args=[sponsor_token(application)]))
    send_after_commit(
        template="accreditation/sponsor_request",
        recipients=[sponsor.email],
        context={"application": application, "sponsor": sponsor, "link": link, "requested_by": actor},
    )


@transaction.atomic
def sponsor_confirm(*, token: str) -> Application:
    """Record the sponsor's confirmation. Refuses a link for a sponsor who has since been replaced.

    Side effects: sponsor_confirmed_at / sponsor_confirmed_for on the application; an event row;
    an email to the director after commit.
    """
    application_id, sponsor_id = sponsor_token_read(token)
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("director").get(pk=application_id)
    )
    if application.executive_sponsor_id != sponsor_id:
        raise InvalidTransition("This link is for a sponsor who is no longer named on the application.")
    if application.sponsor_confirmed:
        raise InvalidTransition("Your sponsorship was already confirmed. Thank you.")
    if application.status in workflow.FINAL_APPLICATION_STATES:
        raise InvalidTransition(
            f"This application is {application.get_status_display().lower()}; it needs no confirmation now."
        )
    application.sponsor_confirmed_at = timezone.now()
    application.sponsor_confirmed_for_id = sponsor_id
    application.save(update_fields=["sponsor_confirmed_at", "sponsor_confirmed_for", "updated_at"])
    sponsor = application.executive_sponsor
    record_event(
        application.events,
        actor=sponsor.user,
        action="confirm_sponsorship",
        to_status=application.status,
        comment=f"Confirmed by {sponsor}",
    )
    if application.director is not None:
        send_after_commit(
            template="accreditation/sponsor_confirmed",
            recipients=[application.director.email],
            context={"application": application},
        )
    return application


# --- The application workflow ------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionInput:
    text: str
    owner_id: int
    due_on: datetime.date


def counting_reviews(application: Application) -> list[Review]:
    """Submitted reviews of the current revision by reviewers with no unresolved conflict."""
    assignments = application.assignments.select_related("review")
    return [
        a.review
        for a in assignments
        if not a.conflict_unresolved
        and hasattr(a, "review")
        and a.review.status == ReviewStatus.SUBMITTED
        and a.review.revision_number == application.version
    ]


@dataclass
class ApplicationMove(Move[Application]):
    """A move of an application, with the conditions an accreditation with conditions sets."""

    conditions: Sequence[ConditionInput] = ()


@transaction.atomic
def application_transition(
    *,
    actor: object,
    application_id: int,
    action: str,
    comment: str = "",
    expected_status: str | None = None,
    conditions: Sequence[ConditionInput] = (),
) -> Application:
    """Perform one move of the application workflow (accreditation.workflow.APPLICATION_WORKFLOW,
    performed by core.workflow).

    Side effects, in order: locks the application row; checks the move and the actor's role;
    runs the guard of APPLICATION_RULES (submit: every section complete, director and confirmed
    sponsor, two organisations; issue_feedback: a drafted feedback document; decisions: a
    rationale, the round's number of submitted reviews and no unresolved conflict); sets the
    status; runs the effect (submit: freezes revision N and moves a proposed HIT into
    application; issue_feedback: releases the feedback; revise: opens revision N+1; accredit*:
    Decision, Conditions, Accreditation, HIT to set-up; defer / not_accredit: Decision (and HIT
    withdrawn for a new application not accredited); withdraw: HIT withdrawn for a new
    application); appends an ApplicationEvent; emails the team or the panel after commit.

    Raises StaleState, InvalidTransition, PermissionDenied or ValidationError and changes nothing.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("hit", "round")
        .get(pk=application_id)
    )
    last_move = application.events.select_related("actor").exclude(action="confirm_sponsorship").first
    APPLICATION_WORKFLOW.check_unchanged(application.status, expected_status, last_move)
    try:
        transition = APPLICATION_WORKFLOW.get(action, application.status)
    except InvalidTransition as exc:
        last = last_move()
        if last is None or last.to_status != application.status:
            raise
        raise InvalidTransition(
            f"{exc} It was already {application.get_status_display().lower()}{moved_by(last)}; "
            "nothing was changed."
        ) from None
    _require_role(transition, permissions.application_roles(actor, application))
    comment = comment.strip()
    if transition.needs_comment and not comment:
        noun = "rationale" if action in workflow.DECISION_ACTIONS else "reason"
        raise ValidationError({"comment": f"Write a {noun}."})

    move = ApplicationMove(application, transition, actor=actor, comment=comment, conditions=conditions)
    move.set(status_changed_at=timezone.now())
    perform(move, APPLICATION_RULES[action], events=application.events)
    _notify(application=application, action=action, comment=comment)
    return application


def _guard_submit(move: ApplicationMove) -> None:
    problems = submission_problems(move.obj)
    if problems:
        raise ValidationError({"__all__": [message for _key, message in problems]})


def _guard_issue_feedback(move: ApplicationMove) -> None:
    application = move.obj
    document = application.feedback_documents.filter(revision_number=application.version).first()
    if document is None or not document.points.exists():
        raise ValidationError(
            {"__all__": ["Write at least one feedback point before releasing the feedback."]}
        )


def decision_problems(application: Application) -> list[str]:
    """What stops a panel decision now (the guard of every decision; the decision page shows it)."""
    needed = application.round.reviewers_per_application
    # A recusal resolves the conflict (the reviewer's review simply stops counting); only a
    # conflict the chair has not looked at yet blocks the decision.
    unresolved = [
        a for a in application.assignments.all() if a.has_conflict and a.resolution == ConflictResolution.OPEN
    ]
    errors = []
    if unresolved:
        errors.append(f"{len(unresolved)} conflict(s) of interest are still waiting for the chair.")
    got = len(counting_reviews(application))
    if got < needed:
        errors.append(f"The round needs {needed} submitted reviews of this revision; there are {got}.")
    return errors


def _guard_decision(move: ApplicationMove) -> None:
    problems = decision_problems(move.obj)
    if problems:
        raise ValidationError({"__all__": problems})


def _guard_accredit_with_conditions(move: ApplicationMove) -> None:
    _guard_decision(move)
    conditions = move.conditions
    if not conditions:
        raise ValidationError({"conditions": ["Add at least one condition, with an owner and a due date."]})
    today = timezone.localdate()
    if any(c.due_on < today for c in conditions):
        raise ValidationError({"conditions": ["A condition's due date cannot be in the past."]})


def _effect_submit(move: ApplicationMove) -> None:
    actor, application = move.actor, move.obj
    previous = application.feedback_documents.filter(status=FeedbackStatus.RELEASED).order_by(
        "-revision_number"
    )
    responses = (
        [
            {"section": p.section, "point": p.text, "response": p.response}
            for p in FeedbackPoint.objects.filter(document=previous.first()).order_by("pk")
        ]
        if previous.exists()
        else []
    )
    rows = list(
        application.stakeholder_rows.select_related("organisation__org_type", "category").order_by("pk")
    )
    organisations, categories = stakeholder_summary(application)
    governance = {
        "director": str(application.director or ""),
        "executive_sponsor": str(application.executive_sponsor or ""),
        "host_organisation": str(application.host_organisation or ""),
        "host_unit": application.host_unit,
    }
    Revision.objects.create(
        application=application,
        number=application.version,
        sections={s.key: s.data for s in application.sections.all()},
        stakeholders=[
            {
                "organisation": r.organisation.name if r.organisation else "",
                "organisation_id": r.organisation_id,
                "stakeholder": r.stakeholder,
                "category": r.category.code,
                "role": r.role,
                "outcome": r.outcome,
                "depth": r.depth,
            }
            for r in rows
        ],
        governance=governance,
        organisation_count=organisations,
        category_count=categories,
        feedback_responses=responses,
        submitted_by=recorded_actor(actor),
    )
    move.set(submitted_at=timezone.now())
    # The coverage this revision plans, so growth across versions shows on the coverage chart.
    engagement_services.coverage_snapshot_for_revision(
        hit_id=application.hit_id,
        label=f"application v{application.version}",
        rows=[
            {
                "category": r.category.code,
                "depth": r.depth,
                "sector": r.organisation.org_type.sector if r.organisation else "",
                "mental_health": bool(r.organisation and r.organisation.org_type.is_mental_health),
            }
            for r in rows
        ],
    )
    if application.hit.status == HITStatus.PROPOSED:
        team_services.hit_transition(
            actor=actor,
            hit_id=application.hit_id,
            action="start_application",
            reason=f"Application submitted to {application.round}",
            check_permission=False,
        )


def _effect_issue_feedback(move: ApplicationMove) -> None:
    application = move.obj
    # updated_at too: it is the document's version for the chair's edit form (core.concurrency).
    now = timezone.now()
    FeedbackDocument.objects.filter(application=application, revision_number=application.version).update(
        status=FeedbackStatus.RELEASED, released_at=now, author=move.actor, updated_at=now
    )


def _effect_revise(move: ApplicationMove) -> None:
    move.set(version=move.obj.version + 1)


_OUTCOMES = {
    "accredit": DecisionOutcome.ACCREDITED,
    "accredit_with_conditions": DecisionOutcome.ACCREDITED_WITH_CONDITIONS,
    "defer": DecisionOutcome.DEFERRED,
    "not_accredit": DecisionOutcome.NOT_ACCREDITED,
}


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _effect_decide(move: ApplicationMove) -> None:
    actor, application, comment = move.actor, move.obj, move.comment
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                application=application,
                revision_number=application.version,
                outcome=_OUTCOMES[move.action],
                rationale=comment,
                decided_by=actor,
            )
    except IntegrityError:
        # The row lock makes this unreachable on PostgreSQL; the unique constraint is the backstop.
        raise StaleState("This application was already decided; nothing was changed.") from None
    for c in move.conditions:
        Condition.objects.create(decision=decision, text=c.text, owner_id=c.owner_id, due_on=c.due_on)
    if decision.outcome in (DecisionOutcome.ACCREDITED, DecisionOutcome.ACCREDITED_WITH_CONDITIONS):
        today = timezone.localdate()
        valid_from = today
        if application.renewal_of is not None and application.renewal_of.valid_until >= today:
            valid_from = application.renewal_of.valid_until + datetime.timedelta(days=1)
        Accreditation.objects.create(
            hit=application.hit,
            application=application,
            decision=decision,
            valid_from=valid_from,
            valid_until=_add_years(valid_from, application.round.accreditation_term_years)
            - datetime.timedelta(days=1),
        )
        # The accredited "who, how, for what outcome" table feeds the HIT's stakeholder map.
        engagement_services.stakeholders_sync_application_rows(
            hit_id=application.hit_id,
            rows=[
                {
                    "key": row.pk,
                    "organisation_id": row.organisation_id,
                    "category_id": row.category_id,
                    "role": f"{row.role} (for: {row.outcome})",
                    "depth": row.depth,
                }
                for row in application.stakeholder_rows.all()
            ],
            label=f"the accredited application v{application.version}",
        )
        if application.hit.status == HITStatus.IN_APPLICATION:
            team_services.hit_transition(
                actor=actor,
                hit_id=application.hit_id,
                action="accredit",
                reason=f"Accredited: {comment}",
                check_permission=False,
            )
    elif decision.outcome == DecisionOutcome.NOT_ACCREDITED:
        _withdraw_new_hit(actor=actor, application=application, reason=f"Not accredited: {comment}")


def _withdraw_new_hit(*, actor, application: Application, reason: str) -> None:
    if application.kind == ApplicationKind.NEW and application.hit.status in (
        HITStatus.PROPOSED,
        HITStatus.IN_APPLICATION,
    ):
        team_services.hit_transition(
            actor=actor, hit_id=application.hit_id, action="withdraw", reason=reason, check_permission=False
        )


def _effect_withdraw(move: ApplicationMove) -> None:
    _withdraw_new_hit(actor=move.actor, application=move.obj, reason=f"Application withdrawn: {move.comment}")


# What each move of APPLICATION_WORKFLOW checks and does beyond its table row.
APPLICATION_RULES: dict[str, Rule[ApplicationMove]] = {
    "submit": Rule(guard=_guard_submit, effect=_effect_submit),
    "start_review": Rule(),
    "issue_feedback": Rule(guard=_guard_issue_feedback, effect=_effect_issue_feedback),
    "revise": Rule(effect=_effect_revise),
    "accredit": Rule(guard=_guard_decision, effect=_effect_decide),
    "accredit_with_conditions": Rule(guard=_guard_accredit_with_conditions, effect=_effect_decide),
    "defer": Rule(guard=_guard_decision, effect=_effect_decide),
    "not_accredit": Rule(guard=_guard_decision, effect=_effect_decide),
    "withdraw": Rule(effect=_effect_withdraw),
}


def _team_emails(application: Application) -> list[str]:
    from teams.selectors import current_memberships

    return list(
        current_memberships()
        .filter(hit=application.hit_id)
        .exclude(person__email="")
        .values_list("person__email", flat=True)
    )


def _notify(*, application: Application, action: str, comment: str) -> None:
    if action == "submit":
        chairs = PanelMember.objects.filter(panel__round=application.round_id, role=PanelRole.CHAIR)
        recipients = [*chairs.values_list("user__email", flat=True), *_team_emails(application)]
    elif action in ("start_review", "revise"):
        return
    else:
        recipients = _team_emails(application)
    send_after_commit(
        template=f"accreditation/application_{'decided' if action in workflow.DECISION_ACTIONS else action}",
        recipients=recipients,
        context={"application": application, "action": action, "comment": comment},
    )


# --- Reviewers and conflicts of interest -------------------------------------------------------------


def named_organisation_ids(application: Application) -> set[int]:
    """Organisations the application names: stakeholder rows, host, and its EOI's partners."""
    ids = set(
        application.stakeholder_rows.exclude(organisation__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    if application.host_organisation_id:
        ids.add(application.host_organisation_id)
    ids |= set(
        EOIPartner.objects.filter(eoi__hit=application.hit_id, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    return ids


def conflicting_organisations(*, user, organisation_ids: set[int]) -> list[str]:
    """Names of the named organisations the user is affiliated with (current or undated posts)."""
    today = timezone.localdate()
    return sorted(
        Organisation.objects.filter(
            pk__in=organisation_ids,
            affiliations__person__user=user,
        )
        .filter(Q(affiliations__end_date__isnull=True) | Q(affiliations__end_date__gte=today))
        .values_list("name", flat=True)
        .distinct()
    )


@transaction.atomic
def assignment_create(
    *, actor: object, application_id: int, reviewer, due_on: datetime.date | None = None
) -> ReviewAssignment:
    """Assign a panel member of the round to review the application.

    Side effects: the ReviewAssignment, flagged automatically when the reviewer is affiliated with
    an organisation the application names; an email to the reviewer after commit.
    """
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("round").get(pk=application_id)
    )
    verdict = permissions.can_assign_reviewers(actor, application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    member = PanelMember.objects.filter(panel__round=application.round_id, user=reviewer).first()
    if member is None or member.role == PanelRole.CHAIR:
        raise ValidationError({"reviewer": "Choose a reviewer or lay reviewer of this round's panel."})
    if application.assignments.filter(reviewer=reviewer).exists():
        raise ValidationError({"reviewer": f"{reviewer} is already assigned to this application."})
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past."})
    flagged = conflicting_organisations(user=reviewer, organisation_ids=named_organisation_ids(application))
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        is_lay=member.role == PanelRole.LAY_REVIEWER,
        due_on=due_on,
        assigned_by=recorded_actor(actor),
        flagged_organisations="\n".join(flagged),
    )
    send_after_commit(
        template="accreditation/review_assigned",
        recipients=[reviewer.email],
        context={"assignment": assignment, "application": application},
    )
    return assignment


@dataclass(frozen=True)
class Suggestion:
    user: object
    role: str
    open_assignments: int
    conflicts: list[str]


def reviewer_suggestions(*, application: Application) -> list[Suggestion]:
    """Panel members not yet assigned, without conflicts, least loaded first (lay reviewers apart).

    Four queries, whatever the panel size.
    """
    members = list(
        PanelMember.objects.filter(panel__round=application.round_id)
        .exclude(role=PanelRole.CHAIR)
        .exclude(user__in=application.assignments.values("reviewer"))
        .select_related("user")
        .annotate(
            load=Count(
                "user__assignments",
                filter=~Q(
                    user__assignments__application__status__in=[
                        s.value for s in workflow.FINAL_APPLICATION_STATES
                    ]
                ),
                distinct=True,
            )
        )
        .order_by("user__full_name")
    )
    named = named_organisation_ids(application)
    today = timezone.localdate()
    conflicts: dict[int, list[str]] = {}
    for user_id, name in (
        Organisation.objects.filter(pk__in=named, affiliations__person__user__in=[m.user_id for m in members])
        .filter(Q(affiliations__end_date__isnull=True) | Q(affiliations__end_date__gte=today))
        .values_list("affiliations__person__user", "name")
        .distinct()
    ):
        conflicts.setdefault(user_id, []).append(name)
    suggestions = [Suggestion(m.user, m.role, m.load, sorted(conflicts.get(m.user_id, []))) for m in members]
    return sorted(
        suggestions, key=lambda s: (bool(s.conflicts), s.role == PanelRole.LAY_REVIEWER, s.open_assignments)
    )


@transaction.atomic
def suggestion_accept(*, actor: object, application_id: int, due_on: datetime.date | None = None) -> list:
    """Assign conflict-free panel members, least loaded first, up to the round's number (plus
    one lay reviewer when the panel has one and none is assigned). Side effects as assignment_create."""
    application = Application.objects.select_related("round").get(pk=application_id)
    assigned = list(application.assignments.all())
    needed = application.round.reviewers_per_application - sum(1 for a in assigned if not a.is_lay)
    has_lay = any(a.is_lay for a in assigned)
    created = []
    for suggestion in reviewer_suggestions(application=application):
        if suggestion.conflicts:
            continue
        if suggestion.role == PanelRole.LAY_REVIEWER:
            if has_lay:
                continue
            has_lay = True
        elif needed <= 0:
            continue
        else:
            needed -= 1
        created.append(
            assignment_create(
                actor=actor, application_id=application.pk, reviewer=suggestion.user, due_on=due_on
            )
        )
    return created


@transaction.atomic
def conflict_declare(
    *, actor: object, assignment_id: int, declaration: str, note: str = ""
) -> ReviewAssignment:
    """The reviewer declares none or a conflict (with a note). Side effect: the assignment; an
    email to the chairs when a conflict is declared."""
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=assignment_id)
    )
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the assigned reviewer declares their interests.")
    if declaration not in (ConflictDeclaration.NONE, ConflictDeclaration.DECLARED):
        raise ValidationError({"declaration": "Choose whether you have a conflict of interest."})
    note = note.strip()
    if declaration == ConflictDeclaration.DECLARED and not note:
        raise ValidationError({"declaration_note": "Describe the conflict so the chair can decide."})
    if assignment.resolution == ConflictResolution.RECUSED:
        raise InvalidTransition("You were recused from this application by the chair.")
    assignment.declaration = declaration
    assignment.declaration_note = note
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["declaration", "declaration_note", "declared_at", "updated_at"])
    if declaration == ConflictDeclaration.DECLARED:
        chairs = PanelMember.objects.filter(
            panel__round=assignment.application.round_id, role=PanelRole.CHAIR
        )
        send_after_commit(
            template="accreditation/conflict_declared",
            recipients=chairs.values_list("user__email", flat=True),
            context={"assignment": assignment},
        )
    return assignment


@transaction.atomic
def conflict_resolve(
    *, actor: object, assignment_id: int, resolution: str, note: str = ""
) -> ReviewAssignment:
    """The chair dismisses, waives (with a note) or recuses. Side effect: the assignment."""
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=assignment_id)
    )
    verdict = permissions.can_manage_review(actor, assignment.application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    if resolution not in (
        ConflictResolution.DISMISSED,
        ConflictResolution.WAIVED,
        ConflictResolution.RECUSED,
    ):
        raise ValidationError({"resolution": "Choose dismiss, waive or recuse."})
    note = note.strip()
    if resolution == ConflictResolution.WAIVED and not note:
        raise ValidationError({"resolution_note": "Say why the conflict is waived."})
    if resolution != ConflictResolution.RECUSED and not assignment.has_conflict:
        raise ValidationError({"resolution": "There is no conflict to dismiss or waive."})
    assignment.resolution = resolution
    assignment.resolution_note = note
    assignment.resolved_by = recorded_actor(actor)
    assignment.resolved_at = timezone.now()
    assignment.save(
        update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at", "updated_at"]
    )
    return assignment


# --- Reviews -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    criterion: str
    score: int | None
    comment: str = ""


@transaction.atomic
def review_save(
    *,
    actor: object,
    assignment_id: int,
    scores: Sequence[ScoreInput],
    recommendation: str,
    summary: str,
    submit: bool,
    expected_version: str | None = None,
) -> Review:
    """Save (and optionally submit) a review of the current revision.

    Side effects: the Review and its ReviewScores. Submitting needs every criterion scored and a
    recommendation; a submitted review can no longer change. Refused with StaleEdit (nothing
    saved) when the review is no longer at `expected_version`, the version the reviewer's form
    started from ("" before the first save), as when it was saved from another tab meanwhile.
    """
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=assignment_id)
    )
    verdict = permissions.can_review(actor, assignment)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    application = assignment.application
    if application.status != ApplicationStatus.UNDER_REVIEW:
        raise InvalidTransition(
            f"This application is {application.get_status_display().lower()}; reviews are closed."
        )
    # The assignment's lock serialises every save of its review.
    stored = Review.objects.filter(assignment=assignment).first()
    check_version(stored or Review(assignment=assignment), expected_version)
    review, _ = Review.objects.get_or_create(
        assignment=assignment, defaults={"revision_number": application.version}
    )
    if review.status == ReviewStatus.SUBMITTED and review.revision_number == application.version:
        raise InvalidTransition("You already submitted this review; it can no longer change.")
    if review.revision_number != application.version:
        review.revision_number = application.version
        review.status = ReviewStatus.DRAFT
        review.scores.all().delete()
    allowed = {c.code for c in criteria_for(is_lay=assignment.is_lay)}
    given = {s.criterion: s for s in scores}
    errors: dict[str, str] = {}
    if set(given) - allowed:
        errors["__all__"] = "Some scores are for criteria that are not part of this review."
    for s in scores:
        if s.score is not None and not 0 <= s.score <= 3:
            errors[s.criterion] = "Scores run from 0 to 3."
    if recommendation and recommendation not in Recommendation.values:
        errors["recommendation"] = "Choose a recommendation from the list."
    if submit:
        missing = sorted(code for code in allowed if given.get(code) is None or given[code].score is None)
        if missing:
            errors["__all__"] = f"Score every criterion before submitting (missing: {', '.join(missing)})."
        if not recommendation:
            errors["recommendation"] = "Choose a recommendation before submitting."
    if errors:
        raise ValidationError(errors)
    for s in scores:
        ReviewScore.objects.update_or_create(
            review=review, criterion=s.criterion, defaults={"score": s.score, "comment": s.comment.strip()}
        )
    review.recommendation = recommendation
    review.summary = summary.strip()
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
    review.save()
    return review


# --- Feedback ----------------------------------------------------------------------------------------


@transaction.atomic
def feedback_save(
    *,
    actor: object,
    application_id: int,
    summary: str,
    points: Sequence[tuple[str, str, str]],
    expected_version: str | None = None,
) -> FeedbackDocument:
    """The chair drafts the consolidated feedback on the current revision: a summary and points
    (section key, text, quoted reviewer comment). Side effect: the document and its points,
    replaced while the document is a draft. Refused with StaleEdit (nothing saved) when the
    document is no longer at `expected_version` ("" before the first save; core.concurrency)."""
    application = Application.objects.select_for_update().get(pk=application_id)
    verdict = permissions.can_manage_review(actor, application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    if application.status != ApplicationStatus.UNDER_REVIEW:
        raise InvalidTransition("Feedback is written while the application is under review.")
    # The application's lock serialises every save of its feedback.
    stored = FeedbackDocument.objects.filter(
        application=application, revision_number=application.version
    ).first()
    check_version(stored or FeedbackDocument(application=application), expected_version)
    document, _ = FeedbackDocument.objects.get_or_create(
        application=application,
        revision_number=application.version,
        defaults={"author": recorded_actor(actor)},
    )
    if document.status == FeedbackStatus.RELEASED:
        raise InvalidTransition("This feedback was already released.")
    valid_sections = {s.key for s in SECTIONS} | {"general"}
    if any(section not in valid_sections for section, _text, _quote in points):
        raise ValidationError({"section": "Choose a section of the application."})
    document.summary = summary.strip()
    document.author = recorded_actor(actor)
    document.save()
    document.points.all().delete()
    FeedbackPoint.objects.bulk_create(
        FeedbackPoint(document=document, section=section, text=text.strip(), quoted_comment=quote.strip())
        for section, text, quote in points
        if text.strip()
    )
    return document


@transaction.atomic
def feedback_respond(
    *, actor: object, application_id: int, responses: dict[int, str], expected_version: str | None = None
) -> int:
    """The applicant answers feedback points while revising. Side effect: the points' responses.
    Returns how many were saved; points of other applications are refused.

    The answers are one form: its version is that of the point answered last
    (core.concurrency.latest_changed). Refused with StaleEdit, carrying that point, when a
    teammate saved answers since the form was opened at `expected_version`.
    """
    application = _lock_editable(actor, application_id)
    document = (
        application.feedback_documents.filter(status=FeedbackStatus.RELEASED)
        .order_by("-revision_number")
        .first()
    )
    if document is None:
        raise InvalidTransition("There is no released feedback to answer.")
    points = {p.pk: p for p in document.points.all()}
    if set(responses) - set(points):
        raise PermissionDenied("Some answers are for feedback on another application.")
    latest = latest_changed(points.values())
    if latest is not None:
        check_version(latest, expected_version)
    now = timezone.now()
    for point_id, text in responses.items():
        point = points[point_id]
        point.response = text.strip()
        point.responded_at = now if point.response else None
        point.save(update_fields=["response", "responded_at", "updated_at"])
    return len(responses)


# --- Conditions and renewal --------------------------------------------------------------------------


@transaction.atomic
def condition_close(*, actor: object, condition_id: int, evidence: str) -> Condition:
    """Close a condition with evidence (its owner or a programme manager). Side effect: the row."""
    from teams.enums import Role
    from teams.roles import roles_of

    condition = Condition.objects.select_for_update(of=("self",)).select_related("owner").get(pk=condition_id)
    is_owner = condition.owner.user_id is not None and condition.owner.user_id == getattr(actor, "pk", None)
    if not (is_owner or roles_of(actor).has(Role.PROGRAMME_MANAGER)):
        raise PermissionDenied("Only the condition's owner or a programme manager closes it.")
    if condition.closed_at is not None:
        raise InvalidTransition("This condition was already closed.")
    if not evidence.strip():
        raise ValidationError({"evidence": "Describe the evidence that the condition is met."})
    condition.evidence = evidence.strip()
    condition.closed_at = timezone.now()
    condition.closed_by = recorded_actor(actor)
    condition.save(update_fields=["evidence", "closed_at", "closed_by", "updated_at"])
    return condition


@transaction.atomic
def renewal_start(*, actor: object, accreditation_id: int, round_id: int) -> Application:
    """Open a renewal application prefilled from the last accredited revision.

    Side effects: the Application (kind renewal, linked to the accreditation), its sections and
    stakeholder rows copied from the accredited revision.
    """
    accreditation = (
        Accreditation.objects.select_for_update(of=("self",))
        .select_related("application", "hit")
        .get(pk=accreditation_id)
    )
    from teams.enums import Role
    from teams.roles import roles_of

    roles = roles_of(actor)
    hit_roles = roles.hit_roles.get(accreditation.hit_id, frozenset())
    if not (
        hit_roles & {MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR} or roles.has(Role.PROGRAMME_MANAGER)
    ):
        raise PermissionDenied("Only the HIT's director or a programme manager starts a renewal.")
    if (
        Application.objects.filter(hit=accreditation.hit_id)
        .exclude(status__in=[s.value for s in workflow.FINAL_APPLICATION_STATES])
        .exists()
    ):
        raise InvalidTransition("This HIT already has an application in progress.")
    today = timezone.localdate()
    if not Round.objects.filter(pk=round_id, opens_on__lte=today, application_deadline__gte=today).exists():
        raise ValidationError({"round": "Choose a round that is open for applications."})
    source = accreditation.application
    revision = source.revisions.filter(number=accreditation.decision.revision_number).first()
    renewal = Application.objects.create(
        hit=accreditation.hit,
        round_id=round_id,
        kind=ApplicationKind.RENEWAL,
        renewal_of=accreditation,
        director=source.director,
        executive_sponsor=source.executive_sponsor,
        host_organisation=source.host_organisation,
        host_unit=source.host_unit,
    )
    sections = revision.sections if revision else {s.key: s.data for s in source.sections.all()}
    for key, data in sections.items():
        ApplicationSection.objects.create(
            application=renewal,
            key=key,
            data=data,
            is_complete=key != "stakeholders" and section_is_complete(key, section_data(renewal, key, data)),
            updated_by=recorded_actor(actor),
        )
    StakeholderPlanRow.objects.bulk_create(
        StakeholderPlanRow(
            application=renewal,
            organisation_id=row.organisation_id,
            stakeholder=row.stakeholder,
            category_id=row.category_id,
            role=row.role,
            outcome=row.outcome,
            depth=row.depth,
        )
        for row in source.stakeholder_rows.all()
    )
    record_event(
        renewal.events,
        actor=actor,
        action="start_renewal",
        from_status="",
        to_status=renewal.status,
        comment=f"Renewal of the accreditation valid until {accreditation.valid_until:%d %b %Y}",
    )
    return renewal


def renewal_reminders_send(*, today: datetime.date | None = None) -> BatchOutcome:
    """Remind directors and programme managers 6 months and 1 month before an accreditation
    expires, once each (the timestamps make it idempotent). Each accreditation is handled on its
    own: one that fails is logged with its id and skipped, and the others carry on (core.batch).
    Returns the number of reminders (`done`) and the ids of the accreditations skipped."""
    from teams.enums import ProgrammeRole
    from teams.models import RoleAssignment

    today = today or timezone.localdate()
    pm_emails = list(
        RoleAssignment.objects.filter(role=ProgrammeRole.PROGRAMME_MANAGER).values_list(
            "user__email", flat=True
        )
    )
    outcome = BatchOutcome()
    for field, months in (("reminded_6_months_at", 6), ("reminded_1_month_at", 1)):
        horizon = _add_months(today, months)
        due = Accreditation.objects.filter(
            **{f"{field}__isnull": True}, valid_until__gte=today, valid_until__lte=horizon
        ).select_related("hit")

        def remind(accreditation: Accreditation, field: str = field, months: int = months) -> int:
            return _renewal_reminder_send(
                accreditation, field=field, months=months, today=today, pm_emails=pm_emails
            )

        outcome = outcome.add(
            each_row(
                list(due),
                remind,
                row_id=lambda accreditation: accreditation.pk,
                what=f"The {months}-month renewal reminder of accreditation",
                logger=logger,
            )
        )
    return outcome


def _renewal_reminder_send(
    accreditation: Accreditation, *, field: str, months: int, today: datetime.date, pm_emails: list[str]
) -> int:
    """Claim and send one accreditation's reminder; 1 when it was sent."""
    # Superseded accreditations (a renewal already accredited) need no reminder.
    if Accreditation.objects.filter(
        hit=accreditation.hit_id, valid_from__gt=accreditation.valid_until
    ).exists():
        return 0
    claimed = Accreditation.objects.filter(pk=accreditation.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    if not claimed:
        return 0  # another worker sent it
    if months == 6 and accreditation.valid_until <= _add_months(today, 1):
        return 0  # inside the last month: the one-month reminder says it all
    directors = (
        Membership.objects.filter(
            hit=accreditation.hit_id,
            role__in=[MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR],
            end_date__isnull=True,
        )
        .exclude(person__email="")
        .values_list("person__email", flat=True)
    )
    send_after_commit(
        template="accreditation/renewal_reminder",
        recipients=[*directors, *pm_emails],
        context={"accreditation": accreditation, "months": months},
    )
    return 1


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
