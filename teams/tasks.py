"""Celery tasks of the teams app: thin, named, idempotent."""

from celery import shared_task

from teams.services.portfolio import portfolio_snapshot_take


@shared_task(name="teams.snapshot_portfolio")
def snapshot_portfolio() -> int:
    """Store today's portfolio counts (beat runs it nightly). Returns the snapshot's id."""
    return portfolio_snapshot_take().pk
