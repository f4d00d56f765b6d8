"""Stakeholder map writes and the score computations the worker runs.

Scores are computed set-based (grouped aggregate queries), so one HIT and a thousand HITs take the
same number of queries; results are stored with a fingerprint of their inputs and the time.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from core.batch import BatchOutcome, at_once_or_each, each_row
from core.concurrency import check_version
from core.db import fast_insert
from core.tasks import Dispatch, enqueue_after_commit
from engagement import scoring
from engagement.enums import Dimension, RoleGroup, ScoreKind, StakeholderSource
from engagement.models import (
    Answer,
    CoverageScore,
    CoverageSnapshot,
    InvolvementActivity,
    Item,
    ReadinessResult,
    Response,
    ScoreRequest,
    Stakeholder,
    Wave,
)
from teams.enums import MembershipRole, Sector
from teams.models import HIT, Membership, StakeholderCategory

logger = logging.getLogger(__name__)

# PPI log entries older than this no longer count towards the PPI depth.
PPI_LOG_WINDOW_DAYS = 365

# Membership roles on the depth scale: leadership and decision roles are 3, group members 2.
MEMBERSHIP_DEPTH = {
    MembershipRole.DIRECTOR: 3,
    MembershipRole.CO_DIRECTOR: 3,
    MembershipRole.EXECUTIVE_SPONSOR: 3,
    MembershipRole.MANAGEMENT_GROUP: 3,
    MembershipRole.WORKING_GROUP_LEAD: 3,
    MembershipRole.THEME_LEAD: 3,
    MembershipRole.PPI_LEAD: 2,
    MembershipRole.MEMBER: 2,
}


# --- Debounced recomputation -------------------------------------------------------------------------


def _enqueue_compute(*, hit_id: int, kind: str) -> Dispatch:
    # engagement.tasks imports this module, so the tasks are looked up when first needed.
    from engagement import tasks

    task = tasks.compute_coverage if kind == ScoreKind.COVERAGE else tasks.compute_readiness_for_hit
    return enqueue_after_commit(task, {"hit_id": hit_id}, countdown=settings.ENGAGEMENT_DEBOUNCE_SECONDS)


def request_recompute(*, hit_id: int, kind: str = ScoreKind.COVERAGE) -> bool:
    """Ask the worker to recompute one HIT's score after the current transaction commits.

    A burst of edits leads to one job: the first edit creates the pending ScoreRequest and queues
    the task with a delay; later edits find the request already pending and queue nothing.
    Returns True when a job was queued. A job the broker refuses is logged, not raised (the edit is
    saved); the request stays pending and score_requests_resend sends it again.
    """
    _request, created = ScoreRequest.objects.get_or_create(hit_id=hit_id, kind=kind)
    if not created:
        return False
    _enqueue_compute(hit_id=hit_id, kind=kind)
    return True


def is_recalculating(*, hit_id: int, kind: str = ScoreKind.COVERAGE) -> bool:
    return ScoreRequest.objects.filter(hit_id=hit_id, kind=kind).exists()


def score_request_pending_since(*, hit_id: int, kind: str = ScoreKind.COVERAGE) -> datetime.datetime | None:
    """When the HIT's pending request was last sent to the worker; None when nothing is pending."""
    return (
        ScoreRequest.objects.filter(hit_id=hit_id, kind=kind).values_list("requested_at", flat=True).first()
    )


def score_request_overdue(pending_since: datetime.datetime | None) -> bool:
    """Whether a pending request should have been computed by now: its task waits out the debounce
    window, so one still pending after it was most likely lost (a broker outage) or is stuck behind
    a busy worker; sending it again is harmless, as computing is idempotent."""
    window = datetime.timedelta(seconds=settings.ENGAGEMENT_DEBOUNCE_SECONDS)
    return pending_since is not None and pending_since < timezone.now() - window


def _score_request_claim(*, pk: int, cutoff: datetime.datetime, now: datetime.datetime) -> bool:
    # A conditional UPDATE: of two senders at once (a click and the periodic task), one wins. Moving
    # requested_at to now keeps the request pending (the compute clears requests asked for before it
    # started) and means "last sent at", so it is not sent again before another window has passed.
    return ScoreRequest.objects.filter(pk=pk, requested_at__lt=cutoff).update(requested_at=now) == 1


@dataclass(frozen=True)
class RecomputeNow:
    """The outcome of "Recalculate now": "requested", "resent" (an overdue request sent again) or
    "under_way" (a request sent within the debounce window is pending); `dispatch` tells, after the
    commit, whether the broker took the task."""

    outcome: str
    dispatch: Dispatch | None = None


