"""The one transition service of the application workflow (accreditation.workflow): submit, review, feedback, revise, decide, withdraw; the guard and effect of each move sit next to it; and closing conditions."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accreditation import permissions, workflow
from accreditation.domain import governance
from accreditation.enums import (
    ApplicationKind,
    ConflictResolution,
    DecisionOutcome,
    FeedbackStatus,
    PanelRole,
    ReviewStatus,
)
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    Decision,
    FeedbackDocument,
    FeedbackPoint,
    PanelMember,
    Review,
    Revision,
)
from accreditation.services.calibration import calibration_recompute_request
from accreditation.services.conditions import conditions_set_notify
from accreditation.services.drafting import stakeholder_summary, submission_problems
from accreditation.services.reviews import assignments_recheck_on_submit
from accreditation.workflow import APPLICATION_WORKFLOW
from core.mail import send_after_commit
from core.permissions import require
from core.workflow import (
    InvalidTransition,
    Move,
    Rule,
    StaleState,
    moved_by,
    perform,
    recorded_actor,
)
from engagement.services.scores import coverage_snapshot_for_revision
from engagement.services.stakeholders import stakeholders_sync_application_rows
from teams.enums import HITStatus, LeadSide, MembershipRole
from teams.models import User
from teams.services import hits as team_services
from teams.services import profile as profile_services
from teams.services import proposals as proposal_services

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


# mypy checks the type argument against core.workflow's row protocol before it reads the model's
# fields through their descriptors, so it sees the CharField, not the str of `status` (mypy's
# subtypes.find_member: "TODO ... semanal_typeargs"; django-stubs issue 651).
@dataclass
class ApplicationMove(Move[Application]):  # type: ignore[type-var]
    """A move of an application, with the conditions an accreditation with conditions sets."""

    actor: User  # only a signed-in user moves an application (application_transition)
    conditions: Sequence[ConditionInput] = ()


@transaction.atomic
def application_transition(
    *,
    actor: User,
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
    status; runs the effect (submit: freezes revision N, re-checks the assigned reviewers'
    conflicts of interest and emails each of them (reviews.assignments_recheck_on_submit), stores
    the revision's planned coverage as a CoverageSnapshot linked from the revision, and moves a proposed HIT into application; issue_feedback: releases the feedback; revise: opens revision N+1; accredit*:
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
    require(permissions.can_make_move(transition, permissions.application_roles(actor, application)))
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
    revision = Revision.objects.create(
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
    # Conflicts are checked at every submission, not only at assignment; reviewers hear of it.
    assignments_recheck_on_submit(application=application)
    # The coverage this revision plans, so growth across versions shows on the coverage chart
    # and on the panel's revision pages.
    revision.coverage = coverage_snapshot_for_revision(
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
    # The panel reads each revision's coverage and its growth from this link, never recomputing it.
    revision.save(update_fields=["coverage"])
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
    # Only reviews of the current version count in the round board's calibration.
    calibration_recompute_request(round_id=move.obj.round_id)


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
    conditions_set_notify(
        Condition.objects.create(decision=decision, text=c.text, owner_id=c.owner_id, due_on=c.due_on)
        for c in move.conditions
    )
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
        stakeholders_sync_application_rows(
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
        _adopt_profile(actor=actor, application=application)
        _propose_memberships(application=application)
        if application.hit.status == HITStatus.IN_APPLICATION:
            # The HIT's move is itself labelled "Accredit"; its reason is the panel's rationale alone,
            # so the status history and the audit log do not read "Accredit ... Accredited: ...".
            team_services.hit_transition(
                actor=actor,
                hit_id=application.hit_id,
                action="accredit",
                reason=comment,
                check_permission=False,
            )
    elif decision.outcome == DecisionOutcome.NOT_ACCREDITED:
        _withdraw_new_hit(actor=actor, application=application, reason=f"Not accredited: {comment}")


def _adopt_profile(*, actor: User, application: Application) -> None:
    """The accredited revision's aims and problem, and the application's host, become the HIT's
    profile (teams.services.profile.hit_profile_adopt records the change as from the application)."""
    revision = application.revisions.filter(number=application.version).first()
    answers: dict[str, str] = (revision.sections if revision is not None else {}).get("aims") or {}
    problem = (answers.get("problem") or "").strip()
    boundaries = (answers.get("boundaries") or "").strip()
    if problem and boundaries:
        problem = f"{problem}\n\nBoundaries it crosses: {boundaries}"
    profile_services.hit_profile_adopt(
        actor=actor,
        hit_id=application.hit_id,
        values=profile_services.ProfileValues(
            aims=(answers.get("aims") or "").strip(),
            problem=problem,
            host_organisation=application.host_organisation,
            host_unit=application.host_unit.strip(),
        ),
        source_label=f"the accredited application ({application.round}, revision {application.version})",
    )


def _propose_memberships(*, application: Application) -> None:
    """The accredited application's director, sponsor, management group and working-group leads
    become the HIT's proposed memberships, for its director to confirm in one step
    (teams.services.proposals; docs/domain.md section 3.9)."""
    revision = application.revisions.filter(number=application.version).first()
    answers: dict[str, str] = (revision.sections if revision is not None else {}).get("governance") or {}
    drafts = [
        proposal_services.ProposalDraft(role=role, name=str(person), person_id=person.pk)
        for role, person in (
            (MembershipRole.DIRECTOR, application.director),
            (MembershipRole.EXECUTIVE_SPONSOR, application.executive_sponsor),
        )
        if person is not None
    ]
    drafts += [
        proposal_services.ProposalDraft(
            role=MembershipRole.MANAGEMENT_GROUP, name=member.name, organisation=member.organisation
        )
        for member in governance.management_group(str(answers.get("management_group") or ""))
    ]
    for group in governance.working_groups(str(answers.get("working_groups") or "")):
        for side, lead in ((LeadSide.ACADEMIC, group.academic), (LeadSide.SERVICE, group.service)):
            drafts.append(
                proposal_services.ProposalDraft(
                    role=MembershipRole.WORKING_GROUP_LEAD,
                    name=lead.name,
                    organisation=lead.organisation,
                    working_group=group.name,
                    lead_side=side,
                )
            )
    proposal_services.membership_proposals_record(
        hit_id=application.hit_id,
        source_key=application.pk,
        source_label=f"{application.round}, revision {application.version}",
        drafts=drafts,
    )


def _withdraw_new_hit(*, actor: User, application: Application, reason: str) -> None:
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
    from teams.selectors.hits import current_memberships

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
