"""Reporting pages: the report list (filters, constant queries), starting a report, each section of
the edit page, the workflow buttons, the schedule page, and the panels for the HIT and home pages."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reporting.enums import FundingStatus, ReportStatus
from reporting.models import IndicatorRating, Milestone, ProgressReport, QuickWin, ReportRisk, ReportSchedule
from reporting.selectors import flags as flag_selectors
from reporting.selectors import home as selectors
from reporting.services.flags import hit_flags_recompute
from teams.enums import HITStatus
from tests import factories as f
from tests.factories import reporting as rf
from tests.factories.accreditation_panel import AccreditationFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pm_client(client, programme_manager):
    client.force_login(programme_manager)
    return client


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


# --- The list ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 12])
def test_report_list_query_count_is_constant(pm_client, django_assert_num_queries, rows):
    for n in range(rows):
        hit = f.HITFactory(status=HITStatus.ACTIVE)
        rf.ProgressReportFactory(hit=hit, due_on=TODAY + datetime.timedelta(days=n - 3))

    # session + user + 3 role lookups + the tables' versions (core.versions) + HIT choices of the filter
    # (their ids, then the rows: teams.forms.lookup.first_rows) + count + page
    with django_assert_num_queries(10):
        response = pm_client.get(reverse("reporting:report-list"))

    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 12])
def test_report_list_query_count_for_a_member(director_client, hit, django_assert_num_queries, rows):
    for n in range(rows):
        rf.ProgressReportFactory(
            hit=hit, accepted=True, due_on=TODAY - datetime.timedelta(days=200 * (n + 1))
        )

    # As for a programme manager (above): the filter's HIT choices are two queries (ids, rows).
    with django_assert_num_queries(10):
        response = director_client.get(reverse("reporting:report-list") + "?status=")

    assert len(response.context["page"].object_list) == rows


def test_report_list_shows_overdue_first_and_open_by_default(pm_client):
    late = rf.ProgressReportFactory(
        hit=f.HITFactory(name="Late HIT"), due_on=TODAY - datetime.timedelta(days=3)
    )
    soon = rf.ProgressReportFactory(
        hit=f.HITFactory(name="Soon HIT"), due_on=TODAY + datetime.timedelta(days=3)
    )
    submitted_late = rf.ProgressReportFactory(
        hit=f.HITFactory(name="Sent HIT"), submitted=True, due_on=TODAY - datetime.timedelta(days=9)
    )
    rf.ProgressReportFactory(
        hit=f.HITFactory(name="Done HIT"), accepted=True, due_on=TODAY - datetime.timedelta(days=30)
    )

    response = pm_client.get(reverse("reporting:report-list"))

    listed = list(response.context["page"].object_list)
    assert listed == [late, submitted_late, soon]
    assert [r.is_overdue for r in listed] == [True, False, False]
    assert response.content.decode().count(">Overdue</span>") == 1


def test_report_list_filters(pm_client):
    hit = f.HITFactory(name="Kidney HIT")
    late = rf.ProgressReportFactory(hit=hit, due_on=TODAY - datetime.timedelta(days=3))
    rf.ProgressReportFactory(due_on=TODAY - datetime.timedelta(days=3))
    rf.ProgressReportFactory(due_on=TODAY + datetime.timedelta(days=3))
    accepted = rf.ProgressReportFactory(hit=hit, accepted=True, due_on=TODAY - datetime.timedelta(days=200))

    def listed(query: str) -> list:
        return list(pm_client.get(reverse("reporting:report-list") + query).context["page"].object_list)

    assert len(listed("?overdue=on")) == 2
    assert listed(f"?overdue=on&hit={hit.pk}") == [late]
    assert listed("?status=accepted") == [accepted]
    assert listed(f"?status=&hit={hit.pk}") == [late, accepted]


def test_report_list_for_a_member_shows_only_their_hits(director_client, hit):
    mine = rf.ProgressReportFactory(hit=hit)
    rf.ProgressReportFactory()

    response = director_client.get(reverse("reporting:report-list"))

    assert list(response.context["page"].object_list) == [mine]
    assert list(response.context["filter"].form.fields["hit"].queryset) == [hit]


def test_report_list_filter_cannot_widen_what_a_member_sees(director_client, hit):
    other = rf.ProgressReportFactory()

    response = director_client.get(reverse("reporting:report-list") + f"?hit={other.hit_id}")

    assert list(response.context["page"].object_list) == []


# --- Starting a report -------------------------------------------------------------------------------


def test_report_create_form_is_prefilled_from_the_schedule(director_client, hit):
    rf.ReportScheduleFactory(hit=hit, first_due_on=datetime.date(2026, 1, 31), interval_months=3)

    response = director_client.get(reverse("reporting:report-create", args=[hit.pk]))

    form = response.context["form"]
    assert form.initial["due_on"] == datetime.date(2026, 4, 30)
    assert (form.initial["period_start"], form.initial["period_end"]) == (
        datetime.date(2026, 1, 30),
        datetime.date(2026, 4, 29),
    )


def test_the_first_report_is_prefilled_from_the_day_of_accreditation(director_client, hit):
    AccreditationFactory(
        decision__application__hit=hit,
        valid_from=datetime.date(2026, 2, 16),
        valid_until=datetime.date(2029, 2, 15),
    )
    rf.ReportScheduleFactory(hit=hit, first_due_on=datetime.date(2026, 4, 30), interval_months=6)

    response = director_client.get(reverse("reporting:report-create", args=[hit.pk]))

    form = response.context["form"]
    assert (form.initial["period_start"], form.initial["period_end"]) == (
        datetime.date(2026, 2, 16),
        datetime.date(2026, 4, 29),
    )


def test_report_create_with_a_past_due_date_shows_the_error_and_stores_nothing(director_client, hit):
    response = director_client.post(
        reverse("reporting:report-create", args=[hit.pk]),
        {"period_start": "2025-09-01", "period_end": "2026-02-28", "due_on": "2026-03-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"due_on": ["The due date cannot be in the past."]}
    assert 'value="2025-09-01"' in response.content.decode()
    assert ProgressReport.objects.count() == 0


def test_report_create_with_a_far_future_due_date_shows_the_error_and_stores_nothing(director_client, hit):
    response = director_client.post(
        reverse("reporting:report-create", args=[hit.pk]),
        {"period_start": "2025-09-01", "period_end": "2026-02-28", "due_on": "9999-12-31"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": ["Enter a date between 1 January 1990 and 31 December 2051."]
    }
    assert ProgressReport.objects.count() == 0


def test_report_create_starts_the_report_and_opens_its_sections(director_client, hit):
    response = director_client.post(
        reverse("reporting:report-create", args=[hit.pk]),
        {"period_start": "2025-09-01", "period_end": "2026-02-28", "due_on": "2026-03-31"},
    )

    report = ProgressReport.objects.get()
    assert response.url == reverse("reporting:report-edit", args=[report.pk])
    assert report.due_on == datetime.date(2026, 3, 31)


# --- The sections ------------------------------------------------------------------------------------


def _edit(report, section: str) -> str:
    return reverse("reporting:report-edit", args=[report.pk]) + f"?section={section}"


def _formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


@pytest.mark.parametrize(
    "section", ["indicators", "milestones", "quick-wins", "outcomes", "risks", "capacity", "snapshots"]
)
def test_every_section_renders(director_client, hit, section):
    report = rf.ProgressReportFactory(hit=hit)

    response = director_client.get(_edit(report, section))

    assert response.status_code == 200
    assert response.context["section"] == section


def test_an_unknown_section_is_not_found(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit)

    assert director_client.get(_edit(report, "finances")).status_code == 404


def test_indicators_save_and_keep_typed_data_on_error(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit)

    bad = director_client.post(
        _edit(report, "indicators"),
        {"rating_W1": "2", "evidence_W1": "A table", "rating_W2": "", "evidence_W2": "Orphan evidence"},
    )

    assert bad.status_code == 200
    assert "Rate the indicator to keep its evidence." in bad.content.decode()
    assert "Orphan evidence" in bad.content.decode()
    assert IndicatorRating.objects.count() == 0

    good = director_client.post(_edit(report, "indicators"), {"rating_W1": "2", "evidence_W1": "A table"})
    assert good.status_code == 302
    assert list(IndicatorRating.objects.values_list("indicator", "rating", "evidence")) == [
        ("W1", 2, "A table")
    ]


def test_indicator_fields_are_drawn_with_their_label_and_the_error_next_to_the_field(director_client, hit):
    """The indicators are drawn plainly (not through crispy): each field keeps its label, its message
    right below it, tied to it by aria-describedby, and the typed text."""
    import re

    report = rf.ProgressReportFactory(hit=hit)

    html = director_client.post(
        _edit(report, "indicators"), {"rating_W2": "", "evidence_W2": "Orphan evidence"}
    ).content.decode()

    assert '<label for="id_rating_W2" class="form-label">W2 rating</label>' in html
    assert '<label for="id_evidence_W2" class="form-label">W2 evidence</label>' in html
    select = re.search(r'<select name="rating_W2"[^>]*>', html).group(0)
    assert 'aria-describedby="id_rating_W2_error"' in select and 'aria-invalid="true"' in select
    assert "is-invalid" in select
    error = html.index('<div id="id_rating_W2_error" class="invalid-feedback">')
    assert html.index("Rate the indicator to keep its evidence.", error) < html.index(
        'id="div_id_evidence_W2"'
    )
    assert error > html.index(select)
    textarea = re.search(r'<textarea name="evidence_W2"[^>]*>\s*Orphan evidence</textarea>', html)
    assert textarea and "is-invalid" not in textarea.group(0)
    # A field without an error carries no error markers.
    assert "aria-invalid" not in re.search(r'<select name="rating_W1"[^>]*>', html).group(0)


def test_saving_one_section_keeps_the_others(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit)
    rf.IndicatorRatingFactory(report=report, indicator="C1", concept="COLLAB", rating=3)

    director_client.post(
        _edit(report, "capacity"),
        {"funding_status": "pending", "funding_notes": "Bid to the ICB", "capacity_notes": ""},
    )

    report.refresh_from_db()
    assert report.funding_status == FundingStatus.PENDING
    assert IndicatorRating.objects.get().rating == 3


def test_milestones_formset_adds_and_updates(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit, period_start=datetime.date(2025, 9, 1))
    existing = rf.MilestoneFactory(hit=hit, title="Pathway agreed", due_on=datetime.date(2026, 2, 1))

    response = director_client.post(
        _edit(report, "milestones"),
        _formset(
            "milestones",
            [
                {
                    "id": existing.pk,
                    "title": "Pathway agreed",
                    "due_on": "2026-02-01",
                    "met_on": "2026-02-10",
                },
                {"title": "Pilot starts", "due_on": "2026-05-01", "met_on": ""},
                {"title": "", "due_on": "", "met_on": ""},
            ],
            initial=1,
        ),
    )

    assert response.status_code == 302
    assert list(Milestone.objects.order_by("due_on").values_list("title", "status")) == [
        ("Pathway agreed", "late"),
        ("Pilot starts", "planned"),
    ]


def test_a_bad_row_keeps_every_typed_row_and_stores_nothing(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit)

    response = director_client.post(
        _edit(report, "risks"),
        _formset(
            "risks",
            [
                {
                    "kind": "conflict",
                    "description": "Trusts disagree",
                    "opened_on": "2026-01-10",
                    "resolved_on": "2026-01-01",
                },
                {"kind": "risk", "description": "Funding ends", "opened_on": "2026-02-01"},
            ],
        ),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "It cannot be resolved before it was raised." in content
    assert "Trusts disagree" in content and "Funding ends" in content
    assert 'href="#id_risks-0-resolved_on"' in content
    assert ReportRisk.objects.count() == 0


def test_quick_wins_remove_a_row(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit)
    win = rf.QuickWinFactory(report=report, title="Shared form")

    director_client.post(
        _edit(report, "quick-wins"),
        _formset("quick_wins", [{"id": win.pk, "title": "Shared form", "delete": "on"}], initial=1),
    )

    assert QuickWin.objects.count() == 0


def test_outcomes_and_capacity_and_snapshots_save(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit)
    domain = f.OutcomeDomainFactory()

    director_client.post(
        _edit(report, "outcomes"),
        _formset("outcomes", [{"domain": domain.pk, "description": "Longer travel", "intended": ""}]),
    )
    director_client.post(_edit(report, "snapshots"), {"ppi_standards": "on"})

    assert list(report.outcomes.values_list("intended", flat=True)) == [False]
    report.refresh_from_db()
    assert report.ppi_standards_snapshot is None  # nothing to copy yet: no self-assessment


def test_a_submitted_report_cannot_be_edited(director_client, hit):
    report = rf.ProgressReportFactory(hit=hit, submitted=True)

    response = director_client.get(_edit(report, "indicators"))

    assert response.status_code == 403
    assert (
        "it can be edited again only if the programme manager asks for changes" in response.content.decode()
    )


# --- Workflow on the page ----------------------------------------------------------------------------


def test_detail_offers_only_the_actions_of_the_users_role(client, hit, director, programme_manager):
    report = rf.ProgressReportFactory(hit=hit, submitted=True)
    client.force_login(director)
    assert client.get(reverse("reporting:report-detail", args=[report.pk])).context["available_actions"] == []

    client.force_login(programme_manager)
    actions = client.get(reverse("reporting:report-detail", args=[report.pk])).context["available_actions"]
    assert [a.action for a in actions] == ["accept", "request_changes"]


def test_submitting_twice_on_the_page_says_who_and_when(client, hit, director, teammate):
    report = rf.ProgressReportFactory(hit=hit, ready=True)
    rf.IndicatorRatingFactory(report=report)
    url = reverse("reporting:report-transition", args=[report.pk])
    client.force_login(director)
    client.post(url, {"action": "submit", "expected_status": "draft"})

    client.force_login(teammate)
    response = client.post(url, {"action": "submit"}, follow=True)

    assert (
        "This report was already submitted by Dana Director on 02 Mar 2026 at 09:00; nothing was changed."
        in (response.content.decode())
    )
    assert report.events.filter(action="submit").count() == 1


def test_request_changes_without_a_comment_is_refused(client, hit, programme_manager):
    report = rf.ProgressReportFactory(hit=hit, submitted=True)
    client.force_login(programme_manager)

    response = client.post(
        reverse("reporting:report-transition", args=[report.pk]),
        {"action": "request_changes", "expected_status": "submitted", "comment": ""},
        follow=True,
    )

    assert "Write a comment for the team explaining why." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_an_illegal_move_is_refused_with_a_message(client, hit, programme_manager):
    report = rf.ProgressReportFactory(hit=hit)
    client.force_login(programme_manager)

    response = client.post(
        reverse("reporting:report-transition", args=[report.pk]), {"action": "accept"}, follow=True
    )

    assert (
        "&#x27;Accept&#x27; is not possible while the report is draft. Nothing was changed."
        in response.content.decode()
    )


def test_due_date_move_on_the_page(pm_client, hit):
    report = rf.ProgressReportFactory(hit=hit)

    bad = pm_client.post(
        reverse("reporting:report-due-date", args=[report.pk]),
        {"due_on": "2026-01-01", "reason": "x"},
        follow=True,
    )
    assert "The due date was not moved: The new due date cannot be in the past." in bad.content.decode()

    pm_client.post(
        reverse("reporting:report-due-date", args=[report.pk]), {"due_on": "2026-06-30", "reason": "Board"}
    )
    report.refresh_from_db()
    assert report.due_on == datetime.date(2026, 6, 30)


# --- Schedule ----------------------------------------------------------------------------------------


def test_schedule_page_saves(pm_client, hit):
    response = pm_client.post(
        reverse("reporting:report-schedule", args=[hit.pk]),
        {
            "interval_months": "4",
            "first_due_on": "2026-04-30",
            "reminder_offsets": "\u22127, 0, 7",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert (schedule.interval_months, schedule.reminder_offsets, schedule.is_active) == (4, [-7, 0, 7], True)


def test_schedule_page_refuses_a_past_first_due_date_and_bad_offsets(pm_client, hit):
    response = pm_client.post(
        reverse("reporting:report-schedule", args=[hit.pk]),
        {"interval_months": "6", "first_due_on": "2026-03-01", "reminder_offsets": "-14, soon"},
    )

    errors = response.context["form"].errors
    assert errors["reminder_offsets"] == ["'soon' is not a whole number of days."]
    assert ReportSchedule.objects.count() == 0
    response = pm_client.post(
        reverse("reporting:report-schedule", args=[hit.pk]),
        {"interval_months": "6", "first_due_on": "2026-03-01", "reminder_offsets": "-14"},
    )
    assert response.context["form"].errors == {"first_due_on": ["The first due date cannot be in the past."]}


# --- Panels for the HIT page and the programme manager's home page -----------------------------------


def test_hit_panels_for_a_member(hit, director, django_assert_max_num_queries):
    report = rf.ProgressReportFactory(hit=hit, due_on=TODAY - datetime.timedelta(days=1))

    with django_assert_max_num_queries(20):
        panels = selectors.hit_panels(director, hit)

    assert panels["open_report"] == report and panels["open_report_overdue"] is True
    assert panels["setup_checklist"] is None  # the HIT is active
    assert panels["can_start_report"] is False and panels["can_assess_stage"] is True
    html = render_to_string("reporting/_hit_reporting.html", panels)
    assert "Early-warning flags" in html and "Overdue" in html


def test_hit_panels_are_empty_for_outsiders(hit, outsider, ppi_facilitator):
    assert selectors.hit_panels(outsider, hit) == {}
    assert selectors.hit_panels(ppi_facilitator, hit) == {}


def test_hit_panels_show_the_checklist_in_set_up(programme_manager):
    hit = f.HITFactory(status=HITStatus.SET_UP)

    panels = selectors.hit_panels(programme_manager, hit)

    html = render_to_string("reporting/_setup_checklist_summary.html", panels)
    assert "Set-up checklist: 1 of 5" in html  # no open condition is the one that holds


def _never_on_a_page(*args, **kwargs):
    raise AssertionError("pages read the stored flags; only the worker computes them")


@pytest.mark.parametrize("count", [1, 8])
def test_pm_home_panels_query_count_is_constant(
    programme_manager, django_assert_num_queries, count, monkeypatch
):
    for n in range(count):
        hit = f.HITFactory(status=HITStatus.ACTIVE if n % 2 else HITStatus.SET_UP)
        rf.ProgressReportFactory(hit=hit, due_on=TODAY - datetime.timedelta(days=2))
        rf.ProgressReportFactory(
            hit=hit, accepted=True, due_on=TODAY - datetime.timedelta(days=200), funding_status="none"
        )
        waiting = rf.ProgressReportFactory(hit=f.HITFactory(status=HITStatus.CLOSING), submitted=True)
    hit_flags_recompute()  # the worker's run
    monkeypatch.setattr(flag_selectors, "flags_for_hits", _never_on_a_page)

    # 3 role lookups + 3 stored-flag reads + HITs in set-up + 5 checklist queries + reports to review
    # + overdue
    with django_assert_num_queries(14):
        panels = selectors.pm_home_panels(programme_manager)

    assert len(panels["reports_to_review"]) == count
    assert len(panels["overdue_reports"]) == count
    assert panels["flagged_hits_total"] == count
    html = render_to_string("reporting/_pm_home.html", panels)
    assert "Capacity" in html
    assert reverse("reporting:report-detail", args=[waiting.pk]) in html


def test_pm_home_lists_submitted_reports_oldest_submission_first(client, programme_manager):
    now = timezone.now()
    later = rf.ProgressReportFactory(submitted=True, submitted_at=now - datetime.timedelta(days=1))
    earlier = rf.ProgressReportFactory(submitted=True, submitted_at=now - datetime.timedelta(days=9))
    rf.ProgressReportFactory(accepted=True)
    client.force_login(programme_manager)

    response = client.get(reverse("home"))

    assert response.context["reports_to_review"] == [earlier, later]
    assert "Progress reports waiting for you" in response.content.decode()


def test_pm_home_says_when_no_report_waits(client, programme_manager):
    client.force_login(programme_manager)

    html = client.get(reverse("home")).content.decode()

    assert "No submitted report is waiting for a decision." in html


def test_pm_home_panels_are_for_programme_managers_only(director):
    assert selectors.pm_home_panels(director) == {}


def test_the_hit_page_asks_reporting_for_its_panels_and_shows_them_to_whoever_may_see_them(
    client, hit, director, board_member
):
    """reporting answers teams' hit_page_requested signal; the HIT page never imports reporting."""
    from reporting.receivers import hit_page_part

    part = hit_page_part(sender=None, hit=hit, user=director)
    client.force_login(director)
    page = client.get(reverse("teams:hit-detail", kwargs={"pk": hit.pk})).content.decode()

    assert (part.slot, part.template) == ("panels", "reporting/_hit_reporting.html")
    assert "Early-warning flags" in page