@transaction.atomic
def recompute_now(*, actor: object, hit_id: int, kind: str = ScoreKind.COVERAGE) -> RecomputeNow:
    """The "Recalculate now" button. Side effects: a new ScoreRequest and its task on commit; or, when
    the pending request is overdue (score_request_overdue), its requested_at moved to now and its
    task sent again on commit; or nothing while a request sent within the debounce window waits."""
    now = timezone.now()
    request, created = ScoreRequest.objects.get_or_create(hit_id=hit_id, kind=kind)
    if created:
        return RecomputeNow("requested", _enqueue_compute(hit_id=hit_id, kind=kind))
    cutoff = now - datetime.timedelta(seconds=settings.ENGAGEMENT_DEBOUNCE_SECONDS)
    if _score_request_claim(pk=request.pk, cutoff=cutoff, now=now):
        return RecomputeNow("resent", _enqueue_compute(hit_id=hit_id, kind=kind))
    return RecomputeNow("under_way")


def score_requests_resend(*, older_than: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    """Send again every score request pending for longer than `older_than`: its task was lost,
    refused by a broker that was down or dropped by a Redis that restarted without its data.

    Side effects, per request, each in its own transaction: requested_at moved to now; on commit,
    its compute task enqueued (a refusal is logged and the request waits for the next run).
    Idempotent: a request just sent again is younger than `older_than`. Returns how many were sent.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    stale = ScoreRequest.objects.filter(requested_at__lt=cutoff).order_by("pk")
    resent = 0
    for pk, hit_id, kind in stale.values_list("pk", "hit_id", "kind"):
        with transaction.atomic():
            if _score_request_claim(pk=pk, cutoff=cutoff, now=now):
                _enqueue_compute(hit_id=hit_id, kind=kind)
                resent += 1
    return resent


# --- Stakeholder map ---------------------------------------------------------------------------------


@transaction.atomic
def stakeholder_save(
    *, actor: object, stakeholder: Stakeholder, expected_version: str | None = None
) -> Stakeholder:
    """Add or change a manual row of the map. Side effects: the row; a coverage recompute.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    if stakeholder.pk is not None:
        check_version(Stakeholder.objects.select_for_update().get(pk=stakeholder.pk), expected_version)
    if stakeholder.source != StakeholderSource.MANUAL:
        raise ValidationError(
            "This row comes from a membership or the application; change it there so nothing is typed twice."
        )
    if stakeholder.person_id is None and stakeholder.organisation_id is None:
        raise ValidationError({"person": "Name a person or an organisation."})
    stakeholder.full_clean()
    stakeholder.save()
    request_recompute(hit_id=stakeholder.hit_id)
    return stakeholder


@transaction.atomic
def stakeholder_end(
    *, actor: object, stakeholder_id: int, end_date: datetime.date | None = None
) -> Stakeholder:
    """End a manual row's involvement (kept for the history). Side effect: end date; recompute."""
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder_id)
    if stakeholder.source != StakeholderSource.MANUAL:
        raise ValidationError("End the membership or change the application instead.")
    end = end_date or timezone.localdate()
    if end < stakeholder.start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    stakeholder.end_date = end
    stakeholder.save(update_fields=["end_date", "updated_at"])
    request_recompute(hit_id=stakeholder.hit_id)
    return stakeholder


def _category_for(membership: Membership, categories: dict[str, int]) -> int | None:
    person = membership.person
    if person.is_public_member and "PUBLIC" in categories:
        return categories["PUBLIC"]
    organisation = membership.organisation
    if organisation is None:
        affiliation = next(iter(person.affiliations.all()), None)  # prefetched, primary first
        organisation = affiliation.organisation if affiliation else None
    if organisation is not None and organisation.org_type.default_category_id:
        return organisation.org_type.default_category_id
    return categories.get("STAFF")


