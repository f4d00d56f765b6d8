"""The demo's rounds, panels and applications, told through the real accreditation services
(tables in demo/data_accreditation.py).

Each story calls accreditation.services step by step as the acting login (sections, stakeholder rows,
the sponsor's signed link, submit, reviewers, declarations, reviews, feedback, decision, conditions),
then moves each step's timestamps back to when it happened (the services stamp "now"). Where a
service's date rule forbids a date in the past (a condition's due date), the row is given its real
date with the ORM afterwards, with a comment at that spot. Each story runs once: it is skipped when
its HIT already has an application in its round.
"""

from __future__ import annotations

import datetime

from accreditation.domain.criteria import criteria_for
from accreditation.enums import ConflictDeclaration
from accreditation.models import (
    Accreditation,
    Application,
    ApplicationEvent,
    ApplicationSection,
    Condition,
    ConditionEvent,
    Decision,
    EOIEvent,
    ExpressionOfInterest,
    FeedbackDocument,
    FeedbackPoint,
    Panel,
    PanelMember,
    Review,
    ReviewAssignment,
    Revision,
    Round,
    StakeholderPlanRow,
)
from accreditation.services.applications import ConditionInput, application_transition
from accreditation.services.conditions import condition_accept, condition_close
from accreditation.services.drafting import (
    section_save,
    sponsor_confirm,
    sponsor_request,
    sponsor_token,
    stakeholder_row_save,
)
from accreditation.services.eois import PartnerInput, eoi_save, eoi_transition
from accreditation.services.reviews import (
    ScoreInput,
    assignment_create,
    conflict_declare,
    feedback_respond,
    feedback_save,
    review_save,
)
from demo.context import DemoContext
from demo.data_accreditation import (
    CANCER_APPLICATION,
    CANCER_FEEDBACK,
    CANCER_REVIEWS,
    CANCER_REVISION_2,
    CANCER_REVISION_2_NEW_ROW,
    CANCER_REVISION_2_PUBLIC_ROW,
    CURRENT_PANEL,
    CURRENT_ROUND,
    DEMENTIA_APPLICATION,
    DEMENTIA_CONDITIONS,
    DEMENTIA_DECISION,
    DEMENTIA_REVIEWS,
    EOIS,
    HEALTHY_WEIGHT_APPLICATION,
    HEALTHY_WEIGHT_DRAFT_REVIEW,
    PANEL,
    PAST_ROUND,
    AppSpec,
    ReviewSpec,
    Row,
)
from demo.data_hits import HITS_BY_SLUG
from engagement.enums import StakeholderSource
from engagement.models import CoverageSnapshot, Stakeholder
from teams.models import User


def load_rounds(ctx: DemoContext) -> None:
    guidance = (
        "Teams send a short expression of interest first; invited teams then submit a structured application, "
        "which may go round more than once with written feedback before the panel decides. An application "
        "needs a named director and executive sponsor and at least two organisations."
    )
    current, _ = Round.objects.get_or_create(
        name=CURRENT_ROUND,
        defaults={
            # Open for four months: the Cancer survivorship application has been round the loop once.
            "opens_on": ctx.today - datetime.timedelta(days=122),
            "eoi_deadline": ctx.today + datetime.timedelta(days=30),
            "application_deadline": ctx.today + datetime.timedelta(days=90),
            "guidance": guidance,
            "reviewers_per_application": 2,
            "accreditation_term_years": 3,
        },
    )
    three_years = datetime.timedelta(days=3 * 365)
    past, _ = Round.objects.get_or_create(
        name=PAST_ROUND,
        defaults={
            "opens_on": ctx.today - three_years - datetime.timedelta(days=30),
            "eoi_deadline": ctx.today - three_years + datetime.timedelta(days=30),
            "application_deadline": ctx.today - three_years + datetime.timedelta(days=90),
            "guidance": guidance,
            "reviewers_per_application": 2,
            "accreditation_term_years": 3,
        },
    )
    # The same people sat on the 2023 panel that accredited the Dementia HIT.
    for round_ in (current, past):
        panel, _ = Panel.objects.get_or_create(round=round_, name=CURRENT_PANEL)
        for key, role in PANEL:
            PanelMember.objects.get_or_create(panel=panel, user=ctx.users[key], defaults={"role": role})


def load_accreditation(ctx: DemoContext) -> None:
    """The Dementia HIT's accredited 2023 application, the two applications of the current round and
    applicant@'s expressions of interest. Each story runs once: it is skipped when its row exists."""
    rounds = {r.name: r for r in Round.objects.filter(name__in=[CURRENT_ROUND, PAST_ROUND])}
    for spec, story in (
        (DEMENTIA_APPLICATION, _dementia_story),
        (HEALTHY_WEIGHT_APPLICATION, _healthy_weight_story),
        (CANCER_APPLICATION, _cancer_story),
    ):
        hit, round_ = ctx.hits[spec.slug], rounds[spec.round]
        if Application.objects.filter(hit=hit, round=round_).exists():
            continue
        story(ctx, spec, round_)
    _load_eois(ctx, rounds[CURRENT_ROUND])


