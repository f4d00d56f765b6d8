"""The demo's engagement records, through the engagement services: every HIT's stakeholder map
mirrored from its memberships, PPI logs, and the Dementia HIT's manual map rows, standards
self-assessment, support request, readiness surveys answered through one-time links, maturity
assessment and action plan; the Maternity HIT's public review; then the stored scores (tables in
demo/data_engagement.py). Each record is matched by its HIT and a natural key (a title, a description,
an organisation) and only created when missing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from demo.context import DemoContext
from demo.data_engagement import (
    DEMENTIA_ACTIONS,
    DEMENTIA_MAP_ROWS,
    DEMENTIA_MATURITY,
    DEMENTIA_MATURITY_PARTICIPANTS,
    DEMENTIA_STANDARDS,
    DEMENTIA_SUPPORT_REQUEST,
    MATERNITY_PUBLIC_REVIEW,
    PPI_LOG,
    SURVEY_INSTRUMENT,
    SURVEY_NOT_ANSWERED,
    SURVEY_OPEN_NOT_ANSWERED,
    SURVEY_OPEN_RESPONDENTS,
    SURVEY_OPEN_TITLE,
    SURVEY_PROFILES,
    SURVEY_RESPONDENTS,
    SURVEY_TITLE,
)
from engagement.enums import StakeholderSource
from engagement.models import (
    ActionPlanItem,
    ActionStatement,
    Instrument,
    Invitation,
    InvolvementActivity,
    Item,
    MaturityAssessment,
    PublicReview,
    Response,
    Stakeholder,
    StandardsAssessment,
    SupportRequest,
    Wave,
)
from engagement.services.item_bank import item_bank_quality_compute
from engagement.services.maturity import action_item_create, maturity_assessment_create
from engagement.services.network import network_compute
from engagement.services.ppi import (
    activity_create,
    public_review_create,
    standards_assessment_create,
    support_request_create,
)
from engagement.services.releases import readiness_release
from engagement.services.scores import coverage_compute
from engagement.services.stakeholders import stakeholder_save, stakeholders_sync_memberships
from engagement.services.surveys import (
    AboutYou,
    new_token,
    response_save,
    response_submit,
    token_digest,
    wave_create,
    wave_invite,
)
from teams.models import HIT


def load_engagement(ctx: DemoContext) -> None:
    """Stakeholder maps mirrored from memberships for every HIT, then the Dementia HIT's records
    (manual map rows, standards, public review, survey, maturity, action plan) and PPI logs."""
    for hit in ctx.hits.values():
        stakeholders_sync_memberships(hit_id=hit.pk)
    _load_ppi_log(ctx)
    dementia = ctx.hits["dementia"]
    _load_dementia_map(ctx, dementia)
    _load_dementia_ppi(ctx, dementia)
    _load_public_review(ctx, ctx.hits["maternity"])
    _load_survey(ctx, dementia)
    _load_maturity(ctx, dementia)


def _load_dementia_map(ctx: DemoContext, hit: HIT) -> None:
    for org, code, depth, role, evidence in DEMENTIA_MAP_ROWS:
        organisation = ctx.orgs[org]
        if Stakeholder.objects.filter(
            hit=hit, source=StakeholderSource.MANUAL, organisation=organisation
        ).exists():
            continue
        stakeholder_save(
            actor=ctx.users["director"],
            stakeholder=Stakeholder(
                hit=hit,
                organisation=organisation,
                category=ctx.categories[code],
                depth=depth,
                role=role,
                evidence=evidence,
                start_date=ctx.day(4),
            ),
        )


def _load_ppi_log(ctx: DemoContext) -> None:
    for entry in PPI_LOG:
        hit = ctx.hits[entry.slug]
        if InvolvementActivity.objects.filter(hit=hit, description=entry.description).exists():
            continue
        activity_create(
            actor=ctx.users[entry.recorded_by],
            hit_id=hit.pk,
            values={
                "happened_on": ctx.today - datetime.timedelta(days=entry.days_ago),
                "activity_type": entry.activity_type,
                "description": entry.description,
                "patients": entry.patients,
                "carers": entry.carers,
                "public": entry.public,
                "hours": Decimal(entry.hours),
                "level": entry.level,
                "decision_forum": entry.decision_forum,
                "impact": entry.impact,
                "recognition": entry.recognition,
            },
        )


def _load_dementia_ppi(ctx: DemoContext, hit: HIT) -> None:
    """Standards self-assessment and a member's request for PPI support."""
    if not StandardsAssessment.objects.filter(hit=hit).exists():
        standards_assessment_create(
            actor=ctx.users["director"],
            hit_id=hit.pk,
            ratings=DEMENTIA_STANDARDS,
            assessed_on=ctx.today - datetime.timedelta(days=25),
        )
    topic, details = DEMENTIA_SUPPORT_REQUEST
    if not SupportRequest.objects.filter(hit=hit, topic=topic).exists():
        request = support_request_create(
            actor=ctx.users["member"], hit_id=hit.pk, topic=topic, details=details
        )
        ctx.back(ctx.moment(0.2), SupportRequest, pk=request.pk)


