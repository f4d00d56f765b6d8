"""Computing and storing coverage scores from the stakeholder map, set-based, for one HIT or all."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Required, TypedDict

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.utils import timezone

from core.batch import BatchOutcome, at_once_or_each, each_row
from core.versions import bump
from engagement.domain import scoring
from engagement.enums import ScoreKind
from engagement.models import (
    CoverageScore,
    CoverageSnapshot,
    InvolvementActivity,
    ScoreRequest,
    Stakeholder,
)
from engagement.services.releases import _release_due, logger
from engagement.services.stakeholders import stakeholders_sync_memberships
from teams.enums import FRONT_LINE_GROUPS, Sector
from teams.models import HIT, Membership, StakeholderCategory

# PPI log entries older than this no longer count towards the PPI depth.
PPI_LOG_WINDOW_DAYS = 365


# --- Engagement coverage -----------------------------------------------------------------------------


class CoverageInputs(TypedDict):
    """One HIT's inputs to its coverage, as coverage_inputs reads them from the map and the PPI log."""

    depths: dict[str, int]  # category code -> the deepest active link in it
    public_depth: int  # the deepest active link of a public member or the public category
    forum: int  # the highest decision forum of the PPI log's window, on the F4 ladder
    mh: bool  # a mental health provider is on the map
    la: bool  # a local authority is on the map
    orgs: int  # distinct organisations on the map


class PlannedLink(TypedDict, total=False):
    """A row of an application revision's stakeholder table, as coverage_of_rows reads it."""

    category: Required[str]  # the StakeholderCategory code
    depth: int  # 1 when left out
    sector: str  # the organisation type's sector; "" without an organisation
    mental_health: bool  # the organisation is a mental health provider


def _category_specs() -> list[scoring.CategorySpec]:
    return [
        scoring.CategorySpec(
            code=c.code, name=c.name, weight=float(c.weight), counts=c.counts_toward_coverage
        )
        for c in StakeholderCategory.objects.filter(is_active=True).order_by("position", "pk")
    ]


