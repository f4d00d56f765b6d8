"""Exports of the filtered lists: the contents of each kind in both formats, suppression, formula
injection, visibility, the worker's task end to end, the large-export path, the progress partial,
downloads and the list of a user's exports."""

from __future__ import annotations

import csv
import datetime
import io
import os
import pathlib
import zipfile

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accreditation.models import PanelMember
from engagement.enums import Dimension
from engagement.models import ReadinessResult
from reporting.enums import ExportStatus
from reporting.models import ExportJob
from reporting.services import exports
from reporting.tasks import expire_exports, run_export
from teams.enums import HITStatus
from tests import factories as f
from tests.conftest import BROKER_DOWN
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories.accreditation_applications import ApplicationFactory
from tests.factories.reporting_exports import ExportJobFactory, write_job_file

CREATE = "reporting:export-create"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _export(client, kind: str, format: str = "csv", **data):
    return client.post(reverse(CREATE), {"kind": kind, "format": format, **data})


def _rows(response, format: str) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return _csv_rows(content) if format == "csv" else _xlsx_rows(content)


# --- Cells ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 117 900", "'+44 117 900"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\x01=cmd", "'=cmd"),  # a control character cannot hide the "="
        ("Dementia HIT", "Dementia HIT"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_text_quotes_formula_starts(text, expected):
    assert exports.safe_text(text) == expected


def test_cell_value_keeps_numbers_and_dates_and_says_yes_or_no():
    day = datetime.date(2026, 1, 5)

    assert exports.cell_value(-3) == -3
    assert exports.cell_value(2.5) == 2.5
    assert exports.cell_value(day) == day
    assert exports.cell_value(True) == "Yes"
    assert exports.cell_value(None) is None
    assert exports.cell_value(NOW) == datetime.datetime(2026, 3, 2, 10, 0)  # Europe/London, naive


# --- HITs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_hit_export_lists_the_filtered_hits(client, programme_manager, format):
    host = f.OrganisationFactory(name="North Bristol NHS Trust")
    f.HITFactory(name="Dementia HIT", focus="Dementia care", status=HITStatus.ACTIVE, host_organisation=host)
    f.HITFactory(name="Pain HIT", focus="Chronic pain", status=HITStatus.ACTIVE)
    f.HITFactory(name="Proposed HIT", status=HITStatus.PROPOSED)
    client.force_login(programme_manager)

    with time_machine.travel(NOW):
        response = _export(client, "hits", format, status="active", page="2")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="hits-2026-03-02.{format}"'
    assert _rows(response, format) == [
        ["Name", "Focus", "Status", "Life-cycle stage", "Host organisation", "Demo data"],
        ["Dementia HIT", "Dementia care", "Active", "Contemplating", "North Bristol NHS Trust", "No"],
        ["Pain HIT", "Chronic pain", "Active", "Contemplating", None if format == "xlsx" else "", "No"],
    ]


def test_xlsx_export_has_the_spreadsheet_content_type(client, programme_manager, hit):
    client.force_login(programme_manager)

    response = _export(client, "hits", "xlsx")

    assert response["Content-Type"] == XLSX_TYPE
    assert response["X-Content-Type-Options"] == "nosniff"


def test_formula_injection_is_defused_in_csv(client, programme_manager):
    f.HITFactory(name='=HYPERLINK("http://evil.example","Click")', focus="+SUM(1,2)", status=HITStatus.ACTIVE)
    client.force_login(programme_manager)

    rows = _rows(_export(client, "hits", "csv"), "csv")

    assert rows[1][:2] == ['\'=HYPERLINK("http://evil.example","Click")', "'+SUM(1,2)"]


def test_formula_injection_is_defused_in_xlsx_cells_are_strings_never_formulas(client, programme_manager):
    host = f.OrganisationFactory(name="@evil")
    f.HITFactory(
        name='=HYPERLINK("http://evil.example","Click")',
        focus="-1+2",
        status=HITStatus.ACTIVE,
        host_organisation=host,
    )
    client.force_login(programme_manager)

    content = _export(client, "hits", "xlsx").content

    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    assert [cell.value for cell in cells[:5]] == [
        '\'=HYPERLINK("http://evil.example","Click")',
        "'-1+2",
        "Active",
        "Contemplating",
        "'@evil",
    ]
    assert {cell.data_type for cell in cells} == {"s"}
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_hit_export_of_a_member_lists_only_their_hits(client, director, hit, other_hit):
    client.force_login(director)

    rows = _rows(_export(client, "hits"), "csv")

    assert [row[0] for row in rows[1:]] == ["Dementia HIT"]


# --- Applications ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_applicant_export_lists_only_their_teams_applications(client, director, hit, other_hit, format):
    round_ = f.RoundFactory(name="2026 round")
    with time_machine.travel(NOW):
        ApplicationFactory(hit=hit, round=round_, submitted=True, version=2)
        ApplicationFactory(hit=other_hit, round=round_, submitted=True)
    client.force_login(director)

    rows = _rows(_export(client, "applications", format), format)

    submitted = datetime.datetime(2026, 3, 2, 10, 0) if format == "xlsx" else "2026-03-02 10:00"
    assert rows == [
        ["HIT", "Round", "Kind", "Status", "Version", "Submitted", "Last changed"],
        [
            "Dementia HIT",
            "2026 round",
            "New accreditation",
            "Submitted",
            2 if format == "xlsx" else "2",
            submitted,
            submitted,
        ],
    ]


def test_applicant_export_applies_the_status_filter(client, director, hit):
    ApplicationFactory(hit=hit, submitted=True)
    ApplicationFactory(hit=hit, withdrawn=True)
    client.force_login(director)

    rows = _rows(_export(client, "applications", status="withdrawn"), "csv")

    assert [row[3] for row in rows[1:]] == ["Withdrawn"]


def test_reviewer_is_refused_the_applications_export_as_by_the_page(client, reviewer, hit):
    ApplicationFactory(hit=hit, submitted=True)
    client.force_login(reviewer)

    response = _export(client, "applications")

    assert response.status_code == 403
    assert client.get(reverse("accreditation:application-list")).status_code == 403


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_chair_exports_the_round_board(client, chair, hit, other_hit, format):
    round_ = PanelMember.objects.get(user=chair).panel.round
    ApplicationFactory(hit=hit, round=round_, under_review=True)
    ApplicationFactory(hit=other_hit, round=round_, submitted=True)
    ApplicationFactory(hit=f.HITFactory(name="Elsewhere HIT"), submitted=True)  # another round
    client.force_login(chair)

    rows = _rows(
        _export(client, "applications", format, scope_round=round_.pk, status="under_review"), format
    )

    assert [row[:8] for row in rows] == [
        [
            "HIT",
            "Round",
            "Kind",
            "Status",
            "Version",
            "Reviewers assigned",
            "Reviews submitted",
            "Reviews needed",
        ],
        [
            "Dementia HIT",
            round_.name,
            "New accreditation",
            "Under review",
            *([1, 0, 0, 2] if format == "xlsx" else ["1", "0", "0", "2"]),
        ],
    ]


def test_round_board_export_is_refused_to_another_rounds_chair(client, chair, hit):
    other_round = f.RoundFactory()
    ApplicationFactory(hit=hit, round=other_round, submitted=True)
    client.force_login(chair)

    assert _export(client, "applications", scope_round=other_round.pk).status_code == 403
    assert _export(client, "applications", scope_round=999999).status_code == 404


# --- Progress reports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_report_export_lists_the_open_reports_overdue_first(
    client, programme_manager, hit, other_hit, format
):
    with time_machine.travel(NOW):
        rf.ProgressReportFactory(hit=hit, due_on=datetime.date(2026, 2, 1))
        rf.ProgressReportFactory(hit=other_hit, due_on=datetime.date(2026, 4, 1))
        rf.ProgressReportFactory(hit=hit, due_on=datetime.date(2025, 8, 1), accepted=True)
        client.force_login(programme_manager)

        rows = _rows(_export(client, "reports", format), format)

    def day(text: str):
        value = datetime.date.fromisoformat(text)
        return datetime.datetime.combine(value, datetime.time()) if format == "xlsx" else text

    assert [row[:7] for row in rows] == [
        ["HIT", "Period from", "Period to", "Due on", "Status", "Version", "Overdue"],
        [
            "Dementia HIT",
            day("2025-08-01"),
            day("2026-01-31"),
            day("2026-02-01"),
            "Draft",
            *([1] if format == "xlsx" else ["1"]),
            "Yes",
        ],
        [
            "Pain HIT",
            day("2025-10-01"),
            day("2026-03-31"),
            day("2026-04-01"),
            "Draft",
            *([1] if format == "xlsx" else ["1"]),
            "No",
        ],
    ]


