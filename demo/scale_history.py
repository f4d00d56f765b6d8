"""The scale dataset's history (demo/scale.py builds it): progress reports with their schedules,
ratings, milestones and events; the decision, accreditation and conditions of each accredited
application; a maturity assessment per HIT; and two years of quarterly coverage snapshots.

Bulk inserts throughout; each part is built only for the scale HITs that lack it.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.utils import timezone

from accreditation.domain.criteria import CRITERIA
from accreditation.enums import ConditionStatus, DecisionOutcome
from accreditation.models import Accreditation, Application, Condition, Decision
from demo.data_scale import PM_EMAIL, REPORT_INTERVAL_MONTHS
from demo.scale_hits import scale_hits
from engagement.enums import MATURITY_ELEMENTS
from engagement.models import CoverageSnapshot, MaturityAssessment, MaturityRating
from reporting.enums import FundingStatus, MilestoneStatus, ReportStatus
from reporting.models import (
    IndicatorRating,
    Milestone,
    ProgressReport,
    ReportEvent,
    ReportSchedule,
    add_months,
)
from reporting.selectors.reports import CONCEPT_OF_CRITERION
from teams.enums import MembershipRole
from teams.models import Membership, User

# One report as planned: (HIT id, period start, period end, status, sent back once).
_Plan = tuple[int, datetime.date, datetime.date, str, bool]


def aware(day: datetime.date) -> datetime.datetime:
    """10:00 on the day, or yesterday for a day still to come (nothing happened in the future)."""
    day = min(day, timezone.localdate() - datetime.timedelta(days=1))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def build_reports(*, reports_per_hit: int, rng: random.Random, say: Callable[[str], None]) -> bool:
    """A six-monthly schedule per HIT and its last `reports_per_hit` reports, for HITs with none.

    The database allows one open report per HIT, so the earlier reports are accepted (some after a
    round of changes) and only the latest varies: draft, submitted, changes requested or accepted,
    with about one HIT in ten overdue (draft or sent back, due date passed). Submitted and accepted
    reports rate all twenty indicators and record two milestones each; drafts rate some.
    """
    todo = list(
        scale_hits().filter(progress_reports__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    if not todo or reports_per_hit < 1:
        return False
    say(f"Progress reports of {len(todo)} HITs...")
    today = timezone.localdate()
    pm_id = User.objects.filter(email=PM_EMAIL).values_list("pk", flat=True).first()
    directors = dict(
        Membership.objects.filter(hit_id__in=todo, role=MembershipRole.DIRECTOR).values_list(
            "hit_id", "person__user_id"
        )
    )
    plans = _schedules_and_reports(
        todo, reports_per_hit=reports_per_hit, rng=rng, today=today, pm_id=pm_id, directors=directors
    )
    # bulk_create does not return primary keys on SQLite: read them back in the same order.
    ids = list(
        ProgressReport.objects.filter(hit_id__in=todo)
        .order_by("hit_id", "due_on")
        .values_list("pk", flat=True)
    )

    say("Indicator ratings, milestones and report events...")
    _report_details(ids, plans, rng=rng, today=today, pm_id=pm_id, directors=directors)
    return True


def _latest_report(rng: random.Random, today: datetime.date) -> tuple[str, datetime.date]:
    """The status and due date of a HIT's latest report."""
    draw = rng.random()
    if draw < 0.10:  # overdue: still with the team after the due date
        status = rng.choice([ReportStatus.DRAFT] * 2 + [ReportStatus.CHANGES_REQUESTED])
        latest_due = today - datetime.timedelta(days=rng.randint(1, 60))
    elif draw < 0.40:
        status, latest_due = ReportStatus.DRAFT, today + datetime.timedelta(days=rng.randint(1, 170))
    elif draw < 0.50:
        status = ReportStatus.CHANGES_REQUESTED
        latest_due = today + datetime.timedelta(days=rng.randint(1, 60))
    elif draw < 0.75:
        status, latest_due = ReportStatus.SUBMITTED, today - datetime.timedelta(days=rng.randint(0, 30))
    else:
        status, latest_due = ReportStatus.ACCEPTED, today - datetime.timedelta(days=rng.randint(10, 150))
    return status, latest_due


