"""The DOMAIN.md section 6 dataset, built with bulk inserts for benchmarks and load checks.

1,000 HITs, 20,000 stakeholder links (one HIT has 400 more, to show whether a page's cost grows
with a HIT's size), 5,000 application revisions, 10,000 progress reports with their schedules,
indicator ratings, milestones and events, 50,000 survey responses (each answering the 30-item bank),
the HITs' directors and members, their accreditations (some with conditions, some due for renewal),
maturity assessments and two years of quarterly coverage snapshots, and the stored scores the
worker would compute. Everything is marked illustrative and lives under its own names ("Scale HIT
0001", scale-...@example.org), so it never mixes with the demo data.

Each part is built only for the scale HITs that lack it, so running `build()` again adds nothing,
and a dataset built before a part existed gains just that part.

Logins (password ``hitportal-demo``, as the demo): scale-pm@example.org (programme manager),
scale-board@example.org (board member), scale-chair@example.org (chair of the scale round's panel)
and scale-director-NNNN@example.org (director of Scale HIT NNNN).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

PREFIX = "Scale HIT"
EMAIL_DOMAIN = "example.org"
PM_EMAIL = f"scale-pm@{EMAIL_DOMAIN}"
BOARD_EMAIL = f"scale-board@{EMAIL_DOMAIN}"
CHAIR_EMAIL = f"scale-chair@{EMAIL_DOMAIN}"
# The first scale HIT gets this many extra stakeholder links (bench/scores.py relies on it too).
BIG_HIT_LINKS = 400
REPORT_INTERVAL_MONTHS = 6


def director_email(n: int) -> str:
    return f"scale-director-{n:04d}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class BenchPage:
    """A page that bench/pages.py measures, with the login of the persona who reads it."""

    label: str
    url_name: str
    persona: str
    args: tuple = ()


def bench_pages() -> list[BenchPage]:
    """The five pages of GitHub issue 6 on this dataset, each with the largest object it shows:
    the HIT with the most stakeholder links (read by its director) and the scale round."""
    from django.db.models import Count

    from accreditation.models import Round

    big = scale_hits().annotate(n=Count("stakeholders")).order_by("-n", "pk").first()
    director = director_email(int(big.name.rsplit(" ", 1)[1]))
    round_id = Round.objects.get(name="Scale round").pk
    return [
        BenchPage("Board dashboard", "reporting:board-dashboard", BOARD_EMAIL),
        BenchPage("HIT dashboard", "reporting:hit-dashboard", director, (big.pk,)),
        BenchPage("Application list (round board)", "accreditation:round-board", PM_EMAIL, (round_id,)),
        BenchPage("Report list", "reporting:report-list", PM_EMAIL),
        BenchPage("Stakeholder list", "engagement:stakeholder-map", director, (big.pk,)),
    ]


def build(
    *,
    hits: int = 1000,
    links_per_hit: int = 20,
    revisions_per_hit: int = 5,
    responses_per_hit: int = 50,
    reports_per_hit: int = 10,
    members_per_hit: int = 3,
    seed: int = 2026,
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Build whatever part of the dataset is missing, then the stored scores. Returns row counts."""

    # One generator per part, so a part added to an older dataset gets the same rows as a fresh build.
    def rng(part: int) -> random.Random:
        return random.Random(seed + part)  # noqa: S311 - reproducible illustrative data, not security

    changed = False
    with transaction.atomic():
        changed |= _build_base(
            hits=hits,
            links_per_hit=links_per_hit,
            revisions_per_hit=revisions_per_hit,
            responses_per_hit=responses_per_hit,
            rng=rng(0),
            say=say,
        )
        changed |= _build_big_hit(say=say)
        changed |= _build_people(members_per_hit=members_per_hit, say=say)
        changed |= _build_reports(reports_per_hit=reports_per_hit, rng=rng(1), say=say)
        changed |= _build_history(rng=rng(2), say=say)
    if changed or not _scores_present():
        _compute_scores(say=say)
    else:
        say("Scale dataset already present.")
    return counts()


def scale_hits():
    from teams.models import HIT

    return HIT.objects.filter(name__startswith=PREFIX)


