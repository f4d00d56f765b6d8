"""Early-warning flags (docs/domain.md R8.7 F16), wherever their inputs exist in the portal.

Each flag reads stored data only: submitted progress reports, memberships, the EOI, the stored
engagement coverage, the sponsor log. `flags_for_hits` answers for many HITs in a fixed number of
queries (eight at most), whatever their number; `flags_for_hit` is the same for one HIT.

Only the worker computes them (reporting.services.flags stores them in HITFlagState, on change and
nightly); pages read the stored rows through `stored_flags_for_hit` and `stored_flags_for_portfolio`,
with the "as of" of the computation, and never call `flags_for_hits`.

| Flag            | Trigger (our thresholds)                                                      | Grounding |
|-----------------|-------------------------------------------------------------------------------|-----------|
| capacity        | latest submitted report: funding at risk or none, or pending for > 3 months    | A8.3, A8.4 |
| complexity      | more than 8 partner organisations among current members                        | A4.4 |
| turnover        | a director, co-director, sponsor or lead left or was replaced in 6 months      | A4.7 |
| rivalry         | the EOI's known risks mention competition or rivalry between partners          | A2.1 |
| missing_actors  | the stored coverage has gaps in providers, commissioners or the public         | Box 1 |
| open_conflict   | the latest submitted report has a conflict unresolved for more than 60 days    | T7 |
| stalled         | F14 progress index < 0.5 in the two latest submitted reports                   | Box 1, F14 |
| sponsor_silence | no sponsor interaction logged for more than 180 days (if the sponsor log exists)| F7 |
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accreditation.models import ExpressionOfInterest
from engagement.models import CoverageScore
from reporting.enums import FundingStatus, ReportStatus, RiskKind
from reporting.models import HITFlagState, ProgressReport, ReportRisk, add_months
from teams.enums import HITStatus, MembershipRole
from teams.models import HIT, HITStatusChange, Membership
from teams.selectors.hits import current_memberships

COMPLEXITY_PARTNERS = 8  # more than this many partner organisations
TURNOVER_MONTHS = 6
RIVALRY = re.compile(
    r"\b(compet(e|ed|es|ing|ition|itions|itive|itor|itors)|rival(s|ry|ries)?)\b", re.IGNORECASE
)
CORE_CATEGORIES = ("PROV", "COMM", "PUBLIC")
OPEN_CONFLICT_DAYS = 60
STALL_INDEX = 0.5
FUNDING_PENDING_DAYS = 90
SPONSOR_SILENCE_DAYS = 180
# The sponsor relationship is followed once the HIT is accredited.
SPONSORED_STATUSES = (HITStatus.SET_UP, HITStatus.ACTIVE, HITStatus.SUSPENDED)
KEY_ROLES = (
    MembershipRole.DIRECTOR,
    MembershipRole.CO_DIRECTOR,
    MembershipRole.EXECUTIVE_SPONSOR,
    MembershipRole.WORKING_GROUP_LEAD,
    MembershipRole.THEME_LEAD,
    MembershipRole.PPI_LEAD,
)

CAPACITY = "capacity"
COMPLEXITY = "complexity"
TURNOVER = "turnover"
RIVALRY_HISTORY = "rivalry"
MISSING_ACTORS = "missing_actors"
OPEN_CONFLICT = "open_conflict"
STALLED = "stalled"
SPONSOR_SILENCE = "sponsor_silence"

LABELS = {
    CAPACITY: "Capacity",
    COMPLEXITY: "Complexity",
    TURNOVER: "Leadership turnover",
    RIVALRY_HISTORY: "History of rivalry",
    MISSING_ACTORS: "Missing key actors",
    OPEN_CONFLICT: "Open conflict",
    STALLED: "Stalled progress",
    SPONSOR_SILENCE: "Sponsor silence",
}


#: How each check raises a flag: add(hit_id, code, detail).
AddFlag = Callable[[int, str, str], None]


@dataclass(frozen=True)
class Flag:
    code: str
    detail: str

    @property
    def label(self) -> str:
        return LABELS[self.code]


def flags_for_hit(hit: HIT, *, today: datetime.date | None = None) -> list[Flag]:
    return flags_for_hits([hit.pk], today=today).get(hit.pk, [])


def flags_for_hits(hit_ids: Iterable[int], *, today: datetime.date | None = None) -> dict[int, list[Flag]]:
    """The flags of each HIT (every id gets a list, empty when nothing is flagged)."""
    ids = list(hit_ids)
    found: dict[int, list[Flag]] = {hit_id: [] for hit_id in ids}
    if not ids:
        return found
    today = today or timezone.localdate()

    def add(hit_id: int, code: str, detail: str) -> None:
        found[hit_id].append(Flag(code, detail))

    latest_two = _latest_submitted_reports(ids)
    _capacity(latest_two, today, add)
    _stalled(latest_two, add)
    _open_conflicts(latest_two, today, add)
    _complexity(ids, today, add)
    _turnover(ids, today, add)
    _rivalry(ids, add)
    _missing_actors(ids, add)
    _sponsor_silence(ids, today, add)
    order = list(LABELS)
    for flags in found.values():
        flags.sort(key=lambda flag: order.index(flag.code))
    return found


# --- From the progress reports -----------------------------------------------------------------------


def _latest_submitted_reports(ids: list[int]) -> dict[int, list[ProgressReport]]:
    """Per HIT, its two latest reports that were ever submitted (newest first), in one query."""
    rows = (
        ProgressReport.objects.filter(hit_id__in=ids, submitted_at__isnull=False)
        .exclude(status=ReportStatus.SKIPPED)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("hit_id")], order_by=[F("due_on").desc(), F("pk").desc()]
            )
        )
        .filter(position__lte=2)
        .only(
            "pk",
            "hit_id",
            "due_on",
            "funding_status",
            "submitted_at",
            "milestones_due",
            "milestones_met_on_time",
        )
        .order_by("hit_id", "position")
    )
    latest: dict[int, list[ProgressReport]] = {}
    for report in rows:
        latest.setdefault(report.hit_id, []).append(report)
    return latest


def _capacity(latest: dict[int, list[ProgressReport]], today: datetime.date, add: AddFlag) -> None:
    for hit_id, reports in latest.items():
        newest = reports[0]
        if newest.funding_status in (FundingStatus.AT_RISK, FundingStatus.NONE):
            add(
                hit_id,
                CAPACITY,
                f"The report due {newest.due_on:%d %b %Y} gives the funding as "
                f"{newest.get_funding_status_display().lower()}.",
            )
        elif newest.funding_status == FundingStatus.PENDING:
            since = newest.submitted_at
            if len(reports) > 1 and reports[1].funding_status == FundingStatus.PENDING:
                since = reports[1].submitted_at
            if timezone.localdate(since) <= today - datetime.timedelta(days=FUNDING_PENDING_DAYS):
                add(
                    hit_id,
                    CAPACITY,
                    f"External funding has been pending since at least {timezone.localdate(since):%d %b %Y}.",
                )


def _stalled(latest: dict[int, list[ProgressReport]], add: AddFlag) -> None:
    for hit_id, reports in latest.items():
        indices = [report.progress_index for report in reports]
        low = [i for i in indices if i is not None and i < STALL_INDEX]
        if len(indices) == 2 and len(low) == 2:
            shown = " and ".join(f"{round(i * 100)}%" for i in reversed(low))
            add(
                hit_id,
                STALLED,
                f"Fewer than half the milestones due were met on time in the last two reports ({shown}).",
            )


def _open_conflicts(latest: dict[int, list[ProgressReport]], today: datetime.date, add: AddFlag) -> None:
    newest_ids = {reports[0].pk: hit_id for hit_id, reports in latest.items()}
    if not newest_ids:
        return
    cutoff = today - datetime.timedelta(days=OPEN_CONFLICT_DAYS)
    for report_id, opened_on, description in (
        ReportRisk.objects.filter(
            report_id__in=list(newest_ids),
            kind=RiskKind.CONFLICT,
            resolved_on__isnull=True,
            opened_on__lt=cutoff,
        )
        .order_by("opened_on", "pk")
        .values_list("report_id", "opened_on", "description")
    ):
        days = (today - opened_on).days
        add(newest_ids[report_id], OPEN_CONFLICT, f"A conflict open for {days} days: {description[:80]}")


# --- From the HIT's structures, EOI, coverage and sponsor log ----------------------------------------


def _complexity(ids: list[int], today: datetime.date, add: AddFlag) -> None:
    for hit_id, n in (
        current_memberships(today)
        .filter(hit_id__in=ids, organisation__isnull=False)
        .order_by()
        .values("hit_id")
        .annotate(n=Count("organisation", distinct=True))
        .filter(n__gt=COMPLEXITY_PARTNERS)
        .values_list("hit_id", "n")
    ):
        add(
            hit_id, COMPLEXITY, f"{n} partner organisations take part; coordination costs rise with each one."
        )


def _turnover(ids: list[int], today: datetime.date, add: AddFlag) -> None:
    """A key post whose holder left in the window, or whose new holder started in it after someone else."""
    cutoff = add_months(today, -TURNOVER_MONTHS)
    same_post_earlier = (
        Membership.objects.filter(
            hit_id=OuterRef("hit_id"),
            role=OuterRef("role"),
            lead_side=OuterRef("lead_side"),
            start_date__lt=OuterRef("start_date"),
        )
        .annotate(group_key=Coalesce("working_group_id", Value(0)), theme_key=Coalesce("theme_id", Value(0)))
        .filter(
            group_key=Coalesce(OuterRef("working_group_id"), Value(0)),
            theme_key=Coalesce(OuterRef("theme_id"), Value(0)),
        )
    )
    left = Q(end_date__gte=cutoff, end_date__lte=today)
    replaced = Q(start_date__gte=cutoff, start_date__lte=today, took_over=True)
    seen: set[int] = set()
    for hit_id, role, name, start, end in (
        Membership.objects.filter(hit_id__in=ids, role__in=KEY_ROLES)
        .filter(Q(end_date__gte=cutoff) | Q(start_date__gte=cutoff))
        .annotate(took_over=Exists(same_post_earlier))
        .filter(left | replaced)
        .order_by("hit_id", "-start_date", "pk")
        .values_list("hit_id", "role", "person__full_name", "start_date", "end_date")
    ):
        if hit_id in seen:
            continue  # one flag per HIT; its detail names the most recent change
        seen.add(hit_id)
        post = MembershipRole(role).label.lower()
        if end is not None and cutoff <= end <= today:
            detail = f"{name} left the post of {post} on {end:%d %b %Y}."
        else:
            detail = f"{name} took over as {post} on {start:%d %b %Y}."
        add(
            hit_id,
            TURNOVER,
            detail + " A change of leader can reset trust; consider refreshing the shared vision.",
        )


def _rivalry(ids: list[int], add: AddFlag) -> None:
    for hit_id, risks in ExpressionOfInterest.objects.filter(hit_id__in=ids).values_list(
        "hit_id", "known_risks"
    ):
        match = RIVALRY.search(risks or "")
        if match:
            add(
                hit_id,
                RIVALRY_HISTORY,
                "The expression of interest mentions competition or rivalry between partners.",
            )


def _missing_actors(ids: list[int], add: AddFlag) -> None:
    for hit_id, gaps in CoverageScore.objects.filter(hit_id__in=ids).values_list("hit_id", "gaps"):
        missing = [
            gap.get("name") or gap.get("code") for gap in gaps or [] if gap.get("code") in CORE_CATEGORIES
        ]
        if missing:
            add(hit_id, MISSING_ACTORS, f"No engagement yet with: {', '.join(missing)}.")


def _sponsor_silence(ids: list[int], today: datetime.date, add: AddFlag) -> None:
    """Only where the teams app keeps a sponsor log (teams.SponsorInteraction)."""
    try:
        interaction = apps.get_model("teams", "SponsorInteraction")
    except LookupError:
        return
    cutoff = today - datetime.timedelta(days=SPONSOR_SILENCE_DAYS)
    for hit_id, created_at, set_up_at, last in (
        HIT.objects.filter(pk__in=ids, status__in=SPONSORED_STATUSES)
        .annotate(
            set_up_at=Subquery(
                HITStatusChange.objects.filter(hit_id=OuterRef("pk"), to_status=HITStatus.SET_UP)
                .order_by("-created_at")
                .values("created_at")[:1]
            ),
            last=Subquery(
                interaction.objects.filter(hit_id=OuterRef("pk"))
                .order_by("-happened_on")
                .values("happened_on")[:1]
            ),
        )
        .values_list("pk", "created_at", "set_up_at", "last")
    ):
        if last is not None:
            if last < cutoff:
                add(
                    hit_id,
                    SPONSOR_SILENCE,
                    f"The last sponsor interaction was on {last:%d %b %Y}, {(today - last).days} days ago.",
                )
        elif timezone.localdate(set_up_at or created_at) < cutoff:
            # Counted from accreditation (the move to set-up), so a newly accredited HIT is not flagged.
            add(hit_id, SPONSOR_SILENCE, "No interaction with the executive sponsor is on record.")


# --- What pages read: the worker's stored flags (reporting.services.flags writes them) --------------


@dataclass(frozen=True)
class StoredFlags:
    """One HIT's flags as the worker last stored them, measured against `as_of`."""

    flags: list[Flag]
    as_of: datetime.date
    computed_at: datetime.datetime


