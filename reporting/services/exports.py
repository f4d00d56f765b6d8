"""CSV and XLSX exports of the portal's filtered lists (GitHub issue 6).

Each kind of export starts from the selector of its list page and applies the page's own filter to
it, so an export holds exactly the rows the user may see there, and a filter can never widen that:

=============  ======================================================================================
hits           teams.selectors.hit_list_for_user + teams.filters.HITFilter (403 like the page for
               users who belong to no HIT and see no portfolio)
applications   with a `round`: accreditation.selectors.round_board + BoardFilter, for the round's
               chair and programme managers (403 otherwise, like the board); without: the HITs'
               own applications (application_list_for_applicant + ApplicationFilter; 403 for users
               in no HIT, like the page)
reports        reporting.selectors.report_list_for_user + ReportFilter ("open" when unfiltered)
stakeholders   engagement.selectors.stakeholder_map of one HIT (404 unless the user may see its
               named map, engagement.permissions.can_view_stakeholder_map) + the map's filter form
readiness      engagement.selectors_surveys.wave_results of one wave (404 unless the user may see
               the HIT's readiness results, engagement.permissions.can_view_readiness): suppressed
               groups (n < 5) and the groups hidden to protect them are exported as "suppressed"
               with empty figures
=============  ======================================================================================

Spreadsheet formula injection: every text cell that begins with =, +, -, @, a tab or a carriage
return gets a leading single quote, in CSV and in XLSX alike, and XLSX text cells are always
written as strings (never formulas, never error codes). Numbers and dates stay numbers and dates.

Up to SYNC_ROW_LIMIT rows are written within the request; larger exports become an ExportJob that
the worker writes in chunks (reporting.tasks_exports.run_export), updating its progress.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Generic, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control

from accreditation import permissions as accreditation_permissions
from accreditation.filters import ApplicationFilter, BoardFilter
from accreditation.models import Round
from accreditation.selectors.applications import application_list_for_applicant
from accreditation.selectors.rounds import round_board
from core.batch import BatchOutcome, each_row
from core.tasks import Call, enqueue_after_commit
from engagement import permissions as engagement_permissions
from engagement.forms.stakeholders import StakeholderFilterForm
from engagement.selectors import surveys as selectors_surveys
from engagement.selectors.hits import hit_for_engagement
from engagement.selectors.stakeholders import stakeholder_map
from reporting import permissions as reporting_permissions
from reporting.enums import ExportFormat, ExportKind, ExportStatus
from reporting.filters import ReportFilter
from reporting.models import ExportJob
from reporting.selectors import reports as reporting_selectors
from teams import permissions as team_permissions
from teams.filters import HITFilter
from teams.models import User
from teams.roles import roles_of
from teams.selectors import hits as team_selectors

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: The control characters XLSX cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (tests compare the two).
#: openpyxl itself is imported only where a workbook is written, so web processes need not load it.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

logger = logging.getLogger(__name__)

# Exports of up to this many rows are written within the request; larger ones go to the worker.
SYNC_ROW_LIMIT = 2000
# Rows read per database round trip, and how often the worker reports its progress.
CHUNK_SIZE = 500
EXPORT_DIR = "exports"

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# OWASP "CSV injection": a spreadsheet runs a cell beginning with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The scope of an export of one HIT's (or one round's) list; the list pages post these as
# scope_<name> so that they never mix with the page's own GET filters.
SCOPE_KEYS: dict[str, tuple[str, ...]] = {
    ExportKind.HITS: (),
    ExportKind.APPLICATIONS: ("round",),
    ExportKind.REPORTS: (),
    ExportKind.STAKEHOLDERS: ("hit",),
    ExportKind.READINESS: ("hit", "wave"),
}


# --- Cells -------------------------------------------------------------------------------------------

#: A value as both writers take it (cell_value).
CellValue = str | int | float | datetime.date | datetime.datetime | None
#: An export's filters: the list page's GET filters and the scope (filters_from_request), stored
#: in a job as JSON.
ExportFilters = Mapping[str, object]


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: characters XLSX cannot hold are dropped (first, so they
    cannot hide a leading "="), then a formula-like start gets a leading single quote."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell_value(value: object) -> CellValue:
    """A value ready for either writer: text made safe, yes/no for booleans, local naive times
    (Excel has no time zones), numbers and dates left as they are."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, datetime.date):
        return value
    return safe_text(str(value))


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# --- Sources: the rows of one export ------------------------------------------------------------------


