"""The daily portfolio snapshot the board's trend charts read."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from teams.enums import HITStatus
from teams.models import HIT, PortfolioSnapshot


@transaction.atomic
def portfolio_snapshot_take(*, day: datetime.date | None = None) -> PortfolioSnapshot:
    """Store today's HIT counts by status and stage (idempotent: one row per day, overwritten).

    Set-based: two grouped aggregate queries, whatever the number of HITs.
    """
    from django.db.models import Count

    day = day or timezone.localdate()
    by_status = dict.fromkeys(HITStatus.values, 0)
    for row in HIT.objects.order_by().values("status").annotate(n=Count("pk")):
        by_status[row["status"]] = row["n"]
    by_stage = {
        row["stage"]: row["n"] for row in HIT.objects.order_by().values("stage").annotate(n=Count("pk"))
    }
    snapshot, _ = PortfolioSnapshot.objects.update_or_create(
        taken_on=day,
        defaults={"hits_total": sum(by_status.values()), "by_status": by_status, "by_stage": by_stage},
    )
    return snapshot