@transaction.atomic
def stakeholders_sync_memberships(*, hit_id: int) -> int:
    """Mirror the HIT's memberships onto its map (idempotent): one row per membership, its depth
    from the role, its category from the person (public member) or their organisation's type.

    Side effects: Stakeholder rows of source "membership" created, updated or ended; a coverage
    recompute. Returns the number of rows written.
    """
    categories = dict(StakeholderCategory.objects.values_list("code", "pk"))
    memberships = (
        Membership.objects.filter(hit_id=hit_id)
        .select_related("person", "organisation__org_type")
        .prefetch_related("person__affiliations__organisation__org_type")
    )
    existing = {
        s.source_key: s
        for s in Stakeholder.objects.filter(hit_id=hit_id, source=StakeholderSource.MEMBERSHIP)
    }
    written = 0
    seen = set()
    for membership in memberships:
        key = str(membership.pk)
        seen.add(key)
        category_id = _category_for(membership, categories)
        if category_id is None:
            continue
        values = {
            "person_id": membership.person_id,
            "organisation_id": membership.organisation_id,
            "category_id": category_id,
            "depth": MEMBERSHIP_DEPTH[membership.role],
            "role": membership.get_role_display(),
            "start_date": membership.start_date,
            "end_date": membership.end_date,
        }
        row = existing.get(key)
        if row is None:
            Stakeholder.objects.create(
                hit_id=hit_id, source=StakeholderSource.MEMBERSHIP, source_key=key, **values
            )
            written += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.save(update_fields=[*values, "updated_at"])
            written += 1
    gone = [s.pk for k, s in existing.items() if k not in seen]
    if gone:
        Stakeholder.objects.filter(pk__in=gone).delete()
        written += len(gone)
    if written:
        request_recompute(hit_id=hit_id)
    return written


def stakeholders_follow_memberships(sender: object, *, hit_id: int, **kwargs: Any) -> None:
    """The receiver of teams.signals.memberships_changed: mirror the HIT's memberships again."""
    stakeholders_sync_memberships(hit_id=hit_id)


@transaction.atomic
def stakeholders_sync_application_rows(*, hit_id: int, rows: list[dict], label: str) -> int:
    """Mirror an accredited application's "who, how, for what outcome" table onto the map.

    `rows` are plain dicts (key, organisation_id, stakeholder name, category_id, role, depth);
    accreditation calls this so engagement never imports it. Rows naming no directory organisation
    are skipped (the map needs a person or an organisation). Idempotent on `key`.
    """
    existing = {
        s.source_key: s
        for s in Stakeholder.objects.filter(hit_id=hit_id, source=StakeholderSource.APPLICATION)
    }
    written = 0
    for row in rows:
        if not row.get("organisation_id"):
            continue
        key = str(row["key"])
        values = {
            "organisation_id": row["organisation_id"],
            "category_id": row["category_id"],
            "depth": min(max(int(row.get("depth", 1)), 0), 3),
            "role": row.get("role", "")[:300],
            "evidence": f"From {label}",
        }
        current = existing.pop(key, None)
        if current is None:
            Stakeholder.objects.create(
                hit_id=hit_id, source=StakeholderSource.APPLICATION, source_key=key, **values
            )
            written += 1
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            current.save(update_fields=[*values, "updated_at"])
            written += 1
    if written:
        request_recompute(hit_id=hit_id)
    return written


# --- Engagement coverage -----------------------------------------------------------------------------


def _category_specs() -> list[scoring.CategorySpec]:
    return [
        scoring.CategorySpec(
            code=c.code, name=c.name, weight=float(c.weight), counts=c.counts_toward_coverage
        )
        for c in StakeholderCategory.objects.filter(is_active=True).order_by("position", "pk")
    ]