def _schedules_and_reports(
    todo: list[int],
    *,
    reports_per_hit: int,
    rng: random.Random,
    today: datetime.date,
    pm_id: int | None,
    directors: dict[int, int | None],
) -> list[_Plan]:
    """Each HIT's schedule and reports, the earlier ones accepted; returns the reports as planned,
    in the order of their HIT and due date."""
    last = reports_per_hit - 1
    schedules, reports, plans = [], [], []
    for hit_id in todo:
        status, latest_due = _latest_report(rng, today)
        first_due = add_months(latest_due, -REPORT_INTERVAL_MONTHS * last)
        schedules.append(
            ReportSchedule(hit_id=hit_id, interval_months=REPORT_INTERVAL_MONTHS, first_due_on=first_due)
        )
        previous_end = None
        for n in range(reports_per_hit):
            due_on = add_months(first_due, n * REPORT_INTERVAL_MONTHS)
            period_end = due_on - datetime.timedelta(days=1)
            period_start = (
                previous_end + datetime.timedelta(days=1)
                if previous_end
                else add_months(due_on, -REPORT_INTERVAL_MONTHS)
            )
            previous_end = period_end
            this = status if n == last else ReportStatus.ACCEPTED
            sent_back = this == ReportStatus.CHANGES_REQUESTED or (
                this == ReportStatus.ACCEPTED and rng.random() < 0.15
            )
            submitted = this != ReportStatus.DRAFT
            decided = this in (ReportStatus.ACCEPTED, ReportStatus.CHANGES_REQUESTED)
            reports.append(
                ProgressReport(
                    hit_id=hit_id,
                    period_start=period_start,
                    period_end=period_end,
                    due_on=due_on,
                    status=this,
                    version=2 if sent_back and this != ReportStatus.CHANGES_REQUESTED else 1,
                    created_by_id=directors.get(hit_id),
                    submitted_at=aware(due_on - datetime.timedelta(days=3)) if submitted else None,
                    submitted_by_id=directors.get(hit_id) if submitted else None,
                    decided_at=aware(due_on + datetime.timedelta(days=14)) if decided else None,
                    decided_by_id=pm_id if decided else None,
                    funding_status=rng.choice(FundingStatus.values) if submitted else "",
                )
            )
            plans.append((hit_id, period_start, period_end, this, sent_back))
    ReportSchedule.objects.bulk_create(schedules, batch_size=1000)
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    return plans


def _report_details(
    ids: list[int],
    plans: list[_Plan],
    *,
    rng: random.Random,
    today: datetime.date,
    pm_id: int | None,
    directors: dict[int, int | None],
) -> None:
    """Each report's indicator ratings, milestones and events, and the milestone counts frozen at
    its submission."""
    ratings, milestones, events = [], [], []
    summary: list[tuple[int, int, int]] = []
    for report_id, (hit_id, start, end, this, sent_back) in zip(ids, plans, strict=True):
        rated = CRITERIA if this != ReportStatus.DRAFT else CRITERIA[: rng.randint(0, len(CRITERIA))]
        ratings.extend(
            IndicatorRating(
                report_id=report_id,
                concept=CONCEPT_OF_CRITERION[criterion.code],
                indicator=criterion.code,
                rating=rng.randint(0, 3),
                evidence="Illustrative evidence",
            )
            for criterion in rated
        )
        rows, met = _milestones(report_id, hit_id, start, end, this, rng=rng, today=today)
        milestones.extend(rows)
        if this != ReportStatus.DRAFT:
            summary.append((report_id, 2, met))
        events.extend(_events(report_id, end, this, sent_back, actor=directors.get(hit_id), pm_id=pm_id))
    IndicatorRating.objects.bulk_create(ratings, batch_size=5000)
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    ReportEvent.objects.bulk_create(events, batch_size=5000)
    # F14 frozen at each submission; the same two numbers for every report keep this to a few updates.
    for met in (0, 1, 2):
        report_ids = [r for r, _, m in summary if m == met]
        for chunk in range(0, len(report_ids), 5000):  # below SQLite's limit of query parameters
            ProgressReport.objects.filter(pk__in=report_ids[chunk : chunk + 5000]).update(
                milestones_due=2, milestones_met_on_time=met
            )