_Item = TypeVar("_Item")


@dataclass(frozen=True)
class ExportItems(Generic[_Item]):
    """The permission-aware items of an export, and how one item becomes its values."""

    items: QuerySet[Model, _Item] | list[_Item]
    row: Callable[[_Item], list[object]]

    def count(self) -> int:
        return self.items.count() if isinstance(self.items, QuerySet) else len(self.items)

    def raw_rows(self) -> Iterator[list[object]]:
        items: Iterable[_Item] = (
            self.items.iterator(chunk_size=CHUNK_SIZE) if isinstance(self.items, QuerySet) else self.items
        )
        for item in items:
            yield self.row(item)


class _ItemRows(Protocol):
    """ExportItems of any kind of item, as the writers read them."""

    def count(self) -> int: ...

    def raw_rows(self) -> Iterator[list[object]]: ...


@dataclass
class ExportSource:
    """The rows of one export: the headers and the items (their cells made safe by `rows()`)."""

    kind: str
    title: str
    filename_stem: str
    headers: list[str]
    items: _ItemRows

    _count: int | None = None

    def count(self) -> int:
        """How many rows (one query, asked once: the view and the writer both need it)."""
        if self._count is None:
            self._count = self.items.count()
        return self._count

    def rows(self) -> Iterator[list[CellValue]]:
        for values in self.items.raw_rows():
            yield [cell_value(value) for value in values]


def _data(filters: ExportFilters, *, kind: str) -> QueryDict:
    """The stored filters as the GET data of the page, without the scope keys."""
    data = QueryDict(mutable=True)
    for key, value in filters.items():
        if key in SCOPE_KEYS[kind]:
            continue
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return data


def _scope(filters: ExportFilters, key: str, what: str) -> int:
    """The id of the export's scope: text as posted, or a number as a job stored it; else 404."""
    value = filters.get(key)
    if isinstance(value, str | int | float):
        try:
            return int(value)
        except ValueError:
            pass
    raise Http404(f"No such {what}.")


def _stem(*parts: object) -> str:
    return "-".join(str(part) for part in parts if part) + f"-{timezone.localdate():%Y-%m-%d}"


def _hits(user: User, filters: ExportFilters) -> ExportSource:
    queryset = team_selectors.hit_list_for_user(user=user)
    # As teams.views.hit_list: someone who sees no portfolio and belongs to no HIT is refused.
    if not team_permissions.can_view_portfolio(user) and not queryset.exists():
        raise PermissionDenied("You are not a member of any HIT yet.")
    hit_filter = HITFilter(_data(filters, kind=ExportKind.HITS), queryset=queryset)
    return ExportSource(
        kind=ExportKind.HITS,
        title="HITs",
        filename_stem=_stem("hits"),
        headers=["Name", "Focus", "Status", "Life-cycle stage", "Host organisation", "Demo data"],
        items=ExportItems(
            hit_filter.qs,
            row=lambda hit: [
                hit.name,
                hit.focus,
                hit.get_status_display(),
                hit.get_stage_display(),
                hit.host_organisation.name if hit.host_organisation else "",
                hit.is_illustrative,
            ],
        ),
    )