def test_the_hit_page_part_of_reporting_is_none_for_who_may_not_see_reports(hit, ppi_facilitator):
    from reporting.receivers import hit_page_part

    assert hit_page_part(sender=None, hit=hit, user=ppi_facilitator) is None


def test_the_home_page_shows_reporting_panels_only_to_programme_managers(client, director, programme_manager):
    client.force_login(programme_manager)
    pm_page = client.get(reverse("home")).content.decode()
    client.force_login(director)
    director_page = client.get(reverse("home")).content.decode()

    assert "Overdue progress reports" in pm_page
    assert "Overdue progress reports" not in director_page


@pytest.mark.parametrize(
    ("section", "make_row"),
    [
        ("milestones", lambda report: rf.MilestoneFactory(hit=report.hit, title="Pathway agreed")),
        ("quick-wins", lambda report: rf.QuickWinFactory(report=report, title="Shared form")),
        ("outcomes", lambda report: rf.OutcomeFactory(report=report)),
        ("risks", lambda report: rf.ReportRiskFactory(report=report)),
    ],
)
def test_a_section_with_a_stored_row_renders_for_correction(director_client, hit, section, make_row):
    """Regression: the milestones section failed with VariableDoesNotExist once one milestone existed,
    so a team could not fix milestones after changes were requested."""
    report = rf.ProgressReportFactory(hit=hit)
    row = make_row(report)
    label = getattr(row, "title", "") or row.description

    response = director_client.get(_edit(report, section))

    assert response.status_code == 200
    assert len(response.context["formset"].initial_forms) == 1
    assert f'<legend class="h6">{escape(label)}</legend>' in response.content.decode()
