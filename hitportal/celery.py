"""The Celery application: configured from Django settings (CELERY_ namespace)."""

import logging
import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from core.logging import RedactTokensFilter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitportal.settings")

app = Celery("hitportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_tokens_in_worker_logs(logger: logging.Logger, **kwargs: object) -> None:
    """Celery replaces the root logger's handlers (settings.LOGGING's filtered console) with its own,
    and sends what tasks print to the log; its handlers get the same redaction as the web's."""
    for handler in logger.handlers:
        if not any(isinstance(existing, RedactTokensFilter) for existing in handler.filters):
            handler.addFilter(RedactTokensFilter())