def _applications(user: User, filters: ExportFilters) -> ExportSource:
    data = _data(filters, kind=ExportKind.APPLICATIONS)
    if "round" in filters:
        # The round board: its chair and programme managers (as accreditation.views.panel.round_board).
        round_pk = _scope(filters, "round", "round")
        round_ = Round.objects.filter(pk=round_pk).first()
        if round_ is None:
            raise Http404("No such round.")
        verdict = accreditation_permissions.can_see_round_board(user, round_.pk)
        if not verdict:
            raise PermissionDenied(verdict.reason)
        board = BoardFilter(data, queryset=round_board(round=round_))
        needed = round_.reviewers_per_application
        return ExportSource(
            kind=ExportKind.APPLICATIONS,
            title="Applications",
            filename_stem=_stem("applications", f"round-{round_.pk}"),
            headers=[
                "HIT",
                "Round",
                "Kind",
                "Status",
                "Version",
                "Reviewers assigned",
                "Reviews submitted",
                "Reviews needed",
                "Submitted",
                "Last changed",
            ],
            items=ExportItems(
                board.qs,
                row=lambda application: [
                    application.hit.name,
                    round_.name,
                    application.get_kind_display(),
                    application.get_status_display(),
                    application.version,
                    application.assigned,
                    application.submitted_reviews,
                    needed,
                    application.submitted_at,
                    application.updated_at,
                ],
            ),
        )
    # The HITs' own applications (as accreditation.views.applications.application_list).
    if not roles_of(user).hit_ids:
        raise PermissionDenied(
            "This page lists the applications of your HITs, and you are not a member of any HIT."
        )
    application_filter = ApplicationFilter(data, queryset=application_list_for_applicant(user=user))
    return ExportSource(
        kind=ExportKind.APPLICATIONS,
        title="Applications",
        filename_stem=_stem("applications"),
        headers=["HIT", "Round", "Kind", "Status", "Version", "Submitted", "Last changed"],
        items=ExportItems(
            application_filter.qs,
            row=lambda application: [
                application.hit.name,
                application.round.name,
                application.get_kind_display(),
                application.get_status_display(),
                application.version,
                application.submitted_at,
                application.updated_at,
            ],
        ),
    )


def _reports(user: User, filters: ExportFilters) -> ExportSource:
    verdict = reporting_permissions.can_list_reports(user)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    today = timezone.localdate()
    data = _data(filters, kind=ExportKind.REPORTS)
    if not data:
        data["status"] = "open"  # the list page's default: everything not yet accepted
    report_filter = ReportFilter(
        data,
        queryset=reporting_selectors.report_list_for_user(user=user, today=today),
        hits=reporting_selectors.hits_for_report_filter(user=user),
    )
    return ExportSource(
        kind=ExportKind.REPORTS,
        title="Progress reports",
        filename_stem=_stem("progress-reports"),
        headers=[
            "HIT",
            "Period from",
            "Period to",
            "Due on",
            "Status",
            "Version",
            "Overdue",
            "Submitted",
            "Submitted by",
        ],
        items=ExportItems(
            report_filter.qs,
            row=lambda report: [
                report.hit.name,
                report.period_start,
                report.period_end,
                report.due_on,
                report.get_status_display(),
                report.version,
                report.is_overdue,
                report.submitted_at,
                str(report.submitted_by) if report.submitted_by else "",
            ],
        ),
    )


def _stakeholders(user: User, filters: ExportFilters) -> ExportSource:
    hit = hit_for_engagement(
        user=user, pk=_scope(filters, "hit", "HIT"), may_see=engagement_permissions.can_view_stakeholder_map
    )
    form = StakeholderFilterForm(_data(filters, kind=ExportKind.STAKEHOLDERS) or None)
    category, include_ended = None, False
    if form.is_valid():
        category = form.cleaned_data["category"]
        include_ended = form.cleaned_data["include_ended"]
    rows = stakeholder_map(hit=hit, include_ended=include_ended)
    if category is not None:
        rows = rows.filter(category=category)
    return ExportSource(
        kind=ExportKind.STAKEHOLDERS,
        title="Stakeholder map",
        filename_stem=_stem("stakeholders", hit.slug),
        headers=[
            "Category",
            "Person",
            "Organisation",
            "Organisation type",
            "Depth",
            "Role in the HIT's structures",
            "From",
            "Until",
            "Evidence",
            "Source",
        ],
        items=ExportItems(
            rows,
            row=lambda row: [
                row.category.name,
                row.person.full_name if row.person else "",
                row.organisation.name if row.organisation else "",
                row.organisation.org_type.name if row.organisation and row.organisation.org_type else "",
                row.get_depth_display(),
                row.role,
                row.start_date,
                row.end_date,
                row.evidence,
                row.get_source_display(),
            ],
        ),
    )