def _build_base(
    *,
    hits: int,
    links_per_hit: int,
    revisions_per_hit: int,
    responses_per_hit: int,
    rng: random.Random,
    say: Callable[[str], None],
) -> bool:
    """HITs, organisations, stakeholder links, PPI log, applications and revisions, survey answers."""
    from accreditation.models import Application, Revision, Round
    from engagement.models import Answer, InvolvementActivity, Item, Response, Stakeholder, Wave
    from teams.enums import HITStatus, LifecycleStage
    from teams.models import HIT, Organisation, OrganisationType, StakeholderCategory

    if scale_hits().count() >= hits:
        return False
    today = timezone.localdate()
    types = list(OrganisationType.objects.select_related("default_category"))
    categories = {c.code: c.pk for c in StakeholderCategory.objects.all()}
    say("Organisations...")
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Scale organisation {n:04d}", org_type=types[n % len(types)])
            for n in range(500)
        ],
        ignore_conflicts=True,
    )
    orgs = list(
        Organisation.objects.filter(name__startswith="Scale organisation").values_list(
            "pk", "org_type__default_category_id"
        )
    )
    say("HITs...")
    # A smaller build may be there already (--hits 20, then 1000): add only the HITs it lacks.
    existing = set(scale_hits().values_list("name", flat=True))
    new_names = [f"{PREFIX} {n:04d}" for n in range(hits) if f"{PREFIX} {n:04d}" not in existing]
    statuses = [HITStatus.ACTIVE] * 6 + [HITStatus.SET_UP, HITStatus.IN_APPLICATION, HITStatus.SUSPENDED]
    HIT.objects.bulk_create(
        [
            HIT(
                name=f"{PREFIX} {n:04d}",
                slug=f"scale-hit-{n:04d}",
                focus="Illustrative focus area",
                status=rng.choice(statuses),
                stage=rng.choice(LifecycleStage.values),
                is_illustrative=True,
            )
            for n in range(hits)
            if f"{PREFIX} {n:04d}" not in existing
        ],
        batch_size=1000,
    )
    hit_ids = list(HIT.objects.filter(name__in=new_names).values_list("pk", flat=True))
    say("Stakeholder links...")
    category_ids = list(categories.values())
    Stakeholder.objects.bulk_create(
        [
            Stakeholder(
                hit_id=hit_id,
                organisation_id=org_id,
                category_id=default_category or rng.choice(category_ids),
                depth=rng.randint(0, 3),
                start_date=today - datetime.timedelta(days=rng.randint(1, 900)),
                end_date=None if rng.random() > 0.1 else today - datetime.timedelta(days=1),
            )
            for hit_id in hit_ids
            for org_id, default_category in rng.sample(orgs, links_per_hit)
        ],
        batch_size=2000,
    )
    InvolvementActivity.objects.bulk_create(
        [
            InvolvementActivity(
                hit_id=hit_id,
                happened_on=today - datetime.timedelta(days=rng.randint(1, 400)),
                activity_type="meeting",
                level="involve",
                decision_forum=rng.choice(
                    ["none", "delivery", "hit_group", "hit_leadership", "commissioning"]
                ),
                patients=rng.randint(0, 8),
            )
            for hit_id in hit_ids
            for _ in range(5)
        ],
        batch_size=2000,
    )
    say("Applications and revisions...")
    round_, _ = Round.objects.get_or_create(
        name="Scale round",
        defaults={
            "opens_on": today - datetime.timedelta(days=400),
            "eoi_deadline": today - datetime.timedelta(days=350),
            "application_deadline": today - datetime.timedelta(days=300),
        },
    )
    Application.objects.bulk_create(
        [
            Application(hit_id=hit_id, round=round_, status="accredited", version=revisions_per_hit)
            for hit_id in hit_ids
        ],
        batch_size=1000,
    )
    applications = list(
        Application.objects.filter(round=round_, hit_id__in=hit_ids).values_list("pk", flat=True)
    )
    Revision.objects.bulk_create(
        [
            Revision(
                application_id=application_id,
                number=number,
                sections={
                    "aims": {"aims": "Illustrative aims", "problem": "A problem", "boundaries": "Many"}
                },
                organisation_count=4 + number,
                category_count=min(7, 2 + number),
            )
            for application_id in applications
            for number in range(1, revisions_per_hit + 1)
        ],
        batch_size=2000,
    )
    say("Survey waves, responses and answers...")
    items = list(Item.objects.filter(instrument__name="Readiness for collaboration", instrument__version=1))
    instrument_id = items[0].instrument_id
    Wave.objects.bulk_create(
        [
            Wave(
                hit_id=hit_id,
                instrument_id=instrument_id,
                title="Scale wave",
                opens_on=today - datetime.timedelta(days=60),
                closes_on=today - datetime.timedelta(days=30),
            )
            for hit_id in hit_ids
        ],
        batch_size=1000,
    )
    waves = list(Wave.objects.filter(title="Scale wave", hit_id__in=hit_ids).values_list("pk", "hit_id"))
    # Respondents come from a handful of the HIT's own partner organisations, as in a real wave.
    partners: dict[int, list[int]] = {}
    for hit_id, org_id in Stakeholder.objects.filter(hit_id__in=hit_ids).values_list(
        "hit_id", "organisation_id"
    ):
        partners.setdefault(hit_id, []).append(org_id)
    roles = ["leadership", "clinical", "management", "academic", "public", "other"]
    Response.objects.bulk_create(
        [
            Response(
                wave_id=wave_id,
                response_key=f"scale-{wave_id}-{n}",
                organisation_id=rng.choice(partners[hit_id][:6]) if rng.random() > 0.2 else None,
                role_group=rng.choice(roles),
                is_submitted=True,
                submitted_on=today - datetime.timedelta(days=40),
            )
            for wave_id, hit_id in waves
            for n in range(responses_per_hit)
        ],
        batch_size=5000,
    )
    response_ids = Response.objects.filter(
        response_key__startswith="scale-", wave__hit_id__in=hit_ids
    ).values_list("pk", flat=True)
    batch: list[Answer] = []
    for response_id in response_ids.iterator(chunk_size=5000):
        for item in items:
            batch.append(
                Answer(response_id=response_id, item_id=item.pk, value=rng.choice([1, 2, 3, 4, 5, None]))
            )
        if len(batch) >= 30000:
            Answer.objects.bulk_create(batch)
            batch = []
    if batch:
        Answer.objects.bulk_create(batch)
    return True