def _active_on(day: datetime.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def _forum_rank():
    return Case(
        *(When(decision_forum=forum, then=Value(depth)) for forum, depth in scoring.FORUM_PPI_DEPTH.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def coverage_inputs(*, hit_ids: list[int] | None, day: datetime.date) -> dict[int, dict]:
    """Every HIT's coverage inputs in four grouped queries, whatever the number of HITs or links."""
    links = Stakeholder.objects.filter(_active_on(day), depth__gte=1)
    log = InvolvementActivity.objects.filter(
        happened_on__gt=day - datetime.timedelta(days=PPI_LOG_WINDOW_DAYS)
    )
    if hit_ids is not None:
        links = links.filter(hit_id__in=hit_ids)
        log = log.filter(hit_id__in=hit_ids)
    inputs: dict[int, dict] = defaultdict(
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
            public_depth=row["public_depth"] or 0, mh=row["mh"] > 0, la=row["la"] > 0, orgs=row["orgs"]
        )
    for row in log.order_by().values("hit_id").annotate(forum=Max(_forum_rank())):
        inputs[row["hit_id"]]["forum"] = row["forum"] or 0
    return inputs


def _coverage_for(entry: dict, categories: list[scoring.CategorySpec]) -> scoring.Coverage:
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
    CoverageSnapshot per HIT per day upserted; the HITs' pending ScoreRequests cleared.
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
            update_fields=["breadth", "degrees", "weighted", "leadership", "category_depths"],
        )
        pending = ScoreRequest.objects.filter(kind=ScoreKind.COVERAGE, requested_at__lte=now)
        if hit_ids is not None:
            pending = pending.filter(hit_id__in=hit_ids)
        pending.delete()
    return len(scores)


def coverage_of_rows(*, rows: list[dict]) -> scoring.Coverage:
    """Coverage of a planned stakeholder table (an application revision): rows of
    {category code, depth, organisation sector, mental health flag}. No database writes."""
    depths: dict[str, int] = {}
    for row in rows:
        code = row["category"]
        depths[code] = max(depths.get(code, 0), int(row.get("depth", 1)))
    return scoring.coverage(
        categories=_category_specs(),
        depths=depths,
        ppi_depth=depths.get(scoring.PUBLIC, 0),
        has_mental_health_provider=any(row.get("mental_health") for row in rows),
        has_local_authority=any(row.get("sector") == Sector.LOCAL_GOVERNMENT for row in rows),
    )


@transaction.atomic
def coverage_snapshot_for_revision(
    *, hit_id: int, label: str, rows: list[dict], day=None
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
        },
    )
    return snapshot


# --- Readiness: results released once, when a wave closes ------------------------------------------
#
# A wave's results are computed exactly once, after it has stopped taking answers, and are never
# recomputed: figures computed while answers still arrive (or again after a late change, such as an
# organisation removed from the directory) could be subtracted from one another to recover one
# respondent's answers (docs/security.md, "Readiness surveys").


def _waves_to_release(today: datetime.date) -> QuerySet[Wave]:
    """Waves that no longer take answers (closed early, or past their closing date) and have no
    results yet."""
    return Wave.objects.filter(released_at__isnull=True).filter(
        Q(closed_at__isnull=False) | Q(closes_on__lt=today)
    )


def _end_of(day: datetime.date) -> datetime.datetime:
    """The moment a wave's last day ends: when a wave closed by its date stopped taking answers."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


def readiness_release(*, wave_ids: Iterable[int] | None = None) -> int:
    """Store the results of every wave that has closed and has none yet, once and for good.

    `wave_ids` narrows it to those waves (None: every wave due). Waves still open, and waves
    already released, are left alone, so running it again (or twice at once) changes nothing.
    Set-based: the same few queries for one wave or a thousand; if the batch fails on some bad row,
    each wave is tried on its own so the others are still released (the failures are logged).
    Side effects, per released wave in one transaction: `closed_at` set (the end of its closing
    day) if the date closed it; its ReadinessResult rows written; `released_at` set; its HIT's
    pending readiness request cleared. Returns the number of result rows written.
    """
    return _release_due(wave_ids=wave_ids).done


def _release_due(*, wave_ids: Iterable[int] | None) -> BatchOutcome:
    today = timezone.localdate()
    due = _waves_to_release(today)
    if wave_ids is not None:
        due = due.filter(pk__in=list(wave_ids))
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return BatchOutcome()
    return at_once_or_each(
        lambda: _release(ids, today),
        ids=lambda: ids,
        one=lambda wave_id: _release([wave_id], today),
        what="Readiness results of wave",
        logger=logger,
    )


@transaction.atomic
def _release(wave_ids: list[int], today: datetime.date) -> int:
    # The row lock makes a second release of the same wave wait, then find it released and skip it.
    waves = list(
        _waves_to_release(today)
        .filter(pk__in=wave_ids)
        .select_for_update()
        .values_list("pk", "instrument_id", "hit_id", "closes_on", "closed_at")
    )
    if not waves:
        return 0
    rows = _readiness_rows([(pk, instrument_id, hit_id) for pk, instrument_id, hit_id, _c, _a in waves])
    ReadinessResult.objects.filter(
        wave_id__in=[w[0] for w in waves]
    ).delete()  # none, unless stored before release existed
    fast_insert(ReadinessResult, READINESS_COLUMNS, rows)
    now = timezone.now()
    ids = [w[0] for w in waves]
    # Waves closed by their date stopped taking answers when that day ended: one update per date.
    by_date: dict[datetime.date, list[int]] = defaultdict(list)
    for pk, _instrument, _hit, closes_on, closed_at in waves:
        if closed_at is None:
            by_date[closes_on].append(pk)
    for closes_on, pks in by_date.items():
        Wave.objects.filter(pk__in=pks).update(closed_at=_end_of(closes_on))
    Wave.objects.filter(pk__in=ids).update(released_at=now, updated_at=now)
    ScoreRequest.objects.filter(kind=ScoreKind.READINESS, hit_id__in={w[2] for w in waves}).delete()
    return len(rows)


READINESS_COLUMNS = [
    "wave",
    "group_type",
    "group_key",
    "group_label",
    "dimension",
    "n",
    "suppressed",
    "score",
    "mean",
    "sd",
    "pct_agree",
    "level",
    "fingerprint",
    "computed_at",
]


def _readiness_rows(wave_rows: list[tuple[int, int, int]]) -> list[tuple]:
    """The result rows of waves (pk, instrument id, HIT id): overall, by organisation and by role.

    The database sums each respondent's reverse-coded answers per dimension (x' = 6 - x; "don't
    know" is NULL and not counted), Python applies the formulas of engagement.scoring to those
    per-respondent sums. Groups with fewer than five counted respondents are suppressed, with no
    figures; spreads only from ten.
    """
    ids = [w[0] for w in wave_rows]
    instrument_of = {w[0]: w[1] for w in wave_rows}
    items_per_dimension: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for instrument_id, dimension in Item.objects.filter(
        instrument_id__in=set(instrument_of.values())
    ).values_list("instrument_id", "dimension"):
        items_per_dimension[instrument_id][dimension] += 1
    order = list(Dimension.values)
    role_labels = dict(RoleGroup.choices)

    respondents: dict[int, tuple[int, str, str, str]] = {}
    for pk, wave_id, org_id, org_name, role in (
        Response.objects.filter(wave_id__in=ids, is_submitted=True)
        .values_list("pk", "wave_id", "organisation_id", "organisation__name", "role_group")
        .order_by()
    ):
        respondents[pk] = (wave_id, str(org_id or ""), org_name or "", role)
    coded = Case(
        When(item__reverse_worded=True, then=6 - F("value")), default=F("value"), output_field=IntegerField()
    )
    sums = (
        Answer.objects.filter(response__wave_id__in=ids, response__is_submitted=True, value__isnull=False)
        .values_list("response_id", "item__dimension")
        .annotate(total=Sum(coded), answered=Count("pk"))
        .order_by()
    )
    means: dict[int, dict[str, float]] = defaultdict(dict)
    digests: dict[int, list] = defaultdict(list)
    for response_id, dimension, total, answered in sums.iterator(chunk_size=10000):
        wave_id = respondents[response_id][0]
        needed = items_per_dimension[instrument_of[wave_id]][dimension]
        if answered >= scoring.MIN_ANSWERED_SHARE * needed:
            means[response_id][dimension] = total / answered
        digests[wave_id].append((response_id, dimension, total, answered))

    groups: dict[int, dict[tuple[str, str, str], list[dict]]] = {
        w[0]: {(ReadinessResult.GROUP_OVERALL, "", "All respondents"): []} for w in wave_rows
    }
    for pk, (wave_id, org_key, org_name, role) in respondents.items():
        respondent = means.get(pk, {})
        wave_groups = groups[wave_id]
        wave_groups[(ReadinessResult.GROUP_OVERALL, "", "All respondents")].append(respondent)
        if org_key:
            wave_groups.setdefault((ReadinessResult.GROUP_ORGANISATION, org_key, org_name), []).append(
                respondent
            )
        if role:
            wave_groups.setdefault((ReadinessResult.GROUP_ROLE, role, role_labels[role]), []).append(
                respondent
            )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for wave_id, wave_groups in groups.items():
        dimensions = sorted(items_per_dimension[instrument_of[wave_id]], key=order.index)
        digest = scoring.fingerprint(sorted(digests[wave_id]))
        for (group_type, key, label), members in wave_groups.items():
            for dimension, r in scoring.group_results(members, dimensions).items():
                rows.append(
                    (
                        wave_id,
                        group_type,
                        key,
                        label,
                        dimension,
                        r.n,
                        r.suppressed,
                        r.score,
                        r.mean,
                        r.sd,
                        r.pct_agree,
                        r.level,
                        digest,
                        now,
                    )
                )
    return rows


def enqueue_release(*, wave_id: int) -> None:
    """Ask the worker to release a wave's results once the current transaction commits. If the
    broker refuses, the beat task engagement.release_closed_waves releases it within a quarter hour."""
    # engagement.tasks imports this module, so the task is looked up when first needed.
    from engagement import tasks

    enqueue_after_commit(tasks.release_wave_results, {"wave_id": wave_id})


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


def readiness_release_for_hit(*, hit_id: int) -> int:
    """Release the results of the HIT's waves that have closed (see readiness_release)."""
    wave_ids = list(Wave.objects.filter(hit_id=hit_id).values_list("pk", flat=True))
    if not wave_ids:
        ScoreRequest.objects.filter(hit_id=hit_id, kind=ScoreKind.READINESS).delete()
        return 0
    return readiness_release(wave_ids=wave_ids)
