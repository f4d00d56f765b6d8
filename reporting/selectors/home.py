"""The panels of the home page and of a HIT's page that come from progress reporting."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone

from accreditation.models import Accreditation, Application, Condition, Decision
from engagement.models import PublicReview
from reporting import permissions
from reporting import receivers as checklist
from reporting.enums import OPEN_STATUSES, WITH_TEAM, ReportStatus
from reporting.models import HITFlagState, ProgressReport
from reporting.selectors import flags
from reporting.selectors.stages import latest_stage_assessment
from teams.enums import HITStatus, Role
from teams.models import HIT, Membership, Person, User, WorkingGroup
from teams.roles import AnyUser, roles_of

LIVE_STATUSES = (HITStatus.SET_UP, HITStatus.ACTIVE, HITStatus.SUSPENDED)
SETUP_SHOWN = 10  # set-up checklists on the programme manager's home page

# --- Lists -------------------------------------------------------------------------------------------


def overdue_condition(today: datetime.date) -> Q:
    """Due date passed and still with the team (not submitted, accepted or skipped): the rule of
    ProgressReport.is_overdue_on, as a condition for queries."""
    return Q(due_on__lt=today, status__in=[s.value for s in WITH_TEAM])


def open_report(*, hit: HIT) -> ProgressReport | None:
    return ProgressReport.objects.filter(
        hit=hit, status__in=[ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.CHANGES_REQUESTED]
    ).first()


# --- Panels for the HIT page and the programme manager's home page -----------------------------------


def hit_panels(user: AnyUser, hit: HIT) -> dict[str, object]:
    """What the HIT page shows from reporting: early-warning flags, the set-up checklist (while the
    HIT is in set-up), the open report and the confirmed life-cycle stage. Empty for users who may
    not see the HIT's reports. A fixed number of queries."""
    if not permissions.can_view_reports(user, hit):
        return {}
    today = timezone.localdate()
    current = open_report(hit=hit)
    stored = flags.stored_flags_for_hit(hit.pk)
    return {
        "reporting_hit": hit,
        "open_report_readable": bool(current and permissions.can_read_report(user, current)),
        # The worker's stored flags (None: never computed yet), never computed on the page.
        "reporting_flags_stored": stored,
        "reporting_flags": stored.flags if stored else [],
        "setup_checklist": checklist.checklist_for(hit) if hit.status == HITStatus.SET_UP else None,
        "open_report": current,
        "open_report_overdue": bool(current and current.is_overdue_on(today)),
        "latest_stage": latest_stage_assessment(hit=hit),
        "can_start_report": bool(permissions.can_start_report(user, hit)) and current is None,
        "can_manage_schedule": bool(permissions.can_manage_schedule(user, hit)),
        "can_assess_stage": bool(permissions.can_assess_stage(user, hit)),
    }


def member_home_panels(user: AnyUser) -> dict[str, object]:
    """A HIT member's home page: the open progress report of each of their HITs (one query), each
    with `overdue` and `with_team` (draft or changes requested)."""
    roles = roles_of(user)
    if not roles.hit_ids:
        return {}
    today = timezone.localdate()
    reports = list(
        ProgressReport.objects.filter(hit_id__in=roles.hit_ids, status__in=[s.value for s in OPEN_STATUSES])
        .annotate(
            overdue=Case(
                When(overdue_condition(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            with_team=Case(
                When(status__in=[s.value for s in WITH_TEAM], then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related("hit")
        .order_by("due_on", "hit__name")
    )
    return {"member_panels": True, "my_reports": reports}


def pm_home_panels(user: AnyUser, *, limit: int = 50) -> dict[str, object]:
    """The programme manager's home page: live HITs with early-warning flags (the worker's stored
    flags with their "as of", never computed here), reports submitted and waiting for a decision,
    overdue reports and the checklist of HITs waiting in set-up. A fixed number of queries whatever
    the number of HITs."""
    if not roles_of(user).has(Role.PROGRAMME_MANAGER):
        return {}
    today = timezone.localdate()
    portfolio = flags.stored_flags_for_portfolio(statuses=LIVE_STATUSES, limit=limit)
    # The HITs waiting longest in set-up, a page of them: the checklists of the others are on their pages.
    in_setup = HIT.objects.filter(status=HITStatus.SET_UP)
    setup = list(in_setup.order_by("status_changed_at", "pk")[:SETUP_SHOWN])
    lists = checklist.checklists_for([h.pk for h in setup])
    return {
        "pm_panels": True,
        "flagged_hits": portfolio.rows,
        "flagged_hits_total": portfolio.total,
        "flags_not_computed": portfolio.not_computed,
        "flags_oldest": portfolio.oldest,
        "flags_newest": portfolio.newest,
        "today_iso": today.isoformat(),
        "setup_checklists": [(h, lists[h.pk]) for h in setup],
        "setup_total": in_setup.count() if len(setup) == SETUP_SHOWN else len(setup),
        # Oldest submission first: the team has waited longest for those.
        "reports_to_review": list(
            ProgressReport.objects.filter(status=ReportStatus.SUBMITTED)
            .select_related("hit", "submitted_by")
            .order_by("submitted_at", "pk")[:limit]
        ),
        "overdue_reports": list(
            ProgressReport.objects.filter(overdue_condition(today))
            .select_related("hit")
            .order_by("due_on")[:limit]
        ),
    }


#: What pm_home_panels shows (tracked by core.versions in ReportingConfig.ready): the stored flags (the
#: worker's upsert bumps their version), the HITs, the reports, and what the set-up checklists read
#: (accreditations, applications, decisions and conditions, memberships and working groups, public
#: reviews), with the names of people and logins.
PM_HOME_SOURCES: tuple[type[models.Model], ...] = (
    HITFlagState,
    HIT,
    ProgressReport,
    Accreditation,
    Application,
    Decision,
    Condition,
    Membership,
    WorkingGroup,
    PublicReview,
    Person,
    User,
)