def _last_event_at(application: Application, when: datetime.datetime) -> None:
    event = ApplicationEvent.objects.filter(application=application).order_by("-pk").first()
    ApplicationEvent.objects.filter(pk=event.pk).update(created_at=when)  # type: ignore[union-attr]


def _draft(ctx: DemoContext, spec: AppSpec, round_: Round, when: datetime.datetime) -> Application:
    """The draft application and its answers, written by the director through the services.

    A HIT invited from an expression of interest gets its draft from eoi_transition("invite");
    the demo HITs were created directly, so the draft row is created here as that invitation would.
    """
    director = ctx.people[spec.director]
    application = Application.objects.create(
        hit=ctx.hits[spec.slug], round=round_, director=director, status_changed_at=when
    )
    actor = ctx.users[spec.director]
    for key, answers in spec.sections.items():
        data = dict(answers)
        if key == "governance":
            data |= {
                "director": director.pk,
                "executive_sponsor": ctx.people[spec.sponsor].pk,
                "host_organisation": ctx.orgs[spec.host].pk,
                "host_unit": spec.host_unit,
            }
        section_save(actor=actor, application_id=application.pk, key=key, data=data)
    for row in spec.rows:
        _stakeholder_row(ctx, actor, application, row)
    Application.objects.filter(pk=application.pk).update(created_at=when)
    ApplicationSection.objects.filter(application=application).update(created_at=when, updated_at=when)
    ctx.back(when, StakeholderPlanRow, application=application)
    return application


def _stakeholder_row(ctx: DemoContext, actor: User, application: Application, row: Row) -> StakeholderPlanRow:
    return stakeholder_row_save(
        actor=actor,
        application_id=application.pk,
        row=StakeholderPlanRow(
            organisation=ctx.orgs[row.org] if row.org else None,
            stakeholder=row.stakeholder,
            category=ctx.categories[row.category],
            role=row.role,
            outcome=row.outcome,
            depth=row.depth,
        ),
    )


def _confirm_sponsor(
    ctx: DemoContext, spec: AppSpec, application: Application, when: datetime.datetime
) -> None:
    """The director asks the sponsor to confirm; the sponsor follows the signed link in that email
    (the email itself is dropped, so the demo signs the same token the link carries)."""
    sponsor_request(actor=ctx.users[spec.director], application_id=application.pk)
    application.refresh_from_db()
    sponsor_confirm(token=sponsor_token(application))
    Application.objects.filter(pk=application.pk).update(sponsor_confirmed_at=when)
    _last_event_at(application, when)


def _move(
    ctx: DemoContext,
    actor_key: str,
    application: Application,
    action: str,
    when: datetime.datetime,
    **extra: object,
) -> Application:
    """One application_transition, with the timestamps it wrote moved to `when`."""
    application = application_transition(
        actor=ctx.users[actor_key], application_id=application.pk, action=action, **extra
    )
    fields: dict[str, object] = {"status_changed_at": when}
    if action == "submit":
        fields["submitted_at"] = when
        Revision.objects.filter(application=application, number=application.version).update(submitted_at=when)
        # The coverage the revision plans is snapshotted "today"; it belongs to the submission day.
        CoverageSnapshot.objects.filter(
            hit=application.hit_id, label=f"application v{application.version}", taken_on=ctx.today
        ).update(taken_on=when.date(), created_at=when)
    elif action == "issue_feedback":
        FeedbackDocument.objects.filter(application=application, revision_number=application.version).update(
            released_at=when
        )
    Application.objects.filter(pk=application.pk).update(**fields)
    _last_event_at(application, when)
    return application


def _assign(
    ctx: DemoContext,
    application: Application,
    reviewer_key: str,
    when: datetime.datetime,
    *,
    due_on: datetime.date | None = None,
) -> ReviewAssignment:
    assignment = assignment_create(
        actor=ctx.users["chair"],
        application_id=application.pk,
        reviewer=ctx.users[reviewer_key],
        due_on=due_on,
    )
    ctx.back(when, ReviewAssignment, pk=assignment.pk)
    return assignment


def _declare_none(assignment: ReviewAssignment, when: datetime.datetime) -> None:
    conflict_declare(
        actor=assignment.reviewer, assignment_id=assignment.pk, declaration=ConflictDeclaration.NONE
    )
    ReviewAssignment.objects.filter(pk=assignment.pk).update(declared_at=when)


