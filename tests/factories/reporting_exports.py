"""Factories for export jobs. Traits set the state directly on the row; `done` does not write a file
(tests that need one call `reporting.exports.export_job_run`, or write it with `write_job_file`)."""

from __future__ import annotations

from pathlib import Path

import factory
from django.conf import settings
from django.utils import timezone

from reporting.enums import ExportFormat, ExportKind, ExportStatus
from reporting.models import ExportJob
from tests.factories.teams import UserFactory


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A queued CSV export of the HIT list."""

    class Meta:
        model = ExportJob

    requested_by = factory.SubFactory(UserFactory)
    kind = ExportKind.HITS
    format = ExportFormat.CSV
    filters = factory.LazyFunction(dict)
    status = ExportStatus.QUEUED

    class Params:
        running = factory.Trait(
            status=ExportStatus.RUNNING, progress=40, started_at=factory.LazyFunction(timezone.now)
        )
        done = factory.Trait(
            status=ExportStatus.DONE,
            progress=100,
            row_count=1,
            file_path=factory.LazyAttribute(lambda o: f"exports/export-factory.{o.format}"),
            download_name=factory.LazyAttribute(lambda o: f"{o.kind}.{o.format}"),
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(
            status=ExportStatus.FAILED,
            error="The export could not be written.",
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
        )


def write_job_file(job: ExportJob, content: bytes = b"\xef\xbb\xbfName\r\nDementia HIT\r\n") -> Path:
    """Put a file where a done job says it is (under settings.MEDIA_ROOT, set to a tmp path)."""
    path = Path(settings.MEDIA_ROOT) / job.file_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