def _build_big_hit(*, say: Callable[[str], None]) -> bool:
    """One HIT far larger than the rest: its pages show whether cost grows with a HIT's size."""
    from engagement.models import Stakeholder
    from teams.models import Organisation

    big = scale_hits().order_by("pk").first()
    if big is None or big.stakeholders.count() >= BIG_HIT_LINKS:
        return False
    say(f"{BIG_HIT_LINKS} more stakeholder links for {big.name}...")
    category = big.stakeholders.values_list("category_id", flat=True).first()
    Stakeholder.objects.bulk_create(
        Stakeholder(hit=big, organisation_id=org_id, category_id=category, depth=2)
        for org_id in Organisation.objects.order_by("pk").values_list("pk", flat=True)[:BIG_HIT_LINKS]
    )
    return True


def _build_people(*, members_per_hit: int, say: Callable[[str], None]) -> bool:
    """The bench logins, a panel for the scale round, and each HIT's director (with a login) and
    members (directory entries), for HITs that have no director yet."""
    from django.contrib.auth.hashers import make_password

    from accreditation.enums import PanelRole
    from accreditation.models import Panel, PanelMember, Round
    from demo.data_directory import DEMO_PASSWORD
    from teams.enums import MembershipRole, ProgrammeRole
    from teams.models import Membership, Person, RoleAssignment, User

    changed = False
    password = make_password(DEMO_PASSWORD)
    for email, name, role in (
        (PM_EMAIL, "Scale Programme Manager", ProgrammeRole.PROGRAMME_MANAGER),
        (BOARD_EMAIL, "Scale Board Member", ProgrammeRole.BOARD_MEMBER),
        (CHAIR_EMAIL, "Scale Panel Chair", None),
    ):
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "password": password}
        )
        changed |= created
        if role:
            RoleAssignment.objects.get_or_create(user=user, role=role)
    round_ = Round.objects.filter(name="Scale round").first()
    if round_ is not None:
        panel, _ = Panel.objects.get_or_create(round=round_, name="Scale panel")
        PanelMember.objects.get_or_create(
            panel=panel, role=PanelRole.CHAIR, defaults={"user": User.objects.get(email=CHAIR_EMAIL)}
        )

    directed = Membership.objects.filter(role=MembershipRole.DIRECTOR).values("hit_id")
    todo = list(scale_hits().exclude(pk__in=directed).order_by("pk").values_list("pk", "name"))
    if not todo:
        return changed
    say(f"Directors and members of {len(todo)} HITs...")
    numbers = {pk: int(name.rsplit(" ", 1)[1]) for pk, name in todo}
    User.objects.bulk_create(
        [
            User(email=director_email(n), full_name=f"Scale Director {n:04d}", password=password)
            for n in numbers.values()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    users = dict(User.objects.filter(email__startswith="scale-director-").values_list("email", "pk"))
    people = []
    for n in numbers.values():
        people.append(
            Person(
                full_name=f"Scale Director {n:04d}", email=director_email(n), user_id=users[director_email(n)]
            )
        )
        people.extend(
            Person(full_name=f"Scale Member {n:04d}-{m}", email=f"scale-member-{n:04d}-{m}@{EMAIL_DOMAIN}")
            for m in range(1, members_per_hit + 1)
        )
    Person.objects.bulk_create(people, batch_size=2000, ignore_conflicts=True)
    person_ids = dict(Person.objects.filter(email__startswith="scale-").values_list("email", "pk"))
    since = timezone.localdate() - datetime.timedelta(days=3 * 365)
    Membership.objects.bulk_create(
        [
            Membership(
                hit_id=hit_id,
                person_id=person_ids[director_email(n)],
                role=MembershipRole.DIRECTOR,
                start_date=since,
            )
            for hit_id, n in numbers.items()
        ]
        + [
            Membership(
                hit_id=hit_id,
                person_id=person_ids[f"scale-member-{n:04d}-{m}@{EMAIL_DOMAIN}"],
                role=MembershipRole.MANAGEMENT_GROUP if m == 1 else MembershipRole.MEMBER,
                start_date=since,
            )
            for hit_id, n in numbers.items()
            for m in range(1, members_per_hit + 1)
        ],
        batch_size=2000,
    )
    return True


def _aware(day: datetime.date) -> datetime.datetime:
    """10:00 on the day, or yesterday for a day still to come (nothing happened in the future)."""
    day = min(day, timezone.localdate() - datetime.timedelta(days=1))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _build_reports(*, reports_per_hit: int, rng: random.Random, say: Callable[[str], None]) -> bool:
    """A six-monthly schedule per HIT and its last `reports_per_hit` reports, for HITs with none.

    The database allows one open report per HIT, so the earlier reports are accepted (some after a
    round of changes) and only the latest varies: draft, submitted, changes requested or accepted,
    with about one HIT in ten overdue (draft or sent back, due date passed). Submitted and accepted
    reports rate all twenty indicators and record two milestones each; drafts rate some.
    """
    from accreditation.criteria import CRITERIA
    from reporting.enums import FundingStatus, MilestoneStatus, ReportStatus
    from reporting.models import (
        IndicatorRating,
        Milestone,
        ProgressReport,
        ReportEvent,
        ReportSchedule,
        add_months,
    )
    from reporting.selectors import CONCEPT_OF_CRITERION
    from teams.enums import MembershipRole
    from teams.models import Membership, User

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
    last = reports_per_hit - 1
    schedules, reports, plans = [], [], []
    for hit_id in todo:
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
                    submitted_at=_aware(due_on - datetime.timedelta(days=3)) if submitted else None,
                    submitted_by_id=directors.get(hit_id) if submitted else None,
                    decided_at=_aware(due_on + datetime.timedelta(days=14)) if decided else None,
                    decided_by_id=pm_id if decided else None,
                    funding_status=rng.choice(FundingStatus.values) if submitted else "",
                )
            )
            plans.append((hit_id, period_start, period_end, this, sent_back))
    ReportSchedule.objects.bulk_create(schedules, batch_size=1000)
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    # bulk_create does not return primary keys on SQLite: read them back in the same order.
    ids = list(
        ProgressReport.objects.filter(hit_id__in=todo)
        .order_by("hit_id", "due_on")
        .values_list("pk", flat=True)
    )

    say("Indicator ratings, milestones and report events...")
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
            milestones.append(
                Milestone(
                    hit_id=hit_id,
                    title=f"Milestone {m + 1} of the period to {end:%b %Y}",
                    due_on=due_on,
                    met_on=met_on,
                    status=state,
                    report_id=recorded,
                )
            )
        if this != ReportStatus.DRAFT:
            summary.append((report_id, 2, met))
        actor = directors.get(hit_id)
        submitted_at = _aware(end - datetime.timedelta(days=2))
        decided_at = _aware(end + datetime.timedelta(days=15))
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
        events.extend(
            ReportEvent(
                report_id=report_id,
                actor_id=who,
                action=action,
                from_status=source,
                to_status=target,
                created_at=when + datetime.timedelta(minutes=i),
            )
            for i, (action, source, target, who, when) in enumerate(steps)
        )
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
    return True