def _readiness_row(item: tuple[str, str, selectors_surveys.ResultRow, object]) -> list[object]:
    group_type, group, row, as_of = item
    if row.suppressed:
        # No figure of a suppressed group leaves the portal, not even its n.
        flag = "suppressed (protects a smaller group)" if row.protects_smaller_group else "suppressed"
        return [row.dimension_label, group_type, group, None, None, None, None, "", flag, as_of]
    return [
        row.dimension_label,
        group_type,
        group,
        row.n,
        row.score,  # rounded by wave_results, as the page shows them
        row.sd,
        row.pct_agree,
        row.level_label,
        "; ".join(row.flags),
        as_of,
    ]


def _readiness(user: User, filters: ExportFilters) -> ExportSource:
    hit = hit_for_engagement(
        user=user, pk=_scope(filters, "hit", "HIT"), may_see=engagement_permissions.can_view_readiness
    )
    wave = selectors_surveys.wave_get(hit=hit, pk=_scope(filters, "wave", "survey"))
    # wave_results applies both suppressions: the worker's n < 5 and the protective one.
    results = selectors_surveys.wave_results(wave=wave)
    if not results.released:
        raise PermissionDenied(selectors_surveys.NOT_RELEASED_MESSAGE)
    # Every row says when the worker computed the figures (the results' "as of").
    as_of = results.computed_at
    items = [
        *[("All respondents", "All respondents", row, as_of) for row in results.overall],
        *[
            ("Organisation", block.label, row, as_of)
            for block in results.by_organisation
            for row in block.rows
        ],
        *[("Role group", block.label, row, as_of) for block in results.by_role for row in block.rows],
    ]
    return ExportSource(
        kind=ExportKind.READINESS,
        title="Readiness results",
        filename_stem=_stem("readiness", hit.slug, f"wave-{wave.pk}"),
        headers=[
            "Dimension",
            "Group type",
            "Group",
            "n",
            "Score (R)",
            "SD of means",
            "% agreeing",
            "Indicative level",
            "Flags",
            "As of (computed at)",
        ],
        items=ExportItems(
            items,
            row=_readiness_row,
        ),
    )


_BUILDERS: dict[str, Callable[[User, ExportFilters], ExportSource]] = {
    ExportKind.HITS: _hits,
    ExportKind.APPLICATIONS: _applications,
    ExportKind.REPORTS: _reports,
    ExportKind.STAKEHOLDERS: _stakeholders,
    ExportKind.READINESS: _readiness,
}

# The GET filters each list page understands; anything else posted is dropped.
FILTER_KEYS: dict[str, tuple[str, ...]] = {
    ExportKind.HITS: tuple(HITFilter.base_filters),
    ExportKind.APPLICATIONS: tuple(
        dict.fromkeys([*ApplicationFilter.base_filters, *BoardFilter.base_filters])
    ),
    ExportKind.REPORTS: tuple(ReportFilter.base_filters),
    ExportKind.STAKEHOLDERS: tuple(StakeholderFilterForm.base_fields),
    ExportKind.READINESS: (),
}


def build_source(*, user: User, kind: str, filters: ExportFilters) -> ExportSource:
    """The rows of an export as `user` may see them on the list page. Raises Http404 where the
    page would (a HIT, wave or round the user may not see) and PermissionDenied with the page's
    reason where the page answers 403."""
    if kind not in _BUILDERS:
        raise Http404("No such export.")
    return _BUILDERS[kind](user, filters)


def filters_from_request(*, kind: str, data: QueryDict) -> dict[str, str | list[str]]:
    """The filters of a list page as posted by its export buttons, as a JSON-ready dictionary: the
    page's own filter fields (one value, or a list when repeated; empty ones dropped) and the
    scope (`scope_hit`, `scope_wave`, `scope_round`, stored as hit, wave, round)."""
    filters: dict[str, str | list[str]] = {}
    for key in FILTER_KEYS.get(kind, ()):
        values = [value for value in data.getlist(key) if value != ""]
        if values:
            filters[key] = values[0] if len(values) == 1 else values
    for key in SCOPE_KEYS.get(kind, ()):
        value = data.get(f"scope_{key}", "")
        if value != "":
            filters[key] = value
    return filters


