"""Two years of score history, replayed: readiness surveys of the running HITs answered and released on
the days they ran, and every HIT's engagement coverage computed as of the end of each of the last eight
quarters, each through the engagement services on the travelling clock (demo.clock.on_day), so the
trend charts of the board and of each HIT show history the data made, never typed-in numbers.

Coverage as of a day counts the stakeholders involved that day: the memberships dated along each HIT's
timeline (demo/hits.py) and the accredited applications' rows from the day of their decision
(demo/accreditation_history.py). It runs once: a load that finds coverage history already there leaves it.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from demo.accreditation_history import applicant_login
from demo.clock import on_day
from demo.context import DemoContext
from demo.data_accreditation_history import applicant_of, partner_rows
from demo.data_engagement import SURVEY_INSTRUMENT
from demo.data_hits import HITS_BY_SLUG
from demo.engagement import survey_answers
from engagement.models import CoverageSnapshot, Instrument, Invitation, Item
from engagement.services.releases import readiness_release
from engagement.services.scores import coverage_compute
from engagement.services.surveys import AboutYou, new_token, response_submit, token_digest, wave_create
from teams.models import HIT, HITStatusChange

#: The running HITs that survey their partners once a year, in the order their surveys are staggered.
SURVEYING = (
    "avoidable-admissions",
    "child-injury-prevention",
    "chronic-kidney-disease",
    "drugs-and-alcohol",
    "pain-management",
    "diabetes",
    "frailty",
    "young-peoples-mental-health",
)
#: How each dimension of readiness sits against a HIT's overall level (trust ... resources), so that the
#: profiles have the shape the research describes: relationships strong, resources weakest.
_SHAPE = (0.4, 0.3, 0.0, -0.2, 0.2, 0.1, 0.3, -0.1, -0.4, -0.8)
_ROLES = ("clinical", "management", "leadership", "academic")
#: How far each surveying HIT's partners moved between its two waves (points on the 1-5 scale): most grew,
#: some by more than chance would give, one little, and the Drugs and Alcohol HIT's partners lost ground
#: in a hard year; so the results show every label of the change between waves (docs/domain.md 7.3).
GROWTH = (0.35, 0.8, 0.2, -0.7, 0.9, 0.4, 0.75, 0.3)
QUARTERS = 8


def load_score_history(ctx: DemoContext) -> None:
    if CoverageSnapshot.objects.filter(label="map", taken_on__lt=ctx.today).exists():
        return
    instrument = (
        Instrument.objects.filter(name=SURVEY_INSTRUMENT, is_published=True).order_by("-version").first()
    )
    if instrument is not None:
        items = list(Item.objects.filter(instrument=instrument).order_by("position", "pk"))
        for months_ago, slug, wave_number in sorted(_planned_waves(), reverse=True):
            _replay_wave(ctx, slug, wave_number, months_ago, instrument, items)
    for day in quarter_ends(ctx.today, QUARTERS):
        with on_day(ctx, timezone.make_aware(datetime.datetime.combine(day, datetime.time(2, 30)))):
            coverage_compute(hit_ids=_running_on(day), day=day)


def _planned_waves() -> list[tuple[float, str, int]]:
    """(months ago, HIT slug, wave number): two a year apart per HIT, staggered so that every quarter
    of the last two years has some, the last closed a few weeks ago."""
    return [
        (23 - 1.5 * index - 11 * wave, slug, wave + 1)
        for index, slug in enumerate(SURVEYING)
        for wave in (0, 1)
    ]


def quarter_ends(today: datetime.date, quarters: int) -> list[datetime.date]:
    """The last day of each of the `quarters` quarters before today's, oldest first."""
    start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    ends = []
    for _ in range(quarters):
        ends.append(start - datetime.timedelta(days=1))
        start = datetime.date(ends[-1].year, 3 * ((ends[-1].month - 1) // 3) + 1, 1)
    return ends[::-1]


def _running_on(day: datetime.date) -> list[int]:
    """The HITs proposed by `day` and not closed by then."""
    closed = HITStatusChange.objects.filter(to_status="closed", created_at__date__lte=day).values("hit")
    return list(
        HIT.objects.filter(created_at__date__lte=day).exclude(pk__in=closed).values_list("pk", flat=True)
    )


def _replay_wave(
    ctx: DemoContext, slug: str, number: int, months_ago: float, instrument: Instrument, items: list[Item]
) -> None:
    """One four-week wave: planned and its links sent on its first day, answered by twelve partners'
    staff over the weeks it ran (each near the HIT's level that year), released the day after it closed."""
    spec = HITS_BY_SLUG[slug]
    hit = ctx.hits[slug]
    director = applicant_login(ctx, applicant_of(spec))
    opens = ctx.day(months_ago)
    closes = opens + datetime.timedelta(weeks=4)
    orgs = [row.org for row in partner_rows(spec)][:3]
    respondents = [(org, _ROLES[n % len(_ROLES)]) for org in orgs for n in range(4)]
    index = SURVEYING.index(slug)
    level = 2.8 + 0.15 * (index % 4) + GROWTH[index] * (number - 1)
    with on_day(ctx, ctx.moment(months_ago)):
        wave = wave_create(
            actor=director,
            hit_id=hit.pk,
            title=f"Partner readiness survey {opens.year}",
            opens_on=opens,
            closes_on=closes,
            instrument_id=instrument.pk,
        )
        # The links are the demo's own (wave_invite keeps only each token's digest and emails it).
        tokens = [new_token() for _ in respondents]
        Invitation.objects.bulk_create(
            Invitation(
                wave=wave,
                email=f"respondent{n:02d}.w{wave.pk}@example.org",
                token_digest=token_digest(token),
                sent_at=timezone.now(),
            )
            for n, token in enumerate(tokens, start=1)
        )
    dimensions = sorted({item.dimension for item in items}, key=[i.dimension for i in items].index)
    for n, ((org, role), token) in enumerate(zip(respondents, tokens, strict=True)):
        # Each person sits a little above or below their organisation on every dimension (-0.9 to 0.9,
        # none on average), and answers a dimension's items close to one another: the items of a
        # dimension then agree with each other as a real item bank's do (its alpha, docs/domain.md 7.1).
        person = (
            ((n * 5) % len(respondents) - (len(respondents) - 1) / 2) / ((len(respondents) - 1) / 2) * 0.9
        )
        profile = {
            dimension: min(
                4.8,
                max(1.2, level + _SHAPE[position % len(_SHAPE)] + 0.2 * (orgs.index(org) - 1) + person),
            )
            for position, dimension in enumerate(dimensions)
        }
        with on_day(ctx, ctx.moment(months_ago - 0.8 * n / len(respondents))):
            response_submit(
                token=token,
                about=AboutYou(organisation_id=ctx.orgs[org].pk, role_group=role),
                answers=survey_answers(items, profile, n, nudge=0.25),
            )
    released = closes + datetime.timedelta(days=1)
    with on_day(ctx, timezone.make_aware(datetime.datetime.combine(released, datetime.time(0, 15)))):
        readiness_release(wave_ids=[wave.pk])
