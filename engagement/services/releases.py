"""Releasing readiness survey results once, at the close of a wave (docs/domain.md section 5.1): results are computed from the closed wave's answers and never recomputed from later ones."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeAlias

from django.db import connection, transaction
from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum, When
from django.utils import timezone

from core.batch import BatchOutcome, at_once_or_each
from core.db import fast_insert
from core.tasks import enqueue_after_commit
from core.versions import bump
from engagement.domain import quality, scoring
from engagement.enums import Dimension, RoleGroup, ScoreKind
from engagement.models import (
    Answer,
    Item,
    ReadinessChange,
    ReadinessResult,
    Response,
    ScoreRequest,
    Wave,
)
from engagement.services.item_bank import enqueue_item_bank_quality
from engagement.signals import readiness_released

logger = logging.getLogger(__name__)


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
    day) if the date closed it; its ReadinessResult rows written; `released_at` set; the change of
    its HIT's latest released wave against the one before stored (ReadinessChange rows, see
    _store_changes); its HIT's pending readiness request cleared; after the commit, the item bank
    quality of the waves' instruments queued (engagement.services.item_bank). Returns the number of
    result rows written.
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
    _store_changes({w[2] for w in waves}, now)
    # Updates and fast inserts send no signal: what shows released results renders again (core.versions).
    bump(Wave, ReadinessResult, ReadinessChange)
    ScoreRequest.objects.filter(kind=ScoreKind.READINESS, hit_id__in={w[2] for w in waves}).delete()
    # The item bank's reliability pools released waves: the new answers join it after the commit.
    enqueue_item_bank_quality(instrument_ids={w[1] for w in waves})
    # The apps above read released results too (reporting's funnel plot and readiness chart).
    readiness_released.send(sender=Wave, wave_ids=ids, hit_ids={w[2] for w in waves})
    return len(rows)


# --- Change between a HIT's two latest released waves ----------------------------------------------


def _latest_two_released(hit_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    """Each HIT's two latest released waves (wave id, instrument id), latest first, in the order the
    HIT dashboard reads them (opening date, then id); HITs with fewer than two are left out."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for hit_id, pk, instrument_id in (
        Wave.objects.filter(hit_id__in=hit_ids, released_at__isnull=False)
        .order_by("hit_id", "-opens_on", "-pk")
        .values_list("hit_id", "pk", "instrument_id")
    ):
        if len(found[hit_id]) < 2:
            found[hit_id].append((pk, instrument_id))
    return {hit_id: pair for hit_id, pair in found.items() if len(pair) == 2}


def _store_changes(hit_ids: set[int], now: datetime.datetime) -> int:
    """Store, per dimension both instruments ask, the change of each HIT's latest released wave against
    its previous released wave (docs/domain.md section 7.3): from all respondents' means only (the
    overall group), each wave needing five counted respondents; no per-respondent figure is kept.
    Rewrites the rows of those latest waves, so running it again changes nothing. Returns rows written.
    """
    pairs = _latest_two_released(hit_ids)
    if not pairs:
        return 0
    instrument_of = {pk: instrument for pair in pairs.values() for pk, instrument in pair}
    wave_ids = sorted(instrument_of)
    items_per_dimension = _items_per_dimension(set(instrument_of.values()))
    respondents = _respondents(wave_ids)
    means, digests = _respondent_means(wave_ids, respondents, items_per_dimension, instrument_of)
    by_wave: defaultdict[int, list[dict[str, float]]] = defaultdict(list)
    for pk, (wave_id, _org, _name, _role) in respondents.items():
        by_wave[wave_id].append(means.get(pk, {}))
    order = list(Dimension.values)
    rows: list[ReadinessChange] = []
    for hit_id, ((latest, latest_instrument), (previous, previous_instrument)) in pairs.items():
        asked = set(items_per_dimension[latest_instrument]) & set(items_per_dimension[previous_instrument])
        digest = scoring.fingerprint([latest, previous, sorted(digests[latest]), sorted(digests[previous])])
        for dimension in sorted(asked, key=order.index):
            before = [m[dimension] for m in by_wave[previous] if dimension in m]
            after = [m[dimension] for m in by_wave[latest] if dimension in m]
            found = quality.change(before, after)
            rows.append(
                ReadinessChange(
                    hit_id=hit_id,
                    wave_id=latest,
                    previous_wave_id=previous,
                    dimension=dimension,
                    n1=len(before),
                    n2=len(after),
                    difference=_rounded(found.difference),
                    low=_rounded(found.low),
                    high=_rounded(found.high),
                    df=_rounded(found.df),
                    label=found.label,
                    fingerprint=digest,
                    computed_at=now,
                )
            )
    ReadinessChange.objects.filter(wave_id__in=[pair[0][0] for pair in pairs.values()]).delete()
    ReadinessChange.objects.bulk_create(rows)
    return len(rows)