def _milestones(
    report_id: int,
    hit_id: int,
    start: datetime.date,
    end: datetime.date,
    this: str,
    *,
    rng: random.Random,
    today: datetime.date,
) -> tuple[list[Milestone], int]:
    """Two milestones of the report's period, and how many of them were met on time."""
    rows = []
    span = (end - start).days
    met = 0
    for m in range(2):
        due_on = start + datetime.timedelta(days=rng.randint(0, span))
        if this == ReportStatus.DRAFT or due_on >= today:
            state, met_on, recorded = MilestoneStatus.PLANNED, None, None
        else:
            state = rng.choices(
                [MilestoneStatus.MET_ON_TIME, MilestoneStatus.LATE, MilestoneStatus.MISSED], [7, 2, 1]
            )[0]
            met_on = {
                MilestoneStatus.MET_ON_TIME: due_on,
                MilestoneStatus.LATE: due_on + datetime.timedelta(days=10),
            }.get(state)
            recorded = report_id
            met += state == MilestoneStatus.MET_ON_TIME
        rows.append(
            Milestone(
                hit_id=hit_id,
                title=f"Milestone {m + 1} of the period to {end:%b %Y}",
                due_on=due_on,
                met_on=met_on,
                status=state,
                report_id=recorded,
            )
        )
    return rows, met


def _events(
    report_id: int, end: datetime.date, this: str, sent_back: bool, *, actor: int | None, pm_id: int | None
) -> list[ReportEvent]:
    """The events that brought a report to its status: submitted (and sent back once), accepted."""
    submitted_at = aware(end - datetime.timedelta(days=2))
    decided_at = aware(end + datetime.timedelta(days=15))
    steps = []
    if sent_back:
        steps += [
            ("submit", ReportStatus.DRAFT, ReportStatus.SUBMITTED, actor, submitted_at),
            (
                "request_changes",
                ReportStatus.SUBMITTED,
                ReportStatus.CHANGES_REQUESTED,
                pm_id,
                decided_at,
            ),
        ]
    if this in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        source = ReportStatus.CHANGES_REQUESTED if sent_back else ReportStatus.DRAFT
        steps.append(("submit", source, ReportStatus.SUBMITTED, actor, submitted_at))
    if this == ReportStatus.ACCEPTED:
        steps.append(("accept", ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, pm_id, decided_at))
    return [
        ReportEvent(
            report_id=report_id,
            actor_id=who,
            action=action,
            from_status=source,
            to_status=target,
            created_at=when + datetime.timedelta(minutes=i),
        )
        for i, (action, source, target, who, when) in enumerate(steps)
    ]


def build_history(*, rng: random.Random, say: Callable[[str], None]) -> bool:
    """What the board reads beyond the scores, for HITs without an accreditation yet: the decision
    and accreditation of each accredited application (three years, so about one in six ends within
    six months), a condition on one decision in five (half of them closed), one maturity
    assessment of the nine elements, and a "map" coverage snapshot in each of the last eight
    quarters (the worker adds today's)."""
    todo = list(
        Application.objects.filter(
            hit__in=scale_hits(), status="accredited", accreditation__isnull=True
        ).values_list("pk", "hit_id", "version")
    )
    pm_id = User.objects.filter(email=PM_EMAIL).values_list("pk", flat=True).first()
    if not todo or pm_id is None:
        return False
    say(f"Accreditations, conditions, maturity assessments and coverage history of {len(todo)} HITs...")
    today = timezone.localdate()
    hit_ids = [hit_id for _, hit_id, _ in todo]
    _accreditations(todo, rng=rng, today=today, pm_id=pm_id)
    _maturity(hit_ids, rng=rng, today=today)
    _coverage_history(hit_ids, rng=rng, today=today)
    return True


