"""The docs/domain.md section 9 dataset, built with bulk inserts for benchmarks and load checks.

1,000 HITs, 20,000 stakeholder links (one HIT has 400 more, to show whether a page's cost grows
with a HIT's size), 5,000 application revisions, 10,000 progress reports with their schedules,
indicator ratings, milestones and events, 50,000 survey responses (each answering the 30-item bank),
the HITs' directors and members, their accreditations (some with conditions, some due for renewal),
maturity assessments and two years of quarterly coverage snapshots, and the stored scores the
worker would compute. Everything is marked illustrative and lives under its own names ("Scale HIT
0001", scale-...@example.org), so it never mixes with the demo data.

Each part is built only for the scale HITs that lack it, so running `build()` again adds nothing,
and a dataset built before a part existed gains just that part. The parts: demo/scale_hits.py (HITs,
organisations, links, applications, survey answers, people) and demo/scale_history.py (reports,
accreditations, maturity, coverage history); the names in demo/data_scale.py.

Logins (password ``hitportal-demo``, as the demo): scale-pm@example.org (programme manager),
scale-board@example.org (board member), scale-chair@example.org (chair of the scale round's panel)
scale-director-NNNN@example.org (director of Scale HIT NNNN) and scale-member-NNNN-2@example.org (a
member of Scale HIT NNNN, demo/data_scale.py MEMBER_WITH_LOGIN).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from accreditation.models import Accreditation, Revision, Round
from accreditation.services.calibration import all_calibrations_recompute
from core.versions import bump, tracked_models
from demo.data_scale import BOARD_EMAIL, PM_EMAIL, ROUND_NAME, director_email
from demo.scale_history import build_history, build_reports
from demo.scale_hits import build_base, build_big_hit, build_member_logins, build_people, scale_hits
from engagement.models import (
    Answer,
    CoverageScore,
    CoverageSnapshot,
    MaturityRating,
    ReadinessResult,
    Response,
    Stakeholder,
)
from engagement.services.item_bank import item_bank_quality_compute
from engagement.services.releases import readiness_release
from engagement.services.scores import coverage_compute
from reporting.models import (
    HITFlagState,
    IndicatorRating,
    Milestone,
    PortfolioStatistic,
    ProgressReport,
    ReportEvent,
)
from reporting.services.flags import hit_flags_recompute
from reporting.services.portfolio_statistics import portfolio_statistics_recompute
from teams.models import HIT, Membership, User
from teams.services.portfolio import portfolio_snapshot_take


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
    big = scale_hits().annotate(n=Count("stakeholders")).order_by("-n", "pk").first()
    director = director_email(int(big.name.rsplit(" ", 1)[1]))
    round_id = Round.objects.get(name=ROUND_NAME).pk
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
        changed |= build_base(
            hits=hits,
            links_per_hit=links_per_hit,
            revisions_per_hit=revisions_per_hit,
            responses_per_hit=responses_per_hit,
            rng=rng(0),
            say=say,
        )
        changed |= build_big_hit(say=say)
        changed |= build_people(members_per_hit=members_per_hit, say=say)
        changed |= build_member_logins(say=say)
        changed |= build_reports(reports_per_hit=reports_per_hit, rng=rng(1), say=say)
        changed |= build_history(rng=rng(2), say=say)
    if changed or not _scores_present():
        _compute_scores(say=say)
    else:
        say("Scale dataset already present.")
    # Rows written in bulk send no signal: every cached page part (core.versions) renders again.
    bump(*tracked_models())
    return counts()


def _scores_present() -> bool:
    hits = scale_hits()
    return (
        CoverageScore.objects.filter(hit__in=hits).count() == hits.count()
        and ReadinessResult.objects.filter(wave__hit__in=hits).exists()
        and HITFlagState.objects.filter(hit__in=hits).count() == hits.count()
        and PortfolioStatistic.objects.exists()
        and not Round.objects.filter(calibration__isnull=True).exists()
    )


def _compute_scores(*, say: Callable[[str], None]) -> None:
    """What the worker stores: every HIT's coverage, the results of every closed wave (released once),
    today's portfolio snapshot, and what the nightly runs store for the pages to read: the item bank's
    reliability, every HIT's early-warning flags, the board's funnel and XmR charts and the round boards'
    reviewer calibration."""
    say("Scores (the worker's full recompute)...")
    coverage_compute()
    readiness_release()
    portfolio_snapshot_take()
    item_bank_quality_compute()
    hit_flags_recompute()
    portfolio_statistics_recompute()
    all_calibrations_recompute()
    if connection.vendor == "postgresql":
        # Planner statistics for the freshly loaded tables, rather than waiting for autovacuum.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def counts() -> dict[str, int]:
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