# --- Writers -----------------------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def write_csv(handle: IO[str], source: ExportSource, *, on_progress: Progress | None = None) -> int:
    """Write the header and every row to a text handle; returns the number of rows. A byte-order
    mark comes first so that Excel reads the file as UTF-8."""
    total = source.count()
    writer = csv.writer(handle)
    handle.write("\ufeff")
    writer.writerow([safe_text(header) for header in source.headers])
    written = 0
    for row in source.rows():
        writer.writerow([_csv_text(value) for value in row])
        written += 1
        if on_progress and written % CHUNK_SIZE == 0:
            on_progress(written, total)
    return written


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: CellValue, *, bold: bool = False) -> Cell:
    from openpyxl.cell.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet)
    cell.value = value
    if isinstance(value, str):
        # openpyxl would store "=..." as a formula and "#N/A" as an error: text stays text.
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(handle: IO[bytes], source: ExportSource, *, on_progress: Progress | None = None) -> int:
    """Write one worksheet in openpyxl's write-only (streaming) mode; returns the number of rows."""
    from openpyxl import Workbook

    total = source.count()
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=source.title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, safe_text(header), bold=True) for header in source.headers])
    written = 0
    for row in source.rows():
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        written += 1
        if on_progress and written % CHUNK_SIZE == 0:
            on_progress(written, total)
    workbook.save(handle)
    return written


def filename(source: ExportSource, format: str) -> str:
    return f"{source.filename_stem}.{format}"


def download_response(source: ExportSource, format: str) -> HttpResponse:
    """A small export written within the request, as an attachment."""
    if format == ExportFormat.CSV:
        text = io.StringIO(newline="")
        write_csv(text, source)
        content: bytes = text.getvalue().encode("utf-8")
    else:
        binary = io.BytesIO()
        write_xlsx(binary, source)
        content = binary.getvalue()
    response = HttpResponse(content, content_type=CONTENT_TYPES[ExportFormat(format)])
    response["Content-Disposition"] = f'attachment; filename="{filename(source, format)}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


def export_root() -> Path:
    """MEDIA_ROOT/exports: uploads and exports are never served directly (see MEDIA_URL)."""
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR


def job_file(job: ExportJob) -> Path | None:
    """The job's written file, or None when it has none (or its stored path escapes exports/)."""
    if not job.file_path:
        return None
    root = export_root().resolve()
    path = (Path(settings.MEDIA_ROOT) / job.file_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


# --- Export jobs: writes -----------------------------------------------------------------------------


def export_retention() -> datetime.timedelta:
    return datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS)


def export_jobs_expire(*, now: datetime.datetime | None = None) -> BatchOutcome:
    """Delete the export jobs asked for more than EXPORT_RETENTION_DAYS ago, with their files.

    An export copies personal data out of the portal, so it is kept only long enough to download.
    Side effects: each expired job's file (and any temporary file a stopped worker left beside it)
    removed, then the job's row deleted. A job whose file cannot be removed keeps its row (so the
    next run tries again), is logged with its id and skipped; the others carry on (core.batch).
    Idempotent: a second run finds nothing. Returns the number of jobs deleted (`done`) and the ids
    of the jobs skipped.
    """
    cutoff = (now or timezone.now()) - export_retention()
    expired = list(ExportJob.objects.filter(created_at__lt=cutoff).only("pk", "file_path"))
    outcome = each_row(
        expired, _export_job_delete, row_id=lambda job: job.pk, what="Expired export job", logger=logger
    )
    root = export_root()
    if root.is_dir():
        for partial in root.glob(".export-*.part"):
            try:
                if partial.stat().st_mtime < cutoff.timestamp():
                    partial.unlink(missing_ok=True)
            except OSError:
                logger.exception("A stopped export's temporary file %s could not be removed.", partial.name)
    return outcome


