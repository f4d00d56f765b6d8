"""The board dashboard's stored portfolio statistics (reporting.services.portfolio_statistics
computes them): the funnel plot of readiness and the monthly XmR charts, read in one query."""

from __future__ import annotations

from reporting.models import PortfolioStatistic

KINDS = ("funnel", "overdue", "coverage", "readiness")


def stored_statistics() -> dict[str, PortfolioStatistic]:
    """Every stored statistic by kind (one query); a kind never computed is missing."""
    return {row.kind: row for row in PortfolioStatistic.objects.filter(kind__in=KINDS)}