def _stored(state: HITFlagState) -> StoredFlags:
    return StoredFlags(
        flags=[Flag(row["code"], row["detail"]) for row in state.flags if row.get("code") in LABELS],
        as_of=state.as_of,
        computed_at=state.computed_at,
    )


def stored_flags_for_hit(hit_id: int) -> StoredFlags | None:
    """The HIT's stored flags (one query); None when the worker has never computed them."""
    state = HITFlagState.objects.filter(hit_id=hit_id).first()
    return _stored(state) if state else None


@dataclass(frozen=True)
class FlaggedHIT:
    hit: HIT
    flags: list[Flag]
    computed_at: datetime.datetime


@dataclass(frozen=True)
class PortfolioFlags:
    """The flagged HITs among `statuses` (the first `limit`, by name) and how fresh the figures are:
    `oldest`/`newest` computed_at of the HITs' rows, `not_computed` the HITs without one yet."""

    rows: list[FlaggedHIT]
    total: int
    not_computed: int
    oldest: datetime.datetime | None
    newest: datetime.datetime | None


def stored_flags_for_portfolio(*, statuses: Iterable[str], limit: int) -> PortfolioFlags:
    """Three queries whatever the number of HITs: the page of flagged HITs, one aggregate over the
    stored rows, and the count of HITs never computed."""
    statuses = list(statuses)
    states = HITFlagState.objects.filter(hit__status__in=statuses)
    rows = [
        FlaggedHIT(hit=state.hit, flags=_stored(state).flags, computed_at=state.computed_at)
        for state in states.filter(flag_count__gt=0)
        .select_related("hit")
        .order_by("hit__name", "hit_id")[:limit]
    ]
    summary = states.aggregate(
        total=Count("pk", filter=Q(flag_count__gt=0)), oldest=Min("computed_at"), newest=Max("computed_at")
    )
    not_computed = HIT.objects.filter(status__in=statuses, flag_state__isnull=True).count()
    return PortfolioFlags(
        rows=rows,
        total=summary["total"] or 0,
        not_computed=not_computed,
        oldest=summary["oldest"],
        newest=summary["newest"],
    )