def _export_job_delete(job: ExportJob) -> int:
    path = job_file(job)
    if path is not None:
        path.unlink(missing_ok=True)
    deleted, _ = ExportJob.objects.filter(pk=job.pk).delete()
    return 1 if deleted else 0


@transaction.atomic
def export_job_create(*, actor: User, kind: str, format: str, filters: ExportFilters) -> ExportJob:
    """Queue a large export for the worker.

    Side effects, in order: an ExportJob row (queued, progress 0); on commit, the task
    reporting.run_export is enqueued with the job's id. If the broker refuses it, the job is marked
    failed at once with a message its owner sees on the progress page (export_job_not_started),
    rather than left "queued" for a task that will never come.
    """
    from reporting.tasks import run_export

    job = ExportJob(requested_by=actor, kind=kind, format=format, filters=filters)
    job.full_clean()
    job.save()
    enqueue_after_commit(run_export, {"job_id": job.pk}, on_refused=_not_started)
    return job


NOT_STARTED = (
    "The export could not be started because the portal's background service is unavailable. "
    "Please ask for it again in a few minutes."
)


def _not_started(calls: list[Call]) -> None:
    for call in calls:
        export_job_not_started(job_id=call["job_id"])


def export_job_not_started(*, job_id: int) -> None:
    """Mark a job whose task was lost as failed (only if no worker has started it since).
    Side effect: status failed, finished now, with a message that tells its owner to ask again."""
    ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.FAILED, finished_at=timezone.now(), updated_at=timezone.now(), error=NOT_STARTED
    )


def _update(job_id: int, **fields: object) -> None:
    # Not save(): each update is committed on its own, so the progress page sees it at once.
    ExportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def export_job_run(*, job_id: int) -> int:
    """Write a queued job's file; returns the number of rows written (0 when the job is gone).

    Side effects, in order: the job is marked running (progress 0, started now); the rows are read
    again from the owner's selectors (so a user who lost access gets a failed job, not the rows)
    and written to a temporary file beside MEDIA_ROOT/exports/export-<id>.<format>, the progress
    updated after every CHUNK_SIZE rows; the temporary file is renamed over the final one; the job
    is marked done (progress 100, row count, file path, finished now). On an error the job is
    marked failed with a message and the partial file is removed.

    Idempotent: running it again rewrites the same file from the current data, and two runs at
    once each write their own temporary file, the last rename winning.
    """
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return 0
    _update(job.pk, status=ExportStatus.RUNNING, progress=0, started_at=timezone.now(), error="")
    root = export_root()
    root.mkdir(parents=True, exist_ok=True)
    relative = f"{EXPORT_DIR}/export-{job.pk}.{job.format}"
    final = Path(settings.MEDIA_ROOT) / relative
    temporary = root / f".export-{job.pk}-{uuid.uuid4().hex}.part"

    def progress(written: int, total: int) -> None:
        _update(job.pk, progress=min(99, written * 100 // max(total, 1)))

    try:
        source = build_source(user=job.requested_by, kind=job.kind, filters=job.filters)
        if job.format == ExportFormat.CSV:
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                written = write_csv(handle, source, on_progress=progress)
        else:
            with open(temporary, "wb") as binary:
                written = write_xlsx(binary, source, on_progress=progress)
        os.replace(temporary, final)
    except (Http404, PermissionDenied):
        temporary.unlink(missing_ok=True)
        _update(
            job.pk,
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            error="You can no longer see these rows, so the export was not written.",
        )
        return 0
    except (OperationalError, InterfaceError):
        # Transient: the task retries, and the rerun starts again from the beginning.
        temporary.unlink(missing_ok=True)
        _update(job.pk, status=ExportStatus.FAILED, error="The database was unavailable; trying again.")
        raise
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        temporary.unlink(missing_ok=True)
        _update(
            job.pk,
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            error="The export could not be written. Please try again, or ask the programme team.",
        )
        return 0
    _update(
        job.pk,
        status=ExportStatus.DONE,
        progress=100,
        row_count=written,
        file_path=relative,
        download_name=filename(source, job.format),
        finished_at=timezone.now(),
    )
    return written
