"""Illustrative demo data (docs/domain.md section 10): `load_demo`, which `manage.py seed_demo` runs.

Everything here is invented for demonstration: the organisations of a Bristol-like region called "Avon",
the people, and twenty HITs (``is_illustrative=True``). The six focus areas are the ones the research names
(docs/domain.md R7.1); the other fourteen are plausible additions. None of it describes real teams or people.

Demo logins (demo/data_directory.py): every account below uses the password ``hitportal-demo``
(DEMO_PASSWORD), and finds work waiting.

    pm@example.org             programme manager (pages, not the admin site): an accreditation ending within six
                               months, an EOI and two applications with the panel, the PPI caseload, the
                               Dementia HIT's progress report to accept, two overdue reports
    board@example.org          board member: portfolio, engagement and readiness results (read only)
    ppi@example.org            PPI facilitator: caseload with flagged HITs, an open support request
    chair@example.org          panel chair of the 2026 and 2023 rounds: an EOI to decide, Cancer
                               survivorship v2 to start reviewing, Healthy Weight under review, a conflict
    reviewer@example.org       reviewer: declared no conflict on Healthy Weight, review saved as a draft
    reviewer2@example.org      reviewer: assigned to Healthy Weight, flagged (works at South Avon CCG,
                               which the application names), interests still to declare
    lay@example.org            lay (public review group) reviewer: interests to declare on Healthy Weight;
                               wrote the public review of the PPI of the Maternity HIT (in set-up)
    applicant@example.org      applicant (not in any HIT yet): one EOI submitted, one in draft
    director@example.org       HIT director, Dementia HIT: accreditation ends within six months (start the
                               renewal from the accredited application), an open condition, engagement,
                               three accepted progress reports and the current one submitted
    sponsor@example.org        executive sponsor, Dementia HIT: owns an action-plan item
    member@example.org         member, Dementia HIT: survey results, maturity matrix, a PPI support request
    emma.thornton@example.org  HIT director, Healthy Weight HIT: application under review
    daniel.obi@example.org     HIT director, Cancer survivorship HIT: feedback answered, v2 submitted
    norole@example.org         a login with no role at all
    admin@example.org          superuser (admin site)

Deliberate gaps, so the attention lists have something to show (DELIBERATE_GAPS, demo/data_hits.py): the
active Stroke HIT has no director (the post is vacant), one working group of the active Pain Management HIT has
no service lead, the Diabetes (active) and Sexual Health (set-up) HITs have no PPI lead, the Drugs and Alcohol
HIT logged no PPI for over 90 days, and the Dementia HIT's accreditation ends within six months with one
condition still open.

After accreditation (demo/reports.py, demo/lifecycle.py): reporting schedules for every running HIT, the
Dementia HIT's progress reports (three accepted, the current one submitted), reports opened by the nightly run
(two overdue, two due soon); closure records of the closing and closed HITs; related HITs; the Dementia HIT's
meetings; executive sponsor contacts (green, amber and red); life-cycle stage assessments; and portfolio
snapshots for the last eight quarters, counted from the status histories.

Accreditation history (demo/accreditation_history.py): one round a year for six years before the current one;
every other HIT that was accredited got its application, reviews and decision at its "accredit" step, and its
renewals, through the services on a travelling clock (demo/clock.py). Score history (demo/score_history.py):
yearly readiness surveys of eight running HITs and coverage as of each of the last eight quarters' ends.

Accreditation (demo/accreditation.py), each step through ``accreditation.services`` as the acting login:
- Dementia HIT, 2023 round: drafted, sponsor confirmed with the signed link, submitted, reviewed by three panel
  members, accredited with two conditions (one closed with evidence since, one open and due before the end).
- Healthy Weight HIT, current round: submitted, under review; reviewers assigned, one conflict flagged.
- Cancer survivorship HIT, current round: v1 reviewed, consolidated feedback released and answered, v2
  submitted and waiting for the chair.
- applicant@'s expressions of interest: one submitted, one draft.
Engagement (demo/engagement.py), through ``engagement.services*``: every HIT's map mirrored from its memberships,
manual map rows, PPI logs, a standards self-assessment and a public review, a readiness survey answered through
one-time links, a maturity assessment and an action plan; then the stored coverage and readiness scores.

The loader is idempotent: every row is matched by a natural key (organisation name, person email, HIT slug,
working group name, round name, an application's HIT and round, a log entry's description...) and only created
when missing; an existing row is left as it is (an existing login keeps its password). HIT statuses are reached
through ``teams.services.hits.hit_transition`` from *proposed*, only when the HIT is created, so each HIT has a
truthful status history (demo/history.py); the history and the membership dates are then dated back along the HIT's timeline
(relative to today). The services stamp "now", so every step of an application is dated back the same way
after the service ran; where a service refuses a past date (a condition's due date) the ORM sets it after,
as noted at that spot. Loading sends no email and queues no job (see `_notifications_dropped`).

Where each part lives: the tables in demo/data_<noun>.py, the steps that load them in demo/<noun>.py
(directory, hits, history, accreditation, engagement, reports, lifecycle). This module runs the steps in
order in one transaction, and checks at import that the tables agree with each other (`_check_spec`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from accreditation.domain.sections import SECTIONS
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    Decision,
    ExpressionOfInterest,
    FeedbackPoint,
    Panel,
    PanelMember,
    Review,
    ReviewAssignment,
    Revision,
    Round,
)
from accreditation.services.calibration import all_calibrations_recompute
from core.versions import bump, tracked_models
from demo.accreditation import load_accreditation, load_rounds
from demo.accreditation_history import load_past_rounds
from demo.context import DemoContext
from demo.data_accreditation import (
    CANCER_APPLICATION,
    CANCER_REVISION_2_NEW_ROW,
    DEMENTIA_APPLICATION,
    EOIS,
    HEALTHY_WEIGHT_APPLICATION,
)
from demo.data_directory import DEMO_PASSWORD, LOGINS, ORGANISATIONS, PEOPLE, PEOPLE_BY_KEY
from demo.data_engagement import DEMENTIA_ACTIONS, DEMENTIA_MAP_ROWS, PPI_LOG, SURVEY_RESPONDENTS
from demo.data_hits import HITS
from demo.directory import load_organisations, load_people, load_users
from demo.engagement import compute_scores, load_engagement
from demo.history import walk_statuses
from demo.hits import load_hits, load_structures
from demo.lifecycle import load_lifecycle
from demo.network import load_network_rounds
from demo.reports import load_reports
from demo.score_history import load_score_history
from engagement.enums import NetworkSource
from engagement.models import (
    ActionPlanItem,
    CoverageScore,
    Invitation,
    InvolvementActivity,
    MaturityAssessment,
    NetworkRating,
    NetworkResult,
    NetworkRound,
    PublicReview,
    ReadinessResult,
    Response,
    Stakeholder,
    StandardsAssessment,
    SupportRequest,
    Wave,
)
from reporting.models import ProgressReport, ReportSchedule, StageAssessment
from reporting.services.portfolio_statistics import portfolio_statistics_recompute
from teams.models import (
    HIT,
    Affiliation,
    ClosureRecord,
    HITLink,
    HITStatusChange,
    Meeting,
    Membership,
    Organisation,
    Person,
    PortfolioSnapshot,
    RoleAssignment,
    SponsorInteraction,
    User,
    WorkingGroup,
)
from teams.roles import forget_roles

# Models whose row counts load_demo reports (label -> model). The last two are computed scores.
COUNTED = {
    "organisations": Organisation,
    "people": Person,
    "affiliations": Affiliation,
    "users": User,
    "role_assignments": RoleAssignment,
    "hits": HIT,
    "status_changes": HITStatusChange,
    "working_groups": WorkingGroup,
    "memberships": Membership,
    "rounds": Round,
    "panels": Panel,
    "panel_members": PanelMember,
    "expressions_of_interest": ExpressionOfInterest,
    "applications": Application,
    "revisions": Revision,
    "review_assignments": ReviewAssignment,
    "reviews": Review,
    "feedback_points": FeedbackPoint,
    "decisions": Decision,
    "accreditations": Accreditation,
    "conditions": Condition,
    "stakeholders": Stakeholder,
    "ppi_log_entries": InvolvementActivity,
    "standards_assessments": StandardsAssessment,
    "public_reviews": PublicReview,
    "support_requests": SupportRequest,
    "survey_waves": Wave,
    "survey_invitations": Invitation,
    "survey_responses": Response,
    "network_rounds": NetworkRound,
    "network_ratings": NetworkRating,
    "maturity_assessments": MaturityAssessment,
    "action_plan_items": ActionPlanItem,
    "coverage_scores": CoverageScore,
    "readiness_results": ReadinessResult,
    "report_schedules": ReportSchedule,
    "progress_reports": ProgressReport,
    "closure_records": ClosureRecord,
    "hit_links": HITLink,
    "meetings": Meeting,
    "sponsor_interactions": SponsorInteraction,
    "stage_assessments": StageAssessment,
    "portfolio_snapshots": PortfolioSnapshot,
}
SCORES = ("coverage_scores", "readiness_results")


@contextlib.contextmanager
def _notifications_dropped() -> Iterator[None]:
    """Drop what the services queue for after commit (emails, score jobs) while the demo loads.

    Must run inside a transaction. The emails would tell invented addresses about events that the
    demo dates months back; the score jobs are replaced by `demo.engagement.compute_scores`.
    """
    connection = transaction.get_connection()
    queued = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[queued:]


def row_counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in COUNTED.items()}


def load_demo(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Load the demo data (idempotent). Returns the number of rows created per kind (see COUNTED).

    Side effects beyond the rows: none. The notifications the services queue for after commit are
    dropped (they would describe back-dated events to invented addresses), and the scores the worker
    would compute are computed here instead, only when something was loaded or a score is missing.
    """
    before = row_counts()
    ctx = DemoContext(today=timezone.localdate(), out=stdout)
    with transaction.atomic(), _notifications_dropped():
        load_organisations(ctx)
        load_users(ctx)
        load_people(ctx)
        load_hits(ctx)
        load_structures(ctx)
        # The rounds and their panels first: the walk accredits and renews through them.
        load_past_rounds(ctx)
        load_rounds(ctx)
        for user in ctx.users.values():
            forget_roles(user)  # panels and memberships were added since the roles were looked up
        walk_statuses(ctx)
        load_accreditation(ctx)
        load_engagement(ctx)
        load_network_rounds(ctx)
        load_score_history(ctx)
        loaded = row_counts()
        scores_missing = (
            CoverageScore.objects.count() < HIT.objects.count()
            or Wave.objects.filter(released_at__isnull=True, closes_on__lt=ctx.today).exists()
            or NetworkResult.objects.filter(source=NetworkSource.CO_MEMBERSHIP).count() < HIT.objects.count()
        )
        if scores_missing or any(loaded[label] != before[label] for label in COUNTED if label not in SCORES):
            compute_scores()
        # After the scores: the current report attaches the readiness results the worker computed.
        load_reports(hits=ctx.hits, users=ctx.users, today=ctx.today, say=ctx.say)
        load_lifecycle(
            hits=ctx.hits,
            users=ctx.users,
            stages={spec.slug: spec.stage for spec in HITS},
            today=ctx.today,
            say=ctx.say,
        )
        # What the nightly run stores for the board dashboard: the funnel plot and the monthly charts.
        portfolio_statistics_recompute(today=ctx.today)
        # And the round boards' reviewer calibration (queued after each submission; here at once).
        all_calibrations_recompute()
    # The walk back-dates rows with QuerySet.update, which sends no signal: every cached page part
    # (core.versions) renders again rather than wait for LIST_CACHE_SECONDS.
    bump(*tracked_models())
    after = row_counts()
    created = {label: after[label] - before[label] for label in COUNTED}
    if ctx.new_hits:
        ctx.say(f"Created {len(ctx.new_hits)} HITs and walked them through their status history.")
    return created


