"""The stored measurement quality of an item bank version (docs/domain.md section 7.1), for the programme
managers' item bank page: read only, computed by the worker (engagement.services.item_bank)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from engagement.domain.quality import MIN_RELIABILITY_N
from engagement.enums import Dimension
from engagement.models import Instrument, ItemBankItemQuality, ItemBankQuality


@dataclass(frozen=True)
class ItemBankQualityView:
    dimensions: list[ItemBankQuality]  # in the order of Dimension, each with its items prefetched
    computed_at: datetime.datetime | None  # the latest computation ("as of"), None when never computed
    min_n: int = MIN_RELIABILITY_N


def item_bank_quality(*, instrument: Instrument) -> ItemBankQualityView:
    """Each dimension's stored reliability with its items': two queries whatever the number of items."""
    order = list(Dimension.values)
    rows = list(
        ItemBankQuality.objects.filter(instrument=instrument).prefetch_related(
            Prefetch(
                "items",
                queryset=ItemBankItemQuality.objects.select_related("item").order_by(
                    "item__position", "item"
                ),
            )
        )
    )
    rows.sort(key=lambda row: order.index(row.dimension) if row.dimension in order else len(order))
    computed = max((row.computed_at for row in rows), default=None)
    return ItemBankQualityView(dimensions=rows, computed_at=computed)
