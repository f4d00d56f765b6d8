"""The accreditation that made each demo HIT what it is, and its renewals, replayed through the
accreditation services on a travelling clock (tables in demo/data_accreditation_history.py).

Every HIT the demo walks through "accredit" (demo/history.py) gets, at that step: its application drafted
by its director, the sponsor's confirmation through the signed link, submission, two reviewers of that
year's panel (each free of any conflict with the organisations the application names), their reviews and the
chair's decision. The services run on the day each step happened (demo.clock.on_day), so every date they
stamp (events, the revision and its planned coverage, the decision, the accreditation's term, the HIT's
move to set-up, the accredited stakeholder rows) is that day's, with nothing dated back afterwards. An
accreditation that ran out while its HIT was still running was renewed first (renewal_start, then the same
steps), two months before its end.

The Dementia HIT's accreditation is told by hand (demo/accreditation.py) and is left out here.
"""

from __future__ import annotations

import datetime
import zlib

from django.contrib.auth.hashers import make_password

from accreditation.domain.criteria import criteria_for
from accreditation.enums import ConflictDeclaration, ConflictResolution
from accreditation.models import Accreditation, Application, Panel, PanelMember, Round, StakeholderPlanRow
from accreditation.services.applications import application_transition
from accreditation.services.drafting import (
    section_save,
    sponsor_confirm,
    sponsor_request,
    sponsor_token,
    stakeholder_row_save,
)
from accreditation.services.renewals import renewal_start
from accreditation.services.reviews import (
    ScoreInput,
    assignment_create,
    conflict_declare,
    conflict_resolve,
    conflicting_organisations,
    named_organisation_ids,
    review_save,
)
from demo.clock import on_day
from demo.context import DemoContext
from demo.data_accreditation import CURRENT_PANEL, CURRENT_ROUND, PANEL, PAST_ROUND
from demo.data_accreditation_history import (
    DRAFTED_BEFORE,
    PAST_DECISION,
    PAST_REVIEWS,
    PAST_ROUND_YEARS,
    RENEWAL_DECIDED,
    RENEWAL_DECISION,
    RENEWAL_DRAFTED,
    RENEWAL_REVIEWS,
    RENEWAL_SUBMITTED,
    applicant_of,
    application_sections,
    partner_rows,
)
from demo.data_hits import HITSpec
from teams.models import HIT, Person, User
from teams.roles import roles_changed

#: The HITs whose accreditation demo/accreditation.py tells by hand.
TOLD_BY_HAND = frozenset({"dementia"})
GUIDANCE = (
    "Teams send a short expression of interest first; invited teams then submit a structured application, "
    "which may go round more than once with written feedback before the panel decides."
)


def past_round_opens(ctx: DemoContext, years_back: int) -> datetime.date:
    """The day the round `years_back` years ago opened (the 2023 round is three years back)."""
    return _add_years(ctx.today, -years_back) - datetime.timedelta(days=30)


def load_past_rounds(ctx: DemoContext) -> None:
    """One round a year for PAST_ROUND_YEARS years, each taking applications until the next opened,
    with the same panel as the 2023 round (demo/accreditation.py makes the 2023 and current rounds)."""
    taken = {CURRENT_ROUND, PAST_ROUND}
    for years_back in range(PAST_ROUND_YEARS, 0, -1):
        opens = past_round_opens(ctx, years_back)
        name = f"{opens.year} accreditation round"
        if years_back == 3:
            name = PAST_ROUND
        elif name in taken:  # early in a year, two rounds open in the same calendar year
            name = f"{name} (opened in {opens:%B})"
        taken.add(name)
        round_, _ = Round.objects.get_or_create(
            name=name,
            defaults={
                "opens_on": opens,
                "eoi_deadline": opens + datetime.timedelta(days=60),
                # Until the next round opened; the last one until the current round opened
                # (demo/accreditation.py opens it 122 days ago).
                "application_deadline": (
                    past_round_opens(ctx, years_back - 1)
                    if years_back > 1
                    else ctx.today - datetime.timedelta(days=122)
                )
                - datetime.timedelta(days=1),
                "guidance": GUIDANCE,
                "reviewers_per_application": 2,
                "accreditation_term_years": 3,
            },
        )
        panel, _ = Panel.objects.get_or_create(round=round_, name=CURRENT_PANEL)
        for key, role in PANEL:
            PanelMember.objects.get_or_create(panel=panel, user=ctx.users[key], defaults={"role": role})