def _review(
    assignment: ReviewAssignment,
    spec: ReviewSpec,
    when: datetime.datetime,
    *,
    submit: bool = True,
) -> Review:
    """A submitted review scores every criterion (`spec.default` where not given); a draft only
    the criteria scored so far."""
    given = {code: (score, comment) for code, score, comment in spec.scores}
    if submit:
        criteria = [c.code for c in criteria_for(is_lay=assignment.is_lay)]
        scores = [ScoreInput(code, *given.get(code, (spec.default, ""))) for code in criteria]
    else:
        scores = [ScoreInput(code, score, comment) for code, (score, comment) in given.items()]
    review = review_save(
        actor=assignment.reviewer,
        assignment_id=assignment.pk,
        scores=scores,
        recommendation=spec.recommendation,
        summary=spec.summary,
        submit=submit,
    )
    Review.objects.filter(pk=review.pk).update(created_at=when, submitted_at=when if submit else None)
    return review


def _dementia_story(ctx: DemoContext, spec: AppSpec, round_: Round) -> None:
    """2023: drafted, sponsor confirmed, submitted, reviewed by three panel members, accredited with
    two conditions; one condition closed with evidence since, the other still open. The HIT was
    already active, so no HIT status moves (its history is walked in demo/history.py)."""
    at = ctx.moment
    hit_steps = {step.action: step.months_ago for step in HITS_BY_SLUG[spec.slug].steps}
    submitted, decided = hit_steps["start_application"], hit_steps["accredit"]
    application = _draft(ctx, spec, round_, at(submitted + 1.5))
    _confirm_sponsor(ctx, spec, application, at(submitted + 0.5))
    application = _move(ctx, spec.director, application, "submit", at(submitted))
    application = _move(ctx, "chair", application, "start_review", at(submitted - 0.2))
    for number, review_spec in enumerate(DEMENTIA_REVIEWS):
        assignment = _assign(ctx, application, review_spec.reviewer, at(submitted - 0.2))
        _declare_none(assignment, at(submitted - 0.3))
        _review(assignment, review_spec, at(decided + 0.6 - 0.1 * number))

    valid_from = ctx.day(decided)
    valid_until = _add_years(valid_from, round_.accreditation_term_years) - datetime.timedelta(days=1)
    closed_text, closed_evidence = DEMENTIA_CONDITIONS[0]
    open_text, _ = DEMENTIA_CONDITIONS[1]
    open_due = valid_until - datetime.timedelta(days=60)
    application = _move(
        ctx,
        "chair",
        application,
        "accredit_with_conditions",
        at(decided),
        comment=DEMENTIA_DECISION,
        conditions=[
            # The service refuses a due date in the past (correctly, for a decision taken today);
            # the first condition's real due date, six months after the decision, is set below.
            ConditionInput(closed_text, ctx.people["director"].pk, ctx.today),
            ConditionInput(open_text, ctx.people["director"].pk, open_due),
        ],
    )
    decision = Decision.objects.get(application=application)
    Decision.objects.filter(pk=decision.pk).update(decided_at=at(decided), created_at=at(decided))
    # The accreditation runs from the decision day (the service dates it today).
    Accreditation.objects.filter(application=application).update(
        valid_from=valid_from, valid_until=valid_until, created_at=at(decided)
    )
    Stakeholder.objects.filter(hit=application.hit_id, source=StakeholderSource.APPLICATION).update(
        start_date=valid_from
    )
    closed = Condition.objects.get(decision=decision, text=closed_text)
    Condition.objects.filter(pk=closed.pk).update(due_on=ctx.day(decided - 6), created_at=at(decided))
    Condition.objects.filter(decision=decision, text=open_text).update(created_at=at(decided))
    condition_close(actor=ctx.users[spec.director], condition_id=closed.pk, evidence=closed_evidence)
    condition_accept(actor=ctx.users["pm"], condition_id=closed.pk)
    Condition.objects.filter(pk=closed.pk).update(closed_at=at(decided - 4.5))
    ConditionEvent.objects.filter(condition=closed.pk).update(created_at=at(decided - 4.5))