@dataclass(frozen=True)
class QuietHIT:
    """A HIT with no PPI logged for engagement.selectors.ppi.FLAG_AFTER_DAYS, as the worker stored it."""

    pk: int
    name: str
    last_activity_on: datetime.date | None


@dataclass(frozen=True)
class StoredPPIQuiet:
    rows: list[QuietHIT]
    total: int
    not_computed: int
    oldest: datetime.datetime | None


def stored_ppi_quiet(*, limit: int) -> StoredPPIQuiet:
    """The PPI facilitators' home page: HITs not closed whose PPI log has gone quiet (never logged
    first, then the longest quiet), read from the stored rows in three queries."""
    states = HITFlagState.objects.exclude(hit__status=HITStatus.CLOSED)
    quiet = states.filter(ppi_quiet=True)
    rows = [
        QuietHIT(pk=hit_id, name=name, last_activity_on=last)
        for hit_id, name, last in quiet.order_by(
            F("ppi_last_activity_on").asc(nulls_first=True), "hit__name", "hit_id"
        ).values_list("hit_id", "hit__name", "ppi_last_activity_on")[:limit]
    ]
    summary = states.aggregate(total=Count("pk", filter=Q(ppi_quiet=True)), oldest=Min("computed_at"))
    not_computed = HIT.objects.exclude(status=HITStatus.CLOSED).filter(flag_state__isnull=True).count()
    return StoredPPIQuiet(
        rows=rows, total=summary["total"] or 0, not_computed=not_computed, oldest=summary["oldest"]
    )
