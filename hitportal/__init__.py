"""HIT Portal project package: settings, URLs, the Celery app and small shared pieces."""

from hitportal.celery import app as celery_app

__all__ = ["celery_app"]