def _load_public_review(ctx: DemoContext, hit: HIT) -> None:
    """The public review group's review of a HIT in set-up, by lay@ (a lay reviewer sees the PPI
    arrangements of HITs in set-up)."""
    if not PublicReview.objects.filter(hit=hit).exists():
        depth, adequate, comments = MATERNITY_PUBLIC_REVIEW
        public_review_create(
            actor=ctx.users["lay"],
            hit_id=hit.pk,
            ppi_depth=depth,
            arrangements_adequate=adequate,
            comments=comments,
            reviewed_on=ctx.today - datetime.timedelta(days=9),
        )


def _load_survey(ctx: DemoContext, hit: HIT) -> None:
    """Two readiness waves answered through one-time links, as the respondent's pages do: wave 1
    closed six weeks ago (its results are released when the scores are computed), wave 2 open
    now, collecting answers (only its counts show)."""
    instrument = (
        Instrument.objects.filter(name=SURVEY_INSTRUMENT, is_published=True).order_by("-version").first()
    )
    if instrument is None:
        ctx.say(f"No published '{SURVEY_INSTRUMENT}' item bank: the readiness survey was left out.")
        return
    if not Wave.objects.filter(hit=hit, title=SURVEY_TITLE).exists():
        wave = _answered_wave(
            ctx,
            hit,
            instrument,
            title=SURVEY_TITLE,
            respondents=SURVEY_RESPONDENTS,
            opens_on=ctx.today - datetime.timedelta(days=75),
            weeks_open=4,
            unanswered=SURVEY_NOT_ANSWERED,
        )
        Wave.objects.filter(pk=wave.pk).update(created_at=ctx.moment(0.7))
    if not Wave.objects.filter(hit=hit, title=SURVEY_OPEN_TITLE).exists():
        wave = _answered_wave(
            ctx,
            hit,
            instrument,
            title=SURVEY_OPEN_TITLE,
            respondents=SURVEY_OPEN_RESPONDENTS,
            opens_on=ctx.today - datetime.timedelta(days=6),
            weeks_open=4,
            unanswered=SURVEY_OPEN_NOT_ANSWERED,
        )
        Wave.objects.filter(pk=wave.pk).update(created_at=ctx.moment(0.97))