def _build_history(*, rng: random.Random, say: Callable[[str], None]) -> bool:
    """What the board reads beyond the scores, for HITs without an accreditation yet: the decision
    and accreditation of each accredited application (three years, so about one in six ends within
    six months), a condition on one decision in five (half of them closed), one maturity
    assessment of the nine elements, and a "map" coverage snapshot in each of the last eight
    quarters (the worker adds today's)."""
    from accreditation.enums import DecisionOutcome
    from accreditation.models import Accreditation, Application, Condition, Decision
    from engagement.enums import MATURITY_ELEMENTS
    from engagement.models import CoverageSnapshot, MaturityAssessment, MaturityRating
    from reporting.models import add_months
    from teams.enums import MembershipRole
    from teams.models import Membership, User

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
    directors = dict(
        Membership.objects.filter(hit_id__in=hit_ids, role=MembershipRole.DIRECTOR).values_list(
            "hit_id", "person_id"
        )
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
                decided_at=_aware(decided_on[pk]),
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
                closed_at=_aware(decided_on[pk] + datetime.timedelta(days=50)) if closed else None,
                closed_by_id=pm_id if closed else None,
            )
        )
    Condition.objects.bulk_create(conditions, batch_size=1000)

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
    return True


def _scores_present() -> bool:
    from engagement.models import CoverageScore, ReadinessResult

    hits = scale_hits()
    return (
        CoverageScore.objects.filter(hit__in=hits).count() == hits.count()
        and ReadinessResult.objects.filter(wave__hit__in=hits).exists()
    )