def round_on(day: datetime.date) -> Round:
    """The round that was taking applications on `day` (the last one opened by then)."""
    found = Round.objects.filter(opens_on__lte=day).order_by("-opens_on").first()
    if found is None:
        raise ValueError(f"No demo round was open on {day}: add a past round (PAST_ROUND_YEARS).")
    return found


def applicant_login(ctx: DemoContext, person_key: str) -> User:
    """The login of a HIT's director, who applied through the portal. Directors other than the demo
    logins get one without a password (they would set one with "Forgotten your password?")."""
    if person_key in ctx.users:
        return ctx.users[person_key]
    person = Person.objects.select_related("user").get(pk=ctx.people[person_key].pk)
    if person.user is None:
        user = User.objects.filter(email=person.email).first() or User.objects.create(
            email=person.email, full_name=person.full_name, password=make_password(None)
        )
        Person.objects.filter(pk=person.pk).update(user=user)
        roles_changed([user.pk])  # the update sends no signal: the person's memberships are now the login's
        person.user = user
    ctx.users[person_key] = person.user
    return person.user


def accredit_in_the_past(ctx: DemoContext, spec: HITSpec, *, submitted: float, decided: float) -> Application:
    """The HIT's first application, from draft to accreditation (the HIT moves to set-up with it)."""
    director_key = applicant_of(spec)
    actor = applicant_login(ctx, director_key)
    # Drafted after the HIT was proposed (its director's membership starts then).
    drafted = min(submitted + DRAFTED_BEFORE, (spec.proposed_months_ago + submitted) / 2)
    with on_day(ctx, ctx.moment(drafted)):
        application = Application.objects.create(
            hit=ctx.hits[spec.slug], round=round_on(ctx.day(submitted)), director=ctx.people[director_key]
        )
        for key, answers in application_sections(spec).items():
            data: dict[str, object] = dict(answers)
            if key == "governance":
                data |= {
                    "director": ctx.people[director_key].pk,
                    "executive_sponsor": ctx.people[spec.sponsor].pk,
                    "host_organisation": ctx.orgs[spec.host].pk,
                    "host_unit": spec.host_unit,
                }
            section_save(actor=actor, application_id=application.pk, key=key, data=data)
        for row in partner_rows(spec):
            organisation = ctx.orgs[row.org]
            stakeholder_row_save(
                actor=actor,
                application_id=application.pk,
                row=StakeholderPlanRow(
                    organisation=organisation,
                    category=organisation.org_type.default_category or ctx.categories["NONNHS"],
                    role=row.role,
                    outcome=row.outcome,
                    depth=row.depth,
                ),
            )
    return _decide(
        ctx,
        spec,
        application,
        actor,
        submitted=submitted,
        decided=decided,
        reviews=PAST_REVIEWS,
        rationale=PAST_DECISION,
    )


def renew_in_the_past(ctx: DemoContext, spec: HITSpec, accreditation: Accreditation) -> Application:
    """A renewal of `accreditation`, started from it, submitted and accredited the months before it
    ended that RENEWAL_* say."""
    actor = applicant_login(ctx, applicant_of(spec))
    ends = (ctx.today - accreditation.valid_until).days / 30.44
    with on_day(ctx, ctx.moment(ends + RENEWAL_DRAFTED)):
        application = renewal_start(
            actor=actor,
            accreditation_id=accreditation.pk,
            round_id=round_on(ctx.day(ends + RENEWAL_DRAFTED)).pk,
        )
    return _decide(
        ctx,
        spec,
        application,
        actor,
        submitted=ends + RENEWAL_SUBMITTED,
        decided=ends + RENEWAL_DECIDED,
        reviews=RENEWAL_REVIEWS,
        rationale=RENEWAL_DECISION,
    )