def _rounded(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None


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
    "rwg",
    "level",
    "fingerprint",
    "computed_at",
]


#: One ReadinessResult row, in READINESS_COLUMNS' order.
ReadinessRow: TypeAlias = tuple[
    int,  # wave
    str,  # group_type
    str,  # group_key
    str,  # group_label
    str,  # dimension
    int,  # n
    bool,  # suppressed
    float | None,  # score
    float | None,  # mean
    float | None,  # sd
    float | None,  # pct_agree
    float | None,  # rwg
    int | None,  # level
    str,  # fingerprint
    object,  # computed_at, as the database adapter takes it (connection.ops.adapt_datetimefield_value)
]
#: A submitted response: (wave id, organisation id as text or "", organisation name, role group or "").
Respondent: TypeAlias = tuple[int, str, str, str]
#: What the database sums for one response and dimension: (response id, dimension, total, answered).
AnswerSums: TypeAlias = tuple[int, str, int, int]
#: A group of a wave's respondents: (group type, group key, group label).
GroupKey: TypeAlias = tuple[str, str, str]
#: Each respondent of a group as their mean per dimension.
Members: TypeAlias = list[dict[str, float]]


def _readiness_rows(wave_rows: list[tuple[int, int, int]]) -> list[ReadinessRow]:
    """The result rows of waves (pk, instrument id, HIT id): overall, by organisation and by role.

    The database sums each respondent's reverse-coded answers per dimension (x' = 6 - x; "don't
    know" is NULL and not counted), Python applies the formulas of engagement.scoring to those
    per-respondent sums. Groups with fewer than five counted respondents are suppressed, with no
    figures; spreads only from ten.
    """
    ids = [w[0] for w in wave_rows]
    instrument_of = {w[0]: w[1] for w in wave_rows}
    items_per_dimension = _items_per_dimension(set(instrument_of.values()))
    respondents = _respondents(ids)
    means, digests = _respondent_means(ids, respondents, items_per_dimension, instrument_of)
    groups = _groups(ids, respondents, means)
    return _result_rows(groups, items_per_dimension, instrument_of, digests, _item_variances(ids))


def _items_per_dimension(instrument_ids: set[int]) -> defaultdict[int, defaultdict[str, int]]:
    """How many items each instrument has in each dimension."""
    items_per_dimension: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for instrument_id, dimension in Item.objects.filter(instrument_id__in=instrument_ids).values_list(
        "instrument_id", "dimension"
    ):
        items_per_dimension[instrument_id][dimension] += 1
    return items_per_dimension


def _respondents(wave_ids: list[int]) -> dict[int, Respondent]:
    """The submitted responses of the waves, by response id."""
    respondents: dict[int, Respondent] = {}
    for pk, wave_id, org_id, org_name, role in (
        Response.objects.filter(wave_id__in=wave_ids, is_submitted=True)
        .values_list("pk", "wave_id", "organisation_id", "organisation__name", "role_group")
        .order_by()
    ):
        respondents[pk] = (wave_id, str(org_id or ""), org_name or "", role)
    return respondents


def _respondent_means(
    wave_ids: list[int],
    respondents: dict[int, Respondent],
    items_per_dimension: defaultdict[int, defaultdict[str, int]],
    instrument_of: dict[int, int],
) -> tuple[defaultdict[int, dict[str, float]], defaultdict[int, list[AnswerSums]]]:
    """Each respondent's mean per dimension (only where they answered enough of its items), and each
    wave's per-response sums, the inputs its results' fingerprint is taken from."""
    coded = Case(
        When(item__reverse_worded=True, then=6 - F("value")), default=F("value"), output_field=IntegerField()
    )
    sums = (
        Answer.objects.filter(
            response__wave_id__in=wave_ids, response__is_submitted=True, value__isnull=False
        )
        .values_list("response_id", "item__dimension")
        .annotate(total=Sum(coded), answered=Count("pk"))
        .order_by()
    )
    means: defaultdict[int, dict[str, float]] = defaultdict(dict)
    digests: defaultdict[int, list[AnswerSums]] = defaultdict(list)
    for response_id, dimension, total, answered in sums.iterator(chunk_size=10000):
        wave_id = respondents[response_id][0]
        needed = items_per_dimension[instrument_of[wave_id]][dimension]
        if answered >= scoring.MIN_ANSWERED_SHARE * needed:
            means[response_id][dimension] = total / answered
        digests[wave_id].append((response_id, dimension, total, answered))
    return means, digests