def _active_on(day: datetime.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def _forum_rank() -> Case:
    return Case(
        *(When(decision_forum=forum, then=Value(depth)) for forum, depth in scoring.FORUM_PPI_DEPTH.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def coverage_inputs(*, hit_ids: list[int] | None, day: datetime.date) -> defaultdict[int, CoverageInputs]:
    """Every HIT's coverage inputs in five grouped queries, whatever the number of HITs or links."""
    links = Stakeholder.objects.filter(_active_on(day), depth__gte=1)
    log = InvolvementActivity.objects.filter(
        happened_on__gt=day - datetime.timedelta(days=PPI_LOG_WINDOW_DAYS)
    )
    if hit_ids is not None:
        links = links.filter(hit_id__in=hit_ids)
        log = log.filter(hit_id__in=hit_ids)
    inputs: defaultdict[int, CoverageInputs] = defaultdict(
        lambda: {"depths": {}, "public_depth": 0, "forum": 0, "mh": False, "la": False, "orgs": 0}
    )
    for row in links.order_by().values("hit_id", "category__code").annotate(depth=Max("depth")):
        inputs[row["hit_id"]]["depths"][row["category__code"]] = row["depth"]
    for row in (
        links.order_by()
        .values("hit_id")
        .annotate(
            public_depth=Max(
                "depth", filter=Q(category__code=scoring.PUBLIC) | Q(person__is_public_member=True)
            ),
            mh=Count("pk", filter=Q(organisation__org_type__is_mental_health=True)),
            la=Count("pk", filter=Q(organisation__org_type__sector=Sector.LOCAL_GOVERNMENT)),
            orgs=Count("organisation", distinct=True),
        )
    ):
        entry = inputs[row["hit_id"]]
        entry.update(
            {
                "public_depth": row["public_depth"] or 0,
                "mh": row["mh"] > 0,
                "la": row["la"] > 0,
                "orgs": row["orgs"],
            }
        )
    # A person of a front-line professional group counts in STAFF as well as in their row's category, at the
    # same depth; a public member only in PUBLIC (docs/domain.md section 5.2).
    front_line = links.filter(
        person__professional_group__in=sorted(FRONT_LINE_GROUPS), person__is_public_member=False
    )
    for row in front_line.order_by().values("hit_id").annotate(depth=Max("depth")):
        depths = inputs[row["hit_id"]]["depths"]
        depths[scoring.STAFF] = max(depths.get(scoring.STAFF, 0), row["depth"])
    for row in log.order_by().values("hit_id").annotate(forum=Max(_forum_rank())):
        inputs[row["hit_id"]]["forum"] = row["forum"] or 0
    return inputs


def _coverage_for(entry: CoverageInputs, categories: list[scoring.CategorySpec]) -> scoring.Coverage:
    ppi = max(entry["public_depth"], entry["forum"])
    return scoring.coverage(
        categories=categories,
        depths=entry["depths"],
        ppi_depth=ppi,
        has_mental_health_provider=entry["mh"],
        has_local_authority=entry["la"],
    )


def coverage_compute(*, hit_ids: list[int] | None = None, day: datetime.date | None = None) -> int:
    """Compute and store coverage for the given HITs (None: every HIT). Idempotent.

    Side effects: one CoverageScore per HIT upserted (fingerprint, computed_at); one "map"
    CoverageSnapshot per HIT per day upserted (with its gaps); the HITs' pending ScoreRequests cleared.
    A fixed number of queries whatever the number of HITs. Returns the number of HITs scored.
    """
    day = day or timezone.localdate()
    now = timezone.now()
    categories = _category_specs()
    ids = list(HIT.objects.values_list("pk", flat=True)) if hit_ids is None else list(hit_ids)
    existing_ids = (
        set(HIT.objects.filter(pk__in=ids).values_list("pk", flat=True)) if hit_ids is not None else set(ids)
    )
    inputs = coverage_inputs(hit_ids=hit_ids, day=day)
    scores, snapshots = [], []
    for hit_id in sorted(existing_ids):
        entry = inputs[hit_id]
        result = _coverage_for(entry, categories)
        digest = scoring.fingerprint({"inputs": entry, "categories": [c.__dict__ for c in categories]})
        scores.append(
            CoverageScore(
                hit_id=hit_id,
                breadth=result.breadth,
                degrees=result.degrees,
                weighted=result.weighted,
                leadership=result.leadership,
                commissioner_in_leadership=result.commissioner_in_leadership,
                ppi_depth=result.ppi_depth,
                category_depths=result.category_depths,
                gaps=result.gaps,
                organisations=entry["orgs"],
                fingerprint=digest,
                computed_at=now,
            )
        )
        snapshots.append(
            CoverageSnapshot(
                hit_id=hit_id,
                taken_on=day,
                label="map",
                breadth=result.breadth,
                degrees=result.degrees,
                weighted=result.weighted,
                leadership=result.leadership,
                category_depths=result.category_depths,
                gaps=result.gaps,
            )
        )
    with transaction.atomic():
        CoverageScore.objects.bulk_create(
            scores,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["hit"],
            update_fields=[
                "breadth",
                "degrees",
                "weighted",
                "leadership",
                "commissioner_in_leadership",
                "ppi_depth",
                "category_depths",
                "gaps",
                "organisations",
                "fingerprint",
                "computed_at",
            ],
        )
        CoverageSnapshot.objects.bulk_create(
            snapshots,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["hit", "taken_on", "label"],
            update_fields=["breadth", "degrees", "weighted", "leadership", "category_depths", "gaps"],
        )
        # The upsert sends no signal: the lists showing stored scores (the PPI caseload) render again.
        bump(CoverageScore)
        pending = ScoreRequest.objects.filter(kind=ScoreKind.COVERAGE, requested_at__lte=now)
        if hit_ids is not None:
            pending = pending.filter(hit_id__in=hit_ids)
        pending.delete()
    return len(scores)


def coverage_of_rows(*, rows: list[PlannedLink]) -> scoring.Coverage:
    """Coverage of a planned stakeholder table (an application revision): rows of
    {category code, depth, organisation sector, mental health flag}, over the stakeholder categories
    switched on now (scoring.planned_coverage). No database writes."""
    return scoring.planned_coverage(categories=_category_specs(), rows=[dict(row) for row in rows])


@transaction.atomic
def coverage_snapshot_for_revision(
    *, hit_id: int, label: str, rows: list[PlannedLink], day: datetime.date | None = None
) -> CoverageSnapshot:
    """Store the coverage an application revision plans (called at each submit). Idempotent."""
    result = coverage_of_rows(rows=rows)
    snapshot, _ = CoverageSnapshot.objects.update_or_create(
        hit_id=hit_id,
        taken_on=day or timezone.localdate(),
        label=label,
        defaults={
            "breadth": result.breadth,
            "degrees": result.degrees,
            "weighted": result.weighted,
            "leadership": result.leadership,
            "category_depths": result.category_depths,
            "gaps": result.gaps,
        },
    )
    return snapshot


# --- The nightly recompute ---------------------------------------------------------------------------


def scores_recompute_all(*, memberships_since: datetime.datetime) -> BatchOutcome:
    """Mirror recently edited memberships onto the maps, recompute every HIT's coverage, and release
    the results of waves that have closed (engagement.tasks.recompute_all runs it nightly). Idempotent.

    Side effects are those of stakeholders_sync_memberships (per HIT whose memberships changed
    since `memberships_since`, e.g. in the admin site), coverage_compute and readiness_release.
    One bad row cannot stop the others (core.batch): each HIT's memberships are mirrored on their
    own, and when a set-based computation fails it is run again HIT by HIT (coverage) or wave by
    wave (readiness), the failing ones logged and skipped. Returns the number of HITs scored
    (`done`) and the ids of the HITs and waves skipped.
    """
    changed = Membership.objects.filter(updated_at__gte=memberships_since).values_list("hit_id", flat=True)
    synced = each_row(
        list(changed.order_by("hit_id").distinct()),
        lambda hit_id: stakeholders_sync_memberships(hit_id=hit_id),
        row_id=lambda hit_id: hit_id,
        what="Mirroring the memberships of HIT",
        logger=logger,
    )
    coverage = at_once_or_each(
        lambda: coverage_compute(),
        ids=lambda: HIT.objects.order_by("pk").values_list("pk", flat=True),
        one=lambda hit_id: coverage_compute(hit_ids=[hit_id]),
        what="Coverage of HIT",
        logger=logger,
    )
    # Waves that closed since their last chance; results already released are never recomputed.
    readiness = _release_due(wave_ids=None)
    return BatchOutcome(done=coverage.done, failed=[*synced.failed, *coverage.failed, *readiness.failed])
