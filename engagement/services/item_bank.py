"""The measurement quality of the readiness item bank (docs/domain.md section 7.1), computed by the worker
and stored for the programme managers' item bank pages: per instrument version and dimension, Cronbach's
alpha with its Feldt 95% interval, and per item its corrected item-total correlation and the alpha if it
were deleted (engagement.domain.quality.reliability).

Pooled over every released wave of the portfolio that closed in the last 24 months, on the respondents
who answered every item of the dimension (listwise: "don't know" or no answer leaves the respondent out of
that dimension); reverse-worded items are coded 6 - x. Only released waves are read, so nothing here
depends on answers still arriving (docs/security.md, "Readiness surveys").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, F, IntegerField, When
from django.utils import timezone

from core.tasks import enqueue_after_commit
from engagement.domain import quality, scoring
from engagement.enums import Dimension
from engagement.models import Answer, Instrument, Item, ItemBankItemQuality, ItemBankQuality

#: Waves that closed within this many months are pooled.
WINDOW_MONTHS = 24

#: One respondent's coded answers to one dimension's items, by item id (None: "don't know").
Coded = dict[int, int | None]


def window_start(today: datetime.date) -> datetime.date:
    """The first day of the pooling window: the same day 24 months earlier (28 February for a 29th)."""
    year = today.year - WINDOW_MONTHS // 12
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February
        return today.replace(year=year, day=28)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def item_bank_quality_compute(*, instrument_ids: Iterable[int] | None = None) -> int:
    """Compute and store the item bank quality of the given instrument versions (None: every one).

    Set-based: one query for the items, one for the answers of the submitted responses of the released
    waves closed in the window, whatever the number of instruments and waves. Side effects, in order:
    the instruments' rows locked (concurrent runs for a version take turns); their ItemBankQuality rows (and their ItemBankItemQuality rows) deleted, then one
    ItemBankQuality per dimension with items written, with its items' rows, its inputs' fingerprint and
    `computed_at`; a dimension without an alpha keeps the reason (too few complete respondents, a single
    item, no variance). Idempotent. Returns the number of ItemBankQuality rows written.
    """
    today = timezone.localdate()
    since = window_start(today)
    items = Item.objects.order_by("instrument_id", "position", "pk")
    if instrument_ids is not None:
        items = items.filter(instrument_id__in=list(instrument_ids))
    # (instrument, dimension) -> the dimension's item ids, in the order respondents see them.
    dimensions: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, instrument_id, dimension in items.values_list("pk", "instrument_id", "dimension"):
        dimensions[(instrument_id, dimension)].append(pk)
    instruments = {instrument_id for instrument_id, _dimension in dimensions}
    # A release's run and the nightly one for the same version wait for each other rather than both
    # replacing its rows (no-key: waves may still be created against the version meanwhile).
    list(
        Instrument.objects.filter(pk__in=instruments)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )
    coded = Case(
        When(item__reverse_worded=True, value__isnull=False, then=6 - F("value")),
        default=F("value"),
        output_field=IntegerField(),
    )
    answers = (
        Answer.objects.filter(
            item__instrument_id__in=instruments,
            response__is_submitted=True,
            response__wave__released_at__isnull=False,
            response__wave__closed_at__gte=_start_of(since),
        )
        .annotate(coded=coded)
        .values_list("response_id", "item__instrument_id", "item__dimension", "item_id", "coded")
        .order_by()
    )
    # (instrument, dimension) -> response id -> its coded answers to the dimension's items.
    answered: defaultdict[tuple[int, str], defaultdict[int, Coded]] = defaultdict(lambda: defaultdict(dict))
    for response_id, instrument_id, dimension, item_id, value in answers.iterator(chunk_size=10000):
        answered[(instrument_id, dimension)][response_id][item_id] = value
    ItemBankQuality.objects.filter(instrument_id__in=instruments).delete()
    now = timezone.now()
    order = list(Dimension.values)
    stored: list[ItemBankQuality] = []
    item_rows: list[tuple[int, list[ItemBankItemQuality]]] = []
    for (instrument_id, dimension), item_ids in sorted(
        dimensions.items(), key=lambda entry: (entry[0][0], order.index(entry[0][1]))
    ):
        respondents: dict[int, Coded] = answered.get((instrument_id, dimension), {})
        matrix = [
            [row.get(item_id) for item_id in item_ids] for _response, row in sorted(respondents.items())
        ]
        result = quality.reliability(matrix if matrix else [[None] * len(item_ids)])
        stored.append(
            ItemBankQuality(
                instrument_id=instrument_id,
                dimension=dimension,
                n=result.n,
                k=len(item_ids),
                alpha=_rounded(result.alpha),
                low=_rounded(result.low),
                high=_rounded(result.high),
                reason=result.reason if result.alpha is None else "",
                window_from=since,
                fingerprint=scoring.fingerprint({"items": item_ids, "answers": matrix, "since": since}),
                computed_at=now,
            )
        )
        item_rows.append(
            (
                len(stored) - 1,
                [
                    ItemBankItemQuality(
                        item_id=item_ids[entry.item],
                        item_total_r=_rounded(entry.item_total_r),
                        alpha_if_deleted=_rounded(entry.alpha_if_deleted),
                    )
                    for entry in result.items
                ],
            )
        )
    created = ItemBankQuality.objects.bulk_create(stored)
    rows = []
    for index, entries in item_rows:
        for entry in entries:
            entry.quality = created[index]
            rows.append(entry)
    ItemBankItemQuality.objects.bulk_create(rows)
    return len(created)


def _rounded(value: float | None) -> float | None:
    value = scoring.finite(value)
    return round(value, 6) if value is not None else None


def enqueue_item_bank_quality(*, instrument_ids: Iterable[int]) -> None:
    """Ask the worker to recompute the quality of these item bank versions once the current transaction
    commits (after a wave's results are released). If the broker refuses, the nightly run catches up."""
    # engagement.tasks imports this module, so the task is looked up when first needed.
    from engagement import tasks

    enqueue_after_commit(tasks.compute_item_bank_quality, {"instrument_ids": sorted(set(instrument_ids))})