def _compute_scores(*, say: Callable[[str], None]) -> None:
    """What the worker stores: every HIT's coverage, the results of every closed wave (released once),
    and today's portfolio snapshot."""
    from engagement import services
    from teams.services import portfolio_snapshot_take

    say("Scores (the worker's full recompute)...")
    services.coverage_compute()
    services.readiness_release()
    portfolio_snapshot_take()
    if connection.vendor == "postgresql":
        # Planner statistics for the freshly loaded tables, rather than waiting for autovacuum.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def counts() -> dict[str, int]:
    from accreditation.models import Accreditation, Revision
    from engagement.models import (
        Answer,
        CoverageScore,
        CoverageSnapshot,
        MaturityRating,
        ReadinessResult,
        Response,
        Stakeholder,
    )
    from reporting.models import IndicatorRating, Milestone, ProgressReport, ReportEvent
    from teams.models import HIT, Membership, User

    return {
        "hits": HIT.objects.count(),
        "stakeholder_links": Stakeholder.objects.count(),
        "application_revisions": Revision.objects.count(),
        "progress_reports": ProgressReport.objects.count(),
        "indicator_ratings": IndicatorRating.objects.count(),
        "milestones": Milestone.objects.count(),
        "report_events": ReportEvent.objects.count(),
        "survey_responses": Response.objects.count(),
        "survey_answers": Answer.objects.count(),
        "accreditations": Accreditation.objects.count(),
        "maturity_ratings": MaturityRating.objects.count(),
        "coverage_snapshots": CoverageSnapshot.objects.count(),
        "memberships": Membership.objects.count(),
        "logins": User.objects.count(),
        "coverage_scores": CoverageScore.objects.count(),
        "readiness_results": ReadinessResult.objects.count(),
    }