def test_report_export_filter_never_widens_what_a_member_sees(client, outsider, hit, other_hit):
    rf.ProgressReportFactory(hit=hit)
    rf.ProgressReportFactory(hit=other_hit)
    client.force_login(outsider)

    rows = _rows(_export(client, "reports", hit=str(hit.pk), status=""), "csv")

    assert [row[0] for row in rows[1:]] == ["Pain HIT"]


# --- Stakeholder map ------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_stakeholder_export_lists_the_hits_current_map(client, director, hit, other_hit, format):
    council = f.OrganisationFactory(name="City Council")
    commissioners, public = ef.category("COMM"), ef.category("PUBLIC")
    start = datetime.date(2025, 9, 1)
    ef.StakeholderFactory(
        hit=hit, organisation=council, category=commissioners, depth=3, role="=cmd", start_date=start
    )
    ef.StakeholderFactory(
        hit=hit,
        organisation=None,
        person=f.PersonFactory(full_name="Rita Carer"),
        category=public,
        depth=2,
        start_date=start,
        end_date=datetime.date(2099, 1, 1),
        evidence="Sits on the management group",
    )
    ef.StakeholderFactory(  # ended: the map leaves it out unless asked
        hit=hit,
        organisation=f.OrganisationFactory(name="Ended Org"),
        category=public,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 6, 1),
    )
    ef.StakeholderFactory(hit=other_hit, organisation=f.OrganisationFactory(name="Other HIT's partner"))
    client.force_login(director)

    rows = _rows(_export(client, "stakeholders", format, scope_hit=hit.pk), format)

    e = None if format == "xlsx" else ""

    def day(value: datetime.date):
        return datetime.datetime.combine(value, datetime.time()) if format == "xlsx" else value.isoformat()

    assert rows == [
        [
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
        [
            commissioners.name,
            e,
            "City Council",
            council.org_type.name,
            "3 - leadership or decision role",
            "'=cmd",
            day(start),
            e,
            e,
            "Entered on the map",
        ],
        [
            public.name,
            "Rita Carer",
            e,
            e,
            "2 - member of a HIT group",
            e,
            day(start),
            day(datetime.date(2099, 1, 1)),
            "Sits on the management group",
            "Entered on the map",
        ],
    ]


def test_stakeholder_export_applies_the_map_filter(client, director, hit):
    ef.StakeholderFactory(
        hit=hit, organisation=f.OrganisationFactory(name="Council"), category=ef.category("OPS")
    )
    ef.StakeholderFactory(
        hit=hit, organisation=f.OrganisationFactory(name="Trust"), category=ef.category("PROV")
    )
    client.force_login(director)

    rows = _rows(
        _export(client, "stakeholders", scope_hit=hit.pk, category=str(ef.category("PROV").pk)), "csv"
    )

    assert [row[2] for row in rows[1:]] == ["Trust"]


def test_stakeholder_export_of_an_unseen_hit_is_404(client, outsider, hit):
    client.force_login(outsider)

    assert _export(client, "stakeholders", scope_hit=hit.pk).status_code == 404
    assert _export(client, "stakeholders").status_code == 404


# --- Readiness results ----------------------------------------------------------------------------------


@pytest.fixture
def wave(hit):
    """Overall trust n=10; organisation A has 3 (suppressed by the worker); B's 7 would reveal A's
    by subtraction, so the results page hides B too; C and D have their own n of 5 and 5."""
    wave = ef.WaveFactory(hit=hit, title="Baseline", released=True)
    ef.ReadinessResultFactory(wave=wave, n=10, score=62.5, sd=0.512, pct_agree=60.0, level=2)
    suppressed = {
        "suppressed": True,
        "score": None,
        "mean": None,
        "sd": None,
        "pct_agree": None,
        "level": None,
    }
    ef.ReadinessResultFactory(
        wave=wave, group_type="organisation", group_key="1", group_label="Org A", n=3, **suppressed
    )
    ef.ReadinessResultFactory(
        wave=wave, group_type="organisation", group_key="2", group_label="Org B", n=7, score=70.0
    )
    ef.ReadinessResultFactory(
        wave=wave, group_type="role", group_key="clinical", group_label="Clinical", n=5, score=40.0
    )
    ef.ReadinessResultFactory(
        wave=wave, group_type="role", group_key="manager", group_label="Manager", n=5, score=85.0
    )
    return wave


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_readiness_export_suppresses_small_groups_and_those_that_would_reveal_them(
    client, director, hit, wave, format
):
    client.force_login(director)

    rows = _rows(_export(client, "readiness", format, scope_hit=hit.pk, scope_wave=wave.pk), format)

    e = None if format == "xlsx" else ""

    def number(value):
        return value if format == "xlsx" else str(value)

    # Every row ends with when the worker computed the figures, the results' "as of" (local time).
    computed = timezone.localtime(ReadinessResult.objects.filter(wave=wave).latest("computed_at").computed_at)
    as_of = computed.replace(tzinfo=None, microsecond=0) if format == "xlsx" else f"{computed:%Y-%m-%d %H:%M}"
    assert rows[0][-1] == "As of (computed at)"
    assert {row[-1] for row in rows[1:]} == {as_of}
    rows = [row[:-1] for row in rows]
    trust = Dimension.TRUST.label
    assert rows == [
        [
            "Dimension",
            "Group type",
            "Group",
            "n",
            "Score (R)",
            "SD of means",
            "% agreeing",
            "Indicative level",
            "Flags",
        ],
        [
            trust,
            "All respondents",
            "All respondents",
            number(10),
            number(63),  # 62.5, rounded half up as the page shows it
            number(0.5),
            number(60),
            "Bureaucratic",
            "Role groups differ by 45 points",
        ],
        [trust, "Organisation", "Org A", e, e, e, e, e, "suppressed"],
        [trust, "Organisation", "Org B", e, e, e, e, e, "suppressed (protects a smaller group)"],
        [
            trust,
            "Role group",
            "Clinical",
            number(5),
            number(40),
            e,  # no spread below ten respondents
            e,
            "Bureaucratic",
            "Low: below 50",
        ],
        [trust, "Role group", "Manager", number(5), number(85), e, e, "Bureaucratic", e],
    ]


def test_readiness_export_never_carries_a_suppressed_groups_n(client, director, hit, wave):
    client.force_login(director)

    rows = _rows(_export(client, "readiness", scope_hit=hit.pk, scope_wave=wave.pk), "csv")

    org_rows = [row for row in rows if row[1] == "Organisation"]
    assert all(
        cell in ("", "Organisation", "Org A", "Org B", Dimension.TRUST.label)
        for row in org_rows
        for cell in row[:8]
    )


def test_readiness_export_of_another_hits_wave_is_404(client, director, hit, other_hit):
    other_wave = ef.WaveFactory(hit=other_hit)
    client.force_login(director)

    assert _export(client, "readiness", scope_hit=hit.pk, scope_wave=other_wave.pk).status_code == 404


# --- Bad input ------------------------------------------------------------------------------------------


def test_unknown_kind_or_format_is_400_with_the_reason_and_stores_nothing(client, director):
    client.force_login(director)

    response = client.post(reverse(CREATE), {"kind": "people", "format": "pdf"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "What to export: Select a valid choice. people is not one of the available choices." in html
    assert "File format: Select a valid choice. pdf is not one of the available choices." in html
    assert ExportJob.objects.count() == 0


# --- The list pages carry the buttons and their filters ---------------------------------------------------


def test_hit_list_export_buttons_carry_the_current_filters(client, programme_manager, hit):
    client.force_login(programme_manager)

    html = client.get(
        reverse("teams:hit-list"), {"status": "active", "q": "dem", "page": "1"}
    ).content.decode()

    assert f'action="{reverse(CREATE)}"' in html
    assert '<input type="hidden" name="kind" value="hits">' in html
    assert '<input type="hidden" name="status" value="active">' in html
    assert '<input type="hidden" name="q" value="dem">' in html
    assert 'name="page"' not in html.split(f'action="{reverse(CREATE)}"')[1].split("</form>")[0]
    assert 'name="format" value="csv"' in html and 'name="format" value="xlsx"' in html


def test_every_list_page_has_the_export_buttons(client, programme_manager, director, chair, hit):
    round_ = PanelMember.objects.get(user=chair).panel.round
    wave = ef.WaveFactory(hit=hit, released=True)
    pages = [
        (programme_manager, reverse("teams:hit-list"), "hits", ""),
        (director, reverse("accreditation:application-list"), "applications", ""),
        (
            chair,
            reverse("accreditation:round-board", kwargs={"pk": round_.pk}),
            "applications",
            f'name="scope_round" value="{round_.pk}"',
        ),
        (programme_manager, reverse("reporting:report-list"), "reports", ""),
        (
            director,
            reverse("engagement:stakeholder-map", kwargs={"hit_pk": hit.pk}),
            "stakeholders",
            f'name="scope_hit" value="{hit.pk}"',
        ),
        (
            director,
            reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
            "readiness",
            f'name="scope_wave" value="{wave.pk}"',
        ),
    ]
    for user, url, kind, scope in pages:
        client.force_login(user)
        html = client.get(url).content.decode()
        assert f'<input type="hidden" name="kind" value="{kind}">' in html, url
        assert scope in html, url
        assert "Export CSV" in html and "Export XLSX" in html, url


# --- Large exports: the job and the worker --------------------------------------------------------------


def test_large_export_creates_a_job_runs_it_on_commit_and_redirects(
    client, programme_manager, monkeypatch, django_capture_on_commit_callbacks, media_root
):
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 1)
    for name in ("Alpha HIT", "Beta HIT", "Gamma HIT"):
        f.HITFactory(name=name)
    client.force_login(programme_manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _export(client, "hits", "xlsx", q="HIT")

    job = ExportJob.objects.get()
    assert len(callbacks) == 1
    assert response.status_code == 302
    assert response.url == reverse("reporting:export-detail", kwargs={"pk": job.pk})
    assert (job.requested_by, job.kind, job.format, job.filters) == (
        programme_manager,
        "hits",
        "xlsx",
        {"q": "HIT"},
    )
    assert (job.status, job.progress, job.row_count) == (ExportStatus.DONE, 100, 3)
    assert job.file_path == f"exports/export-{job.pk}.xlsx"
    assert (media_root / job.file_path).is_file()
    download = client.get(reverse("reporting:export-download", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX_TYPE
    assert download["Content-Disposition"].startswith('attachment; filename="hits-')
    assert [row[0] for row in _rows(download, "xlsx")] == ["Name", "Alpha HIT", "Beta HIT", "Gamma HIT"]


def test_large_export_enqueues_the_task_only_on_commit(
    client, programme_manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 1)
    f.HITFactory()
    f.HITFactory()
    client.force_login(programme_manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _export(client, "hits")

    job = ExportJob.objects.get()
    assert len(callbacks) == 1
    assert (job.status, job.progress, job.file_path) == (ExportStatus.QUEUED, 0, "")


def test_large_export_with_the_broker_down_fails_at_once_with_a_message_for_its_owner(
    client, programme_manager, monkeypatch, broker, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 1)
    f.HITFactory()
    f.HITFactory()
    client.force_login(programme_manager)
    broker.refuse = BROKER_DOWN

    with django_capture_on_commit_callbacks(execute=True):
        response = _export(client, "hits")

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert broker.published == [("reporting.run_export", {"job_id": job.pk}, None)]
    assert (job.status, job.error) == (
        ExportStatus.FAILED,
        "The export could not be started because the portal's background service is unavailable. "
        "Please ask for it again in a few minutes.",
    )
    assert job.finished_at is not None
    page = client.get(reverse("reporting:export-detail", kwargs={"pk": job.pk})).content.decode()
    assert "background service is unavailable" in page


def test_export_not_started_leaves_a_job_a_worker_already_took_alone(director):
    job = ExportJobFactory(requested_by=director, status=ExportStatus.RUNNING)

    exports.export_job_not_started(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.RUNNING, "")


def test_task_writes_the_file_in_chunks_reporting_progress(director, hit, monkeypatch, media_root):
    for n in range(3):
        rf.ProgressReportFactory(hit=hit, accepted=True, due_on=datetime.date(2025, 1 + n, 1))
    job = ExportJobFactory(
        requested_by=director, kind="reports", format="csv", filters={"status": "accepted"}
    )
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    seen: list[int] = []
    update = exports._update

    def spy(job_id, **fields):
        if "progress" in fields:
            seen.append(fields["progress"])
        update(job_id, **fields)

    monkeypatch.setattr(exports, "_update", spy)

    written = run_export.delay(job_id=job.pk).get()

    job.refresh_from_db()
    assert written == 3
    assert seen == [0, 33, 66, 99, 100]
    assert (job.status, job.progress, job.row_count, job.error) == (ExportStatus.DONE, 100, 3, "")
    assert job.started_at is not None and job.finished_at is not None
    rows = _csv_rows((media_root / job.file_path).read_bytes())
    assert [row[4] for row in rows[1:]] == ["Accepted", "Accepted", "Accepted"]
    assert list((media_root / "exports").iterdir()) == [media_root / job.file_path]  # no temporary file left


def test_task_rerun_rewrites_the_same_file(programme_manager, media_root):
    f.HITFactory(name="Alpha HIT")
    job = ExportJobFactory(requested_by=programme_manager, kind="hits", format="csv")
    run_export(job_id=job.pk)
    job.refresh_from_db()
    first_path = job.file_path
    f.HITFactory(name="Beta HIT")

    run_export(job_id=job.pk)

    job.refresh_from_db()
    assert job.file_path == first_path
    assert (job.status, job.row_count) == (ExportStatus.DONE, 2)
    assert [row[0] for row in _csv_rows((media_root / job.file_path).read_bytes())] == [
        "Name",
        "Alpha HIT",
        "Beta HIT",
    ]
    assert len(list((media_root / "exports").iterdir())) == 1


def test_task_returns_quietly_when_the_job_is_gone(db):
    assert run_export(job_id=987654) == 0


def test_task_fails_the_job_when_the_owner_may_no_longer_see_the_rows(director, hit, media_root):
    job = ExportJobFactory(requested_by=director, kind="stakeholders", filters={"hit": hit.pk})
    director.person.memberships.update(
        end_date=datetime.date(2020, 1, 1), start_date=datetime.date(2019, 1, 1)
    )

    assert run_export(job_id=job.pk) == 0

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "You can no longer see these rows, so the export was not written."
    assert job.file_path == ""
    assert not (media_root / "exports" / f"export-{job.pk}.csv").exists()


def test_export_files_live_under_media_never_static(programme_manager, settings, media_root):
    f.HITFactory()
    job = ExportJobFactory(requested_by=programme_manager)

    run_export(job_id=job.pk)

    job.refresh_from_db()
    path = (media_root / job.file_path).resolve()
    assert path.is_relative_to((media_root / "exports").resolve())
    assert not path.is_relative_to(settings.STATIC_ROOT)


# --- Retention -----------------------------------------------------------------------------------------------


def test_nightly_expiry_deletes_old_exports_and_their_files_only(director, settings, media_root):
    settings.EXPORT_RETENTION_DAYS = 7
    with time_machine.travel(NOW - datetime.timedelta(days=8), tick=False):
        old_done = ExportJobFactory(requested_by=director, done=True, file_path="exports/export-old.csv")
        old_failed = ExportJobFactory(requested_by=director, failed=True)
        old_stuck = ExportJobFactory(requested_by=director, running=True)
    with time_machine.travel(NOW - datetime.timedelta(days=6), tick=False):
        recent = ExportJobFactory(requested_by=director, done=True, file_path="exports/export-recent.csv")
    old_file, recent_file = write_job_file(old_done), write_job_file(recent)
    partial = media_root / "exports" / ".export-1-abc.part"
    partial.write_bytes(b"half")
    old = (NOW - datetime.timedelta(days=8)).timestamp()
    os.utime(partial, (old, old))
    unrelated = media_root / "exports" / "notes.txt"
    unrelated.write_text("kept")

    with time_machine.travel(NOW, tick=False):
        deleted = expire_exports()
        again = expire_exports()

    assert (deleted, again) == ({"done": 3, "failed": 0}, {"done": 0, "failed": 0})
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ExportJob.objects.filter(pk__in=[old_done.pk, old_failed.pk, old_stuck.pk]).exists()
    assert not old_file.exists() and not partial.exists()
    assert recent_file.read_bytes() and unrelated.read_text() == "kept"


def test_expiry_never_deletes_a_file_outside_the_exports_folder(director, media_root):
    outside = media_root / "documents" / "keep.pdf"
    outside.parent.mkdir(parents=True)
    outside.write_bytes(b"%PDF")
    with time_machine.travel(NOW - datetime.timedelta(days=30), tick=False):
        ExportJobFactory(requested_by=director, done=True, file_path="exports/../documents/keep.pdf")

    with time_machine.travel(NOW, tick=False):
        assert expire_exports() == {"done": 1, "failed": 0}

    assert outside.exists()


def test_expiry_keeps_a_job_whose_file_cannot_be_removed_and_expires_the_others(
    director, settings, media_root, monkeypatch, caplog
):
    settings.EXPORT_RETENTION_DAYS = 7
    with time_machine.travel(NOW - datetime.timedelta(days=8), tick=False):
        jobs = [
            ExportJobFactory(requested_by=director, done=True, file_path=f"exports/export-{name}.csv")
            for name in ("first", "locked", "last")
        ]
    locked = jobs[1]
    files = [write_job_file(job) for job in jobs]
    real_unlink = pathlib.Path.unlink

    def unlink_refusing_the_locked_file(path, missing_ok=False):
        if path.name == "export-locked.csv":
            raise PermissionError(13, "Permission denied")
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(pathlib.Path, "unlink", unlink_refusing_the_locked_file)

    with time_machine.travel(NOW, tick=False):
        outcome = expire_exports()

    assert outcome == {"done": 2, "failed": 1}
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [locked.pk]
    assert [path.exists() for path in files] == [False, True, False]
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"Expired export job {locked.pk} failed and was skipped; the other rows carry on."
    ]


def test_expiry_runs_nightly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-export-expiry"]
    assert entry["task"] == expire_exports.name == "reporting.expire_exports"


def test_export_pages_say_when_an_export_is_deleted(client, director, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    with time_machine.travel(NOW, tick=False):
        job = ExportJobFactory(requested_by=director, done=True)
    client.force_login(director)

    listing = client.get(reverse("reporting:export-list")).content.decode()
    detail = client.get(reverse("reporting:export-detail", args=[job.pk])).content.decode()

    assert "each is deleted 7 days after it was asked for" in listing
    assert "It will be deleted on 9 March 2026." in detail


# --- The progress page and its htmx partial ----------------------------------------------------------------


def test_progress_partial_polls_every_two_seconds_while_running(client, director):
    job = ExportJobFactory(requested_by=director, running=True)
    client.force_login(director)

    html = client.get(
        reverse("reporting:export-progress", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true"
    ).content.decode()

    assert f'hx-get="{reverse("reporting:export-progress", kwargs={"pk": job.pk})}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert (
        f'<progress id="export-bar-{job.pk}" class="w-100 mb-2" value="40" max="100">40%</progress>' in html
    )
    assert "<html" not in html
    assert "Download" not in html


def test_progress_partial_stops_polling_and_offers_the_download_when_done(client, director):
    job = ExportJobFactory(requested_by=director, done=True)
    client.force_login(director)

    html = client.get(reverse("reporting:export-progress", kwargs={"pk": job.pk})).content.decode()

    assert "hx-trigger" not in html
    assert 'value="100" max="100"' in html
    assert f'href="{reverse("reporting:export-download", kwargs={"pk": job.pk})}"' in html


def test_progress_partial_shows_the_error_of_a_failed_job(client, director):
    job = ExportJobFactory(requested_by=director, failed=True)
    client.force_login(director)

    html = client.get(reverse("reporting:export-progress", kwargs={"pk": job.pk})).content.decode()

    assert "hx-trigger" not in html
    assert "The export could not be written." in html


def test_detail_page_embeds_the_polling_progress_bar(client, director):
    job = ExportJobFactory(requested_by=director, running=True, filters={"status": "active"})
    client.force_login(director)

    html = client.get(reverse("reporting:export-detail", kwargs={"pk": job.pk})).content.decode()

    assert html.count("<h1>") == 1
    assert "<h1>Export: HITs (CSV)</h1>" in html
    assert 'hx-trigger="every 2s"' in html
    assert "<progress" in html
    assert "status = active" in html


# --- Downloads ------------------------------------------------------------------------------------------------


def test_download_is_the_owners_alone(client, director, teammate):
    job = ExportJobFactory(requested_by=director, done=True)
    write_job_file(job)
    url = reverse("reporting:export-download", kwargs={"pk": job.pk})

    client.force_login(teammate)
    assert client.get(url).status_code == 404
    client.force_login(director)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="hits.csv"'
    assert b"".join(response.streaming_content) == b"\xef\xbb\xbfName\r\nDementia HIT\r\n"


@pytest.mark.parametrize("trait", ["running", "failed"])
def test_download_of_an_unfinished_job_is_404(client, director, trait):
    job = ExportJobFactory(requested_by=director, **{trait: True})
    client.force_login(director)

    assert client.get(reverse("reporting:export-download", kwargs={"pk": job.pk})).status_code == 404


def test_download_of_a_missing_or_escaping_file_is_404(client, director, media_root):
    missing = ExportJobFactory(requested_by=director, done=True)
    escaping = ExportJobFactory(requested_by=director, done=True, file_path="../secret.csv")
    (media_root.parent / "secret.csv").parent.mkdir(parents=True, exist_ok=True)
    (media_root.parent / "secret.csv").write_text("secret")
    client.force_login(director)

    assert client.get(reverse("reporting:export-download", kwargs={"pk": missing.pk})).status_code == 404
    assert client.get(reverse("reporting:export-download", kwargs={"pk": escaping.pk})).status_code == 404


# --- The list of a user's exports ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_export_list_shows_the_users_jobs_in_constant_queries(
    client, director, teammate, count, django_assert_num_queries
):
    for _ in range(count):
        ExportJobFactory(requested_by=director, done=True)
    ExportJobFactory(requested_by=teammate)
    client.force_login(director)

    with django_assert_num_queries(6):
        response = client.get(reverse("reporting:export-list"))

    assert response.status_code == 200
    assert len(response.context["jobs"]) == count
    assert response.content.decode().count("Download<span") == count


def test_export_list_without_jobs_says_so(client, director):
    client.force_login(director)

    html = client.get(reverse("reporting:export-list")).content.decode()

    assert "You have no exports yet." in html


# Session, user, roles (3), count, rows.
QUERIES_PER_REPORT_EXPORT = 7


@pytest.mark.parametrize("count", [1, 3])
def test_report_export_reads_a_constant_number_of_queries(
    client, programme_manager, count, django_assert_num_queries
):
    for _ in range(count):
        rf.ProgressReportFactory(submitted=True, submitted_by=f.UserFactory())
    client.force_login(programme_manager)

    with django_assert_num_queries(QUERIES_PER_REPORT_EXPORT):
        response = _export(client, "reports", "xlsx", status="submitted")

    assert len(_rows(response, "xlsx")) == count + 1