def _healthy_weight_story(ctx: DemoContext, spec: AppSpec, round_: Round) -> None:
    """Submitted, review started, three reviewers assigned: reviewer@ declared no conflict and saved
    a draft review; lay@ has not declared yet; reviewer2@ is flagged (South Avon CCG is named in
    the application), a conflict waiting for the chair."""
    at = ctx.moment
    submitted = {step.action: step.months_ago for step in HITS_BY_SLUG[spec.slug].steps}["start_application"]
    application = _draft(ctx, spec, round_, at(submitted + 1.0))
    _confirm_sponsor(ctx, spec, application, at(submitted + 0.2))
    application = _move(ctx, spec.director, application, "submit", at(submitted))
    application = _move(ctx, "chair", application, "start_review", at(submitted - 0.3))
    due = ctx.today + datetime.timedelta(days=14)
    reviewer = _assign(ctx, application, "reviewer", at(submitted - 0.3), due_on=due)
    _assign(ctx, application, "lay", at(submitted - 0.3), due_on=due)
    _assign(ctx, application, "reviewer2", at(submitted - 0.3), due_on=due)
    _declare_none(reviewer, at(submitted - 0.5))
    _review(
        reviewer,
        ReviewSpec(
            "reviewer",
            "",
            "Strong framing across the council and NHS boundary; data sharing and innovation still to read.",
            0,
            HEALTHY_WEIGHT_DRAFT_REVIEW,
        ),
        at(0.2),
        submit=False,
    )


def _cancer_story(ctx: DemoContext, spec: AppSpec, round_: Round) -> None:
    """Version 1 submitted and reviewed (reviewer2@ and lay@ recommend a revision); the chair's
    consolidated feedback released; the team answered each point, changed two sections and the
    stakeholder table, and submitted version 2, now waiting for the chair to start the review."""
    at = ctx.moment
    submitted = {step.action: step.months_ago for step in HITS_BY_SLUG[spec.slug].steps}["start_application"]
    application = _draft(ctx, spec, round_, at(submitted + 0.4))
    _confirm_sponsor(ctx, spec, application, at(submitted + 0.1))
    application = _move(ctx, spec.director, application, "submit", at(submitted))
    application = _move(ctx, "chair", application, "start_review", at(submitted - 0.2))
    for number, review_spec in enumerate(CANCER_REVIEWS):
        assignment = _assign(ctx, application, review_spec.reviewer, at(submitted - 0.2))
        _declare_none(assignment, at(submitted - 0.3))
        _review(assignment, review_spec, at(submitted - 0.7 - 0.1 * number))
    document = feedback_save(
        actor=ctx.users["chair"],
        application_id=application.pk,
        summary="The panel supports the aims and asks for a revision before it decides.",
        points=[(section, text, quote) for section, text, quote, _answer in CANCER_FEEDBACK],
    )
    ctx.back(at(submitted - 1.0), FeedbackDocument, pk=document.pk)
    application = _move(ctx, "chair", application, "issue_feedback", at(submitted - 1.1))
    application = _move(ctx, spec.director, application, "revise", at(submitted - 1.3))

    actor = ctx.users[spec.director]
    answers = {section: answer for section, _text, _quote, answer in CANCER_FEEDBACK}
    feedback_respond(
        actor=actor,
        application_id=application.pk,
        responses={point.pk: answers[point.section] for point in document.points.all()},
    )
    FeedbackPoint.objects.filter(document=document).update(responded_at=at(1.0))
    for key, answers_v2 in CANCER_REVISION_2.items():
        section_save(actor=actor, application_id=application.pk, key=key, data=dict(answers_v2))
    public = StakeholderPlanRow.objects.get(
        application=application, stakeholder=CANCER_REVISION_2_PUBLIC_ROW.stakeholder
    )
    for field_name in ("role", "outcome", "depth"):
        setattr(public, field_name, getattr(CANCER_REVISION_2_PUBLIC_ROW, field_name))
    stakeholder_row_save(actor=actor, application_id=application.pk, row=public)
    _stakeholder_row(ctx, actor, application, CANCER_REVISION_2_NEW_ROW)
    _move(ctx, spec.director, application, "submit", at(0.4))


def _load_eois(ctx: DemoContext, round_: Round) -> None:
    applicant = ctx.users["applicant"]
    for number, (title, submit, fields, partners) in enumerate(EOIS):
        if ExpressionOfInterest.objects.filter(author=applicant, working_title=title).exists():
            continue
        eoi = eoi_save(
            actor=applicant,
            eoi=ExpressionOfInterest(round=round_, working_title=title, **fields),
            partners=[
                PartnerInput(category_id=ctx.categories[code].pk, organisation_id=ctx.orgs[org].pk)
                for org, code in partners
            ],
        )
        when = ctx.moment(0.6 - 0.3 * number)
        ctx.back(when, ExpressionOfInterest, pk=eoi.pk)
        if submit:
            eoi_transition(actor=applicant, eoi_id=eoi.pk, action="submit")
            submitted = ctx.moment(0.3)
            ExpressionOfInterest.objects.filter(pk=eoi.pk).update(submitted_at=submitted)
            EOIEvent.objects.filter(eoi=eoi).update(created_at=submitted)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