def logins_table() -> list[str]:
    """The demo logins as aligned text lines (the command prints them)."""
    width = max(len(login.email) for login in LOGINS)
    lines = [f"{'Login'.ljust(width)}  Role", f"{'-' * width}  {'-' * 40}"]
    lines += [f"{login.email.ljust(width)}  {login.shows}" for login in LOGINS]
    lines.append(f"Password for every demo login: {DEMO_PASSWORD}")
    return lines


def _check_spec() -> None:
    """Catch mistakes in the tables of demo/data_*.py at import time (unknown keys, a history that does
    not move on)."""
    org_keys = {row[0] for row in ORGANISATIONS}
    slugs = {spec.slug for spec in HITS}
    problems: list[str] = []
    for spec in HITS:
        months = [spec.proposed_months_ago, *(step.months_ago for step in spec.steps)]
        if months != sorted(months, reverse=True) or len(set(months)) != len(months):
            problems.append(f"{spec.slug}: steps are not in time order")
        if spec.host not in org_keys:
            problems.append(f"{spec.slug}: unknown host {spec.host!r}")
        keys = [
            spec.director,
            spec.former_director,
            spec.co_director,
            spec.sponsor,
            spec.ppi_lead,
            *spec.management,
            *spec.members,
        ]
        keys += [k for wg in spec.working_groups for k in (wg.academic, wg.service)]
        keys += [k for k, _ in spec.theme_leads]
        problems += [f"{spec.slug}: unknown person {k!r}" for k in keys if k and k not in PEOPLE_BY_KEY]
        problems += [
            f"{spec.slug}: unknown HIT {step.merged_into!r}"
            for step in spec.steps
            if step.merged_into and step.merged_into not in slugs
        ]
    for person in PEOPLE:
        problems += [
            f"{person.key}: unknown organisation {org!r}" for org, _, _ in person.posts if org not in org_keys
        ]
    logins = {login.key for login in LOGINS if login.has_person}
    for app in (DEMENTIA_APPLICATION, HEALTHY_WEIGHT_APPLICATION, CANCER_APPLICATION):
        if app.director not in logins:
            problems.append(f"{app.slug} application: its director {app.director!r} has no login to act with")
        if app.sponsor not in PEOPLE_BY_KEY:
            problems.append(f"{app.slug} application: unknown sponsor {app.sponsor!r}")
        if set(app.sections) != {s.key for s in SECTIONS if s.form_class is not None}:
            problems.append(f"{app.slug} application: sections do not match accreditation.domain.sections")
    rows = [
        *(
            row.org
            for app in (DEMENTIA_APPLICATION, HEALTHY_WEIGHT_APPLICATION, CANCER_APPLICATION)
            for row in app.rows
        ),
        CANCER_REVISION_2_NEW_ROW.org,
        *(org for *_, partners in EOIS for org, _ in partners),
        *(org for org, *_ in DEMENTIA_MAP_ROWS),
        *(org for org, _ in SURVEY_RESPONDENTS),
    ]
    problems += [f"unknown organisation {org!r}" for org in rows if org and org not in org_keys]
    problems += [f"PPI log: unknown HIT {entry.slug!r}" for entry in PPI_LOG if entry.slug not in slugs]
    problems += [
        f"PPI log: {entry.recorded_by!r} has no login" for entry in PPI_LOG if entry.recorded_by not in logins
    ]
    problems += [
        f"action plan: unknown owner {o!r}" for _, o, *_ in DEMENTIA_ACTIONS if o not in PEOPLE_BY_KEY
    ]
    if problems:
        raise ValueError("Demo data is inconsistent: " + "; ".join(problems))


_check_spec()