#: Per group of a wave (wave id, group type, group key): each dimension's item variances in the group.
ItemVariances: TypeAlias = defaultdict[tuple[int, str, str], defaultdict[str, list[float]]]


def _item_variances(wave_ids: list[int]) -> ItemVariances:
    """The sample variance of each item's answers within each group of each wave, for the groups'
    agreement rWG(J) (docs/domain.md section 7.2): one grouped query per kind of group, from each
    item's count, sum and sum of squares. Reverse coding does not change a variance, so the answers
    are read as given; "don't know" is not an answer."""
    answers = Answer.objects.filter(
        response__wave_id__in=wave_ids, response__is_submitted=True, value__isnull=False
    ).order_by()
    squared = ExpressionWrapper(F("value") * F("value"), output_field=IntegerField())
    found: ItemVariances = defaultdict(lambda: defaultdict(list))
    for group_type, key_field in (
        (ReadinessResult.GROUP_OVERALL, ""),
        (ReadinessResult.GROUP_ORGANISATION, "response__organisation_id"),
        (ReadinessResult.GROUP_ROLE, "response__role_group"),
    ):
        fields = ["response__wave_id", "item_id", "item__dimension", *([key_field] if key_field else [])]
        for row in answers.values(*fields).annotate(n=Count("pk"), total=Sum("value"), squares=Sum(squared)):
            key = str(row[key_field] or "") if key_field else ""
            variance = quality.sample_variance(row["n"], row["total"], row["squares"])
            if (key or not key_field) and variance is not None:
                found[(row["response__wave_id"], group_type, key)][row["item__dimension"]].append(variance)
    return found


def _groups(
    wave_ids: list[int], respondents: dict[int, Respondent], means: defaultdict[int, dict[str, float]]
) -> dict[int, dict[GroupKey, Members]]:
    """Each wave's respondents: all of them, and by organisation and by role group where they said."""
    role_labels = dict(RoleGroup.choices)
    groups: dict[int, dict[GroupKey, Members]] = {
        wave_id: {(ReadinessResult.GROUP_OVERALL, "", "All respondents"): []} for wave_id in wave_ids
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
    return groups


def _result_rows(
    groups: dict[int, dict[GroupKey, Members]],
    items_per_dimension: defaultdict[int, defaultdict[str, int]],
    instrument_of: dict[int, int],
    digests: defaultdict[int, list[AnswerSums]],
    variances: ItemVariances,
) -> list[ReadinessRow]:
    """The result rows of each wave's groups, per dimension of its instrument. A group's agreement is kept
    with its other spreads, only from ten respondents up."""
    order = list(Dimension.values)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows: list[ReadinessRow] = []
    for wave_id, wave_groups in groups.items():
        dimensions = sorted(items_per_dimension[instrument_of[wave_id]], key=order.index)
        digest = scoring.fingerprint(sorted(digests[wave_id]))
        for (group_type, key, label), members in wave_groups.items():
            for dimension, r in scoring.group_results(members, dimensions).items():
                agreement = (
                    quality.rwg(variances[(wave_id, group_type, key)][dimension])
                    if not r.suppressed and r.n >= scoring.SPREAD_THRESHOLD
                    else None
                )
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
                        round(agreement, 6) if agreement is not None else None,
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


def readiness_release_for_hit(*, hit_id: int) -> int:
    """Release the results of the HIT's waves that have closed (see readiness_release)."""
    wave_ids = list(Wave.objects.filter(hit_id=hit_id).values_list("pk", flat=True))
    if not wave_ids:
        ScoreRequest.objects.filter(hit_id=hit_id, kind=ScoreKind.READINESS).delete()
        return 0
    return readiness_release(wave_ids=wave_ids)