def _accreditations(
    todo: list[tuple[int, int, int]], *, rng: random.Random, today: datetime.date, pm_id: int
) -> None:
    """For each (application id, HIT id, version): the decision, the accreditation and, for one in
    five, a condition owned by the HIT's director."""
    directors = dict(
        Membership.objects.filter(
            hit_id__in=[hit_id for _, hit_id, _ in todo], role=MembershipRole.DIRECTOR
        ).values_list("hit_id", "person_id")
    )
    decided_on = {pk: today - datetime.timedelta(days=rng.randint(30, 1090)) for pk, _, _ in todo}
    with_conditions = {pk for pk, _, _ in todo if rng.random() < 0.2}
    Decision.objects.bulk_create(
        [
            Decision(
                application_id=pk,
                revision_number=version,
                outcome=DecisionOutcome.ACCREDITED_WITH_CONDITIONS
                if pk in with_conditions
                else DecisionOutcome.ACCREDITED,
                rationale="Illustrative rationale",
                decided_by_id=pm_id,
                decided_at=aware(decided_on[pk]),
            )
            for pk, _, version in todo
        ],
        batch_size=1000,
    )
    decisions = dict(
        Decision.objects.filter(application_id__in=[pk for pk, _, _ in todo]).values_list(
            "application_id", "pk"
        )
    )
    Accreditation.objects.bulk_create(
        [
            Accreditation(
                hit_id=hit_id,
                application_id=pk,
                decision_id=decisions[pk],
                valid_from=decided_on[pk],
                valid_until=add_months(decided_on[pk], 36),
            )
            for pk, hit_id, _ in todo
        ],
        batch_size=1000,
    )
    conditions = []
    for pk, hit_id, _ in todo:
        if pk not in with_conditions or hit_id not in directors:
            continue
        closed = rng.random() < 0.5
        conditions.append(
            Condition(
                decision_id=decisions[pk],
                text="Illustrative condition: name a commissioner to the management group",
                owner_id=directors[hit_id],
                due_on=decided_on[pk] + datetime.timedelta(days=rng.randint(60, 240)),
                evidence="Illustrative evidence" if closed else "",
                closed_at=aware(decided_on[pk] + datetime.timedelta(days=50)) if closed else None,
                closed_by_id=pm_id if closed else None,
                status=ConditionStatus.CLOSED if closed else ConditionStatus.OPEN,
            )
        )
    Condition.objects.bulk_create(conditions, batch_size=1000)


def _maturity(hit_ids: list[int], *, rng: random.Random, today: datetime.date) -> None:
    """One maturity assessment per HIT, rating each of the nine elements."""
    MaturityAssessment.objects.bulk_create(
        [
            MaturityAssessment(
                hit_id=hit_id,
                assessed_on=today - datetime.timedelta(days=rng.randint(10, 360)),
                participants="Illustrative management group",
            )
            for hit_id in hit_ids
        ],
        batch_size=1000,
    )
    assessments = MaturityAssessment.objects.filter(hit_id__in=hit_ids).values_list("pk", flat=True)
    MaturityRating.objects.bulk_create(
        [
            MaturityRating(
                assessment_id=assessment_id,
                element=element,
                level=rng.randint(1, 3),
                rationale="Illustrative rationale",
            )
            for assessment_id in assessments
            for element in MATURITY_ELEMENTS
        ],
        batch_size=5000,
    )


def _coverage_history(hit_ids: list[int], *, rng: random.Random, today: datetime.date) -> None:
    """A "map" coverage snapshot per HIT at each of the last eight quarters, breadth drifting upwards."""
    quarters = [add_months(today, -3 * n) for n in range(1, 9)]
    snapshots = []
    for hit_id in hit_ids:
        breadth = rng.uniform(0.2, 0.6)
        for day in reversed(quarters):
            breadth = min(1.0, breadth + rng.uniform(-0.05, 0.1))
            snapshots.append(
                CoverageSnapshot(
                    hit_id=hit_id,
                    taken_on=day,
                    label="map",
                    breadth=breadth,
                    degrees=round(360 * breadth, 1),
                    weighted=breadth * 0.7,
                    leadership=breadth * 0.3,
                )
            )
    CoverageSnapshot.objects.bulk_create(snapshots, batch_size=5000, ignore_conflicts=True)