def renewals_due(ctx: DemoContext, accreditation: Accreditation, *, until: float) -> bool:
    """Whether `accreditation` was renewed: it ended while the HIT ran, and the renewal's decision
    falls before `until` (months ago: today, or the day the HIT began to close)."""
    ends = (ctx.today - accreditation.valid_until).days / 30.44
    return ends + RENEWAL_DECIDED > until


def _decide(
    ctx: DemoContext,
    spec: HITSpec,
    application: Application,
    actor: User,
    *,
    submitted: float,
    decided: float,
    reviews: tuple[tuple[str, str], ...],
    rationale: str,
) -> Application:
    """The sponsor confirms; the director submits; the chair starts the review and assigns two
    reviewers without a conflict, who declare none and review; the chair accredits."""
    chair = ctx.users["chair"]
    with on_day(ctx, ctx.moment(submitted + 0.3)):
        sponsor_request(actor=actor, application_id=application.pk)
        application.refresh_from_db()
        sponsor_confirm(token=sponsor_token(application))
    with on_day(ctx, ctx.moment(submitted)):
        application = application_transition(actor=actor, application_id=application.pk, action="submit")
    with on_day(ctx, ctx.moment(submitted - 0.1)):
        application = application_transition(
            actor=chair, application_id=application.pk, action="start_review"
        )
        # Reviewers free of conflict first; where the panel has too few, the one whose employer the
        # application names declares it, and the chair waives it with a note.
        named = named_organisation_ids(application)
        conflicts = {
            key: conflicting_organisations(user=ctx.users[key], organisation_ids=named)
            for key in ("reviewer", "reviewer2", "lay")
        }
        chosen = sorted(conflicts, key=lambda key: bool(conflicts[key]))[: len(reviews)]
        assignments = [
            assignment_create(actor=chair, application_id=application.pk, reviewer=ctx.users[key])
            for key in chosen
        ]
        for key, assignment in zip(chosen, assignments, strict=True):
            if not conflicts[key]:
                conflict_declare(
                    actor=assignment.reviewer,
                    assignment_id=assignment.pk,
                    declaration=ConflictDeclaration.NONE,
                )
                continue
            conflict_declare(
                actor=assignment.reviewer,
                assignment_id=assignment.pk,
                declaration=ConflictDeclaration.DECLARED,
                note=f"I work for {', '.join(conflicts[key])}, a partner of this HIT; I have no part in its work.",
            )
            conflict_resolve(
                actor=chair,
                assignment_id=assignment.pk,
                resolution=ConflictResolution.WAIVED,
                note="No part in the HIT's work or its budget; the panel has no other reviewer free of conflict.",
            )
    with on_day(ctx, ctx.moment((submitted + decided) / 2)):
        for key, assignment, (recommendation, summary) in zip(chosen, assignments, reviews, strict=False):
            review_save(
                actor=assignment.reviewer,
                assignment_id=assignment.pk,
                scores=[
                    ScoreInput(c.code, demo_score(key, spec.slug, c.code), "")
                    for c in criteria_for(is_lay=assignment.is_lay)
                ],
                recommendation=recommendation,
                summary=summary,
                submit=True,
            )
    with on_day(ctx, ctx.moment(decided)):
        return application_transition(
            actor=chair, application_id=application.pk, action="accredit", comment=rationale
        )


#: How each demo reviewer scores against the panel: one harsher, one more generous (what calibration corrects).
TEMPERAMENT = {"reviewer": -0.5, "reviewer2": 0.5}


def demo_score(reviewer: str, hit: str, criterion: str) -> int:
    """A believable criterion score from 0 to 3, the same on every load: the application's own strength
    (one of three levels by its HIT), the reviewer's temperament, and a half point either way per criterion."""
    strength = 1.0 + 0.5 * (zlib.crc32(hit.encode()) % 3)
    wobble = 0.5 * (zlib.crc32(f"{reviewer}:{hit}:{criterion}".encode()) % 3 - 1)
    return max(0, min(3, round(strength + TEMPERAMENT.get(reviewer, 0.0) + wobble)))


def hit_of(ctx: DemoContext, spec: HITSpec) -> HIT:
    return HIT.objects.get(pk=ctx.hits[spec.slug].pk)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