def _answered_wave(
    ctx: DemoContext,
    hit: HIT,
    instrument: Instrument,
    *,
    title: str,
    respondents: tuple[tuple[str, str], ...],
    opens_on: datetime.date,
    weeks_open: int,
    unanswered: tuple[str, ...],
) -> Wave:
    """A wave whose links were answered while it was open; a wave that has closed since gets its
    real dates afterwards (answers to a closed wave are refused, as they should be)."""
    director = ctx.users["director"]
    closes_on = opens_on + datetime.timedelta(weeks=weeks_open)
    wave = wave_create(
        actor=director,
        hit_id=hit.pk,
        title=title,
        opens_on=min(opens_on, ctx.today),
        closes_on=max(closes_on, ctx.today),
        instrument_id=instrument.pk,
    )
    sent = timezone.make_aware(datetime.datetime.combine(opens_on, datetime.time(9, 0)))
    # wave_invite emails each link and keeps only a digest of its token (services_surveys explains
    # why); the demo answers with the tokens, so it issues the answered links the same way itself.
    tokens = [new_token() for _ in range(len(respondents) + 1)]
    Invitation.objects.bulk_create(
        Invitation(
            wave=wave,
            email=f"respondent{number:02d}.w{wave.pk}@example.org",
            token_digest=token_digest(token),
            sent_at=sent,
        )
        for number, token in enumerate(tokens, start=1)
    )
    wave_invite(actor=director, wave_id=wave.pk, addresses=unanswered)
    Invitation.objects.filter(wave=wave).update(sent_at=sent)
    items = list(Item.objects.filter(instrument=instrument).order_by("position", "pk"))
    for number, ((org, role), token) in enumerate(zip(respondents, tokens, strict=False)):
        answers = survey_answers(items, SURVEY_PROFILES[org], number)
        about = AboutYou(organisation_id=ctx.orgs[org].pk if org else None, role_group=role)
        response_save(token=token, answers=dict(list(answers.items())[:12]))
        response_submit(token=token, about=about, answers=answers)
    # The last link was opened and half answered, then saved for later: not counted.
    half = survey_answers(items, SURVEY_PROFILES["mh"], len(respondents))
    response_save(token=tokens[-1], answers=dict(list(half.items())[:15]))
    # Responses keep the day they were sent (never the time); spread them over the days it was open.
    days_open = (min(closes_on, ctx.today) - opens_on).days
    for offset, response in enumerate(Response.objects.filter(wave=wave, is_submitted=True).order_by("pk")):
        day = opens_on + datetime.timedelta(days=offset * days_open // max(len(respondents), 1))
        Response.objects.filter(pk=response.pk).update(submitted_on=day)
    Wave.objects.filter(pk=wave.pk).update(opens_on=opens_on, closes_on=closes_on)
    wave.refresh_from_db()
    return wave


def _load_maturity(ctx: DemoContext, hit: HIT) -> None:
    director = ctx.users["director"]
    if not MaturityAssessment.objects.filter(hit=hit).exists():
        maturity_assessment_create(
            actor=director,
            hit=hit,
            ratings=DEMENTIA_MATURITY,
            participants=DEMENTIA_MATURITY_PARTICIPANTS,
            assessed_on=ctx.today - datetime.timedelta(days=33),
        )
    statements = {s.code: s for s in ActionStatement.objects.all()}
    for title, owner, due_in, status, statement, element in DEMENTIA_ACTIONS:
        if ActionPlanItem.objects.filter(hit=hit, title=title).exists():
            continue
        action_item_create(
            actor=director,
            hit=hit,
            title=title,
            owner=ctx.people[owner],
            due_on=ctx.today + datetime.timedelta(days=due_in),
            status=status,
            statement=statements.get(statement),
            element=element,
        )


def compute_scores() -> None:
    """What the worker would compute after these changes, computed here: coverage of every HIT, the
    results of every wave that has closed (released once; an open wave has none), and the item bank's
    reliability pooled over the released waves (those of the score history included), and the
    partnership networks."""
    coverage_compute()
    readiness_release()
    item_bank_quality_compute()
    # Every closed network round's metrics, and every HIT's co-membership network.
    network_compute()


def survey_answers(
    items: list[Item], profile: dict[str, float], respondent: int, *, nudge: float = 0.5
) -> dict[int, int | None]:
    """One respondent's answers: near their organisation's level per dimension, varied from item to
    item and person to person without randomness (the demo is the same on every machine) by up to two
    `nudge` steps either way; the reverse-worded items answered the other way round; now and then
    "don't know" (None)."""
    answers: dict[int, int | None] = {}
    for position, item in enumerate(items):
        if (respondent + position) % 13 == 0:
            answers[item.pk] = None
            continue
        shift = ((respondent * 7 + position * 3) % 5 - 2) * nudge
        agreement = min(5, max(1, round(profile[item.dimension] + shift)))
        answers[item.pk] = 6 - agreement if item.reverse_worded else agreement
    return answers
