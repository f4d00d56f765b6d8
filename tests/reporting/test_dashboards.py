"""The board dashboard and the HIT dashboard: aggregates against hand-computed fixtures, filters,
sorting, pagination, suppression, what the pages never read, and constant query counts.

Dates are frozen on 2 March 2026 (2026 Q1): the trends cover 2024 Q2 to 2026 Q1.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.enums import ApplicationKind
from engagement.enums import Dimension
from engagement.services import releases as engagement_services
from reporting.enums import MilestoneStatus, ReportStatus
from reporting.selectors import trends as trends_dashboards
from reporting.selectors.portfolio import DepthCell, Filters, overdue_reports, pipeline_by_round, renewals_due
from teams.enums import HITStatus, LifecycleStage, MembershipRole
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories.accreditation import RoundFactory
from tests.factories.accreditation_applications import ApplicationFactory
from tests.factories.accreditation_eoi import ExpressionOfInterestFactory
from tests.factories.accreditation_panel import AccreditationFactory, ConditionFactory, DecisionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)
BOARD = reverse("reporting:board-dashboard")
NINE = [
    ("trust", 3),
    ("faith", 3),
    ("confidence", 2),
    ("cultural_integration", 2),
    ("legitimacy", 2),
    ("communication", 3),
    ("clarity", 3),
    ("sharedness", 2),
    ("risk_tolerance", 1),
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def board_client(client, board_member):
    client.force_login(board_member)
    return client


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _coverage(hit, depths: dict[str, int], *, degrees: float, commissioner: bool = False, gaps=None):
    return ef.CoverageScoreFactory(
        hit=hit,
        category_depths=depths,
        degrees=degrees,
        breadth=degrees / 360,
        commissioner_in_leadership=commissioner,
        gaps=gaps or [],
    )


def _wave(hit, opens_on: str, results: dict[str, float | None], title: str = "Wave"):
    """A wave with overall results: a dimension mapped to None is stored suppressed."""
    wave = ef.WaveFactory(
        hit=hit, title=title, opens_on=_day(opens_on), closes_on=_day(opens_on), released=True
    )
    for dimension, score in results.items():
        if score is None:
            ef.ReadinessResultFactory(
                wave=wave,
                dimension=dimension,
                n=3,
                suppressed=True,
                score=None,
                mean=None,
                sd=None,
                pct_agree=None,
                level=None,
            )
        else:
            level = 1 if score < 100 / 3 else 2 if score < 200 / 3 else 3
            ef.ReadinessResultFactory(wave=wave, dimension=dimension, score=score, level=level)
    return wave


def _assessment(hit, assessed_on: str, levels: list[tuple[str, int]]):
    assessment = ef.MaturityAssessmentFactory(hit=hit, assessed_on=_day(assessed_on))
    for element, level in levels:
        ef.MaturityRatingFactory(assessment=assessment, element=element, level=level)
    return assessment


def _rows(response) -> list[str]:
    return [row.hit.name for row in response.context["rows"]]


# --- Pipeline by round -------------------------------------------------------------------------------


def test_pipeline_counts_per_round_by_hand():
    current = RoundFactory(name="Round 2026", opens_on=_day("2026-01-10"))
    earlier = RoundFactory(name="Round 2025", opens_on=_day("2025-01-10"))
    for trait in ("submitted", "submitted", "invited", "declined"):
        ExpressionOfInterestFactory(round=current, **{trait: True})
    ExpressionOfInterestFactory(round=current)  # a draft was never submitted
    for trait in ("submitted", "under_review", "accredited", "accredited_with_conditions", "withdrawn"):
        ApplicationFactory(round=current, **{trait: True})
    ApplicationFactory(round=current)  # draft
    ExpressionOfInterestFactory(round=earlier, invited=True)
    ApplicationFactory(round=earlier, not_accredited=True)

    rows = pipeline_by_round()

    assert [
        (r.name, r.eois_submitted, r.eois_invited, r.applications, r.under_review, r.accredited) for r in rows
    ] == [
        ("Round 2026", 4, 1, 6, 2, 2),
        ("Round 2025", 1, 1, 1, 0, 0),
    ]


def test_pipeline_on_the_page_follows_the_round_filter(board_client):
    current = RoundFactory(name="Round 2026", opens_on=_day("2026-01-10"))
    RoundFactory(name="Round 2025", opens_on=_day("2025-01-10"))
    ExpressionOfInterestFactory(round=current, submitted=True)

    response = board_client.get(BOARD, {"round": current.pk})

    assert [row.name for row in response.context["pipeline"]] == ["Round 2026"]
    assert response.context["summaries"]["pipeline"] == (
        "In Round 2026: 1 expression of interest submitted, 0 invited to apply, 0 applications, "
        "0 with the panel and 0 accredited."
    )


# --- Status and stage --------------------------------------------------------------------------------


def test_hits_by_status_and_stage_by_hand(board_client):
    f.HITFactory(status=HITStatus.ACTIVE, stage=LifecycleStage.PLANNING)
    f.HITFactory(status=HITStatus.ACTIVE, stage=LifecycleStage.PLANNING)
    f.HITFactory(status=HITStatus.ACTIVE, stage=LifecycleStage.IMPLEMENTATION)
    f.HITFactory(status=HITStatus.SET_UP, stage=LifecycleStage.CONNECTING)
    f.HITFactory(closed=True, stage=LifecycleStage.DISSOLUTION)

    response = board_client.get(BOARD)

    counts = response.context["dashboard"].counts
    assert counts.total == 5
    assert {r.value: r.count for r in counts.by_status} == {
        "proposed": 0,
        "in_application": 0,
        "set_up": 1,
        "active": 3,
        "suspended": 0,
        "closing": 0,
        "closed": 1,
    }
    assert {r.value: r.count for r in counts.by_stage} == {
        "contemplating": 0,
        "connecting": 1,
        "planning": 2,
        "implementation": 1,
        "maintenance": 0,
        "dissolution": 1,
    }
    assert response.context["summaries"]["status"] == "5 HITs by status: 1 set-up, 3 active and 1 closed."
    assert response.context["charts"]["status"]["series"][0]["values"] == [0, 0, 1, 3, 0, 0, 1]


# --- Heat maps and maturity --------------------------------------------------------------------------


def test_coverage_heat_map_cells(board_client):
    hit = f.HITFactory(name="Alpha HIT")
    depths = {"PROV": 3, "COMM": 0, "STAFF": 2, "PUBLIC": 1, "OPS": 0, "NONNHS": 2, "RESEARCH": 3}
    _coverage(hit, depths, degrees=257.143)
    f.HITFactory(name="Beta HIT")  # not calculated yet

    response = board_client.get(BOARD)

    alpha, beta = response.context["rows"]
    codes = [c.code for c in response.context["dashboard"].categories]
    assert codes == ["PROV", "COMM", "STAFF", "PUBLIC", "OPS", "NONNHS", "RESEARCH"]
    assert alpha.depths == [DepthCell(code, depths[code]) for code in codes]
    assert [cell.css_class for cell in alpha.depths] == [
        "depth-3",
        "depth-0",
        "depth-2",
        "depth-1",
        "depth-0",
        "depth-2",
        "depth-3",
    ]
    assert beta.coverage is None
    html = response.content.decode()
    assert '<td class="text-center depth-3" title="3 - leadership or decision role">3</td>' in html
    assert ">257</td>" in html
    assert "Not calculated yet" in html


def test_readiness_heat_map_reads_the_latest_wave_overall_and_never_a_suppressed_figure(board_client):
    hit = f.HITFactory(name="Alpha HIT")
    _wave(hit, "2025-10-01", {"trust": 40.0, "faith": 41.0}, title="Autumn")
    latest = _wave(hit, "2026-02-01", {"trust": 72.5, "faith": None}, title="Spring")
    ef.ReadinessResultFactory(  # an organisation group is never shown on the dashboard
        wave=latest,
        group_type="organisation",
        group_key="9",
        group_label="Org",
        dimension="trust",
        score=12.3,
    )
    ef.WaveFactory(hit=hit, title="Open now", opens_on=_day("2026-02-20"), closes_on=_day("2026-03-20"))

    response = board_client.get(BOARD)

    (row,) = response.context["rows"]
    assert row.readiness.title == "Spring"
    trust, faith = row.readiness_cells[:2]
    assert (trust.score, trust.level, trust.css_class) == (73, 3, "readiness-3")  # 72.5, shown whole
    assert (faith.suppressed, faith.score, faith.css_class) == (True, None, "readiness-suppressed")
    assert row.readiness_cells[2:] == [None] * 8  # dimensions the wave did not ask
    html = response.content.decode()
    assert '<td class="text-center readiness-suppressed">suppressed</td>' in html
    assert 'title="Generative">73</td>' in html  # 72.5, rounded half up
    assert "12.3" not in html and ">12<" not in html
    # The older wave's cells are not in the heat map (its quarter's average is, in the trend table).
    assert 'title="Bureaucratic">40</td>' not in html and 'title="Bureaucratic">41</td>' not in html


def test_maturity_profile_of_each_hits_latest_assessment(board_client):
    hit = f.HITFactory(name="Alpha HIT")
    _assessment(hit, "2025-06-01", [(element, 1) for element, _ in NINE])
    _assessment(hit, "2026-01-15", NINE)

    response = board_client.get(BOARD)

    (row,) = response.context["rows"]
    assert row.maturity.assessed_on == _day("2026-01-15")
    assert row.maturity.median_name == "Bureaucratic"
    assert row.maturity.weakest_names == ["Risk tolerance"]
    assert "Risk tolerance (pathological)" in response.content.decode()


# --- Lists that need attention -----------------------------------------------------------------------


def test_overdue_reports_and_conditions_by_hand(board_client):
    rf.ProgressReportFactory(hit=f.HITFactory(name="Late HIT"), due_on=_day("2026-02-01"))
    rf.ProgressReportFactory(
        hit=f.HITFactory(name="Sent back HIT"), changes_requested=True, due_on=_day("2026-02-15")
    )
    rf.ProgressReportFactory(hit=f.HITFactory(), submitted=True, due_on=_day("2026-01-01"))
    rf.ProgressReportFactory(hit=f.HITFactory(), due_on=_day("2026-04-01"))
    ConditionFactory(due_on=_day("2026-02-01"), text="Name a PPI lead.")
    ConditionFactory(due_on=_day("2026-01-01"), closed=True)
    ConditionFactory(due_on=_day("2026-05-01"))

    response = board_client.get(BOARD)

    data = response.context["dashboard"]
    assert data.overdue_reports.total == 2
    assert [r["hit__name"] for r in data.overdue_reports.rows] == ["Late HIT", "Sent back HIT"]
    assert data.overdue_conditions.total == 1
    assert [r["text"] for r in data.overdue_conditions.rows] == ["Name a PPI lead."]


def test_a_listing_counts_every_row_beyond_its_limit():
    for n in range(3):
        rf.ProgressReportFactory(hit=f.HITFactory(), due_on=_day("2026-02-01") + datetime.timedelta(days=n))

    listing = overdue_reports(None, today=TODAY, limit=2)

    assert (listing.total, len(listing.rows), listing.more) == (3, 2, 1)


def test_renewals_due_within_six_months_by_hand():
    soon = AccreditationFactory(valid_from=_day("2023-07-01"), valid_until=_day("2026-06-30"))
    AccreditationFactory(valid_from=_day("2024-01-01"), valid_until=_day("2026-12-31"))  # too far off
    AccreditationFactory(valid_from=_day("2022-01-01"), valid_until=_day("2025-12-31"))  # already ended
    replaced = AccreditationFactory(valid_from=_day("2023-05-01"), valid_until=_day("2026-05-01"))
    AccreditationFactory(
        decision=DecisionFactory(application__hit=replaced.hit),
        valid_from=_day("2026-02-01"),
        valid_until=_day("2029-01-31"),
    )
    started = AccreditationFactory(valid_from=_day("2023-08-01"), valid_until=_day("2026-07-31"))
    ApplicationFactory(hit=started.hit, kind=ApplicationKind.RENEWAL, renewal_of=started)

    listing = renewals_due(None, today=TODAY)

    assert [(r["pk"], r["renewal_started"]) for r in listing.rows] == [(soon.pk, False), (started.pk, True)]
    assert listing.total == 2


# --- Trends ------------------------------------------------------------------------------------------


def test_quarterly_trends_by_hand():
    one, two = f.HITFactory(), f.HITFactory()
    ef.CoverageSnapshotFactory(hit=one, taken_on=_day("2026-01-15"), degrees=180)
    ef.CoverageSnapshotFactory(hit=two, taken_on=_day("2026-02-10"), degrees=270)
    ef.CoverageSnapshotFactory(hit=one, taken_on=_day("2025-11-01"), degrees=90)
    ef.CoverageSnapshotFactory(hit=one, taken_on=_day("2026-01-20"), label="application v1", degrees=360)
    ef.CoverageSnapshotFactory(hit=one, taken_on=_day("2023-05-01"), degrees=30)  # before the 8 quarters
    _wave(one, "2025-10-05", {"trust": 60.0, "faith": 40.0})  # wave score 50
    _wave(one, "2026-01-10", {"trust": 80.0, "faith": None})  # 80: the suppressed one is left out
    wave = _wave(two, "2026-02-01", {"trust": 70.0, "faith": 50.0})  # 60
    ef.ReadinessResultFactory(
        wave=wave,
        group_type="organisation",
        group_key="1",
        group_label="Org",
        dimension="risk_tolerance",
        score=0.0,
    )
    _wave(two, "2025-12-01", {"trust": None})  # every dimension suppressed: no wave score

    trends = trends_dashboards.trends(None, today=TODAY)

    assert [p.label for p in trends.coverage] == [
        "2024 Q2",
        "2024 Q3",
        "2024 Q4",
        "2025 Q1",
        "2025 Q2",
        "2025 Q3",
        "2025 Q4",
        "2026 Q1",
    ]
    assert [(p.average, p.points) for p in trends.coverage][-2:] == [(90.0, 1), (225.0, 2)]
    assert all(p.average is None for p in trends.coverage[:-2])
    assert [(p.average, p.points) for p in trends.readiness][-2:] == [(50.0, 1), (70.0, 2)]
    assert all(p.average is None for p in trends.readiness[:-2])


def test_portfolio_trend_reads_each_past_quarters_last_nightly_snapshot_and_counts_this_quarter_live(
    board_client,
):
    f.PortfolioSnapshotFactory(taken_on=_day("2025-12-01"), hits_total=10, by_status={"active": 6})
    f.PortfolioSnapshotFactory(taken_on=_day("2025-12-31"), hits_total=12, by_status={"active": 7})
    f.PortfolioSnapshotFactory(  # this quarter: a HIT has been closed since, so it no longer counts
        taken_on=_day("2026-03-01"), hits_total=14, by_status={"active": 9, "closed": 1}
    )
    f.PortfolioSnapshotFactory(taken_on=_day("2023-03-01"), hits_total=3, by_status={"active": 1})  # too old
    f.HITFactory(status=HITStatus.ACTIVE)
    f.HITFactory(status=HITStatus.ACTIVE)
    f.HITFactory(closed=True)

    response = board_client.get(BOARD, {"status": "closed"})  # the trend ignores the filters

    points = response.context["dashboard"].trends.portfolio
    assert [(p.label, p.taken_on, p.total, p.active, p.live) for p in points][-3:] == [
        ("2025 Q3", None, None, None, False),
        ("2025 Q4", _day("2025-12-31"), 12, 7, False),
        ("2026 Q1", TODAY, 3, 2, True),
    ]
    assert response.context["summaries"]["portfolio_trend"] == (
        "As of 2 March 2026 the programme has 3 HITs, 2 of them active (at the end of 2025 Q4: 12, 7 active)."
    )
    assert response.context["charts"]["portfolio_trend"]["series"][1]["values"][-2:] == [7, 2]
    assert "(today)" in response.content.decode()


def test_portfolio_trend_text_and_chart_agree_with_the_hits_by_status_counts(board_client):
    """A snapshot taken earlier today (a HIT has been added and activated since) never contradicts
    the counts of the HIT table shown beside it: both read the HITs as of now."""
    f.PortfolioSnapshotFactory(taken_on=TODAY, hits_total=21, by_status={"active": 11})
    for _ in range(2):
        f.HITFactory(status=HITStatus.ACTIVE)
    f.HITFactory(status=HITStatus.SET_UP)

    response = board_client.get(BOARD)

    counts = response.context["dashboard"].counts
    active = next(row.count for row in counts.by_status if row.value == HITStatus.ACTIVE)
    chart = response.context["charts"]["portfolio_trend"]
    assert (counts.total, active) == (3, 2)
    assert [series["values"][-1] for series in chart["series"]] == [counts.total, active]
    assert response.context["charts"]["status"]["series"][0]["values"] == [
        row.count for row in counts.by_status
    ]
    summary = response.context["summaries"]["portfolio_trend"]
    assert summary.startswith(
        f"As of 2 March 2026 the programme has {counts.total} HITs, {active} of them active"
    )
    assert response.context["summaries"]["status"].startswith(f"{counts.total} HITs by status")


def test_trend_summaries_and_chart_data(board_client):
    hit = f.HITFactory()
    ef.CoverageSnapshotFactory(hit=hit, taken_on=_day("2025-11-01"), degrees=90)
    ef.CoverageSnapshotFactory(hit=hit, taken_on=_day("2026-01-15"), degrees=180)

    response = board_client.get(BOARD)

    assert response.context["summaries"]["coverage_trend"] == (
        "The engagement coverage rose from an average of 90 degrees in 2025 Q4 to 180 degrees in 2026 Q1."
    )
    assert response.context["charts"]["coverage_trend"]["series"][0]["values"] == [None] * 6 + [90.0, 180.0]
    assert (
        response.context["summaries"]["readiness_trend"]
        == "No readiness score stored in the last 8 quarters."
    )


# --- Filters, sorting and pages ----------------------------------------------------------------------


@pytest.fixture
def portfolio():
    """Four HITs with different statuses, stages, focus, rounds and organisations."""
    nbt = f.OrganisationFactory(name="North Bristol NHS Trust", short_name="NBT")
    council = f.OrganisationFactory(name="Bristol City Council")
    round_ = RoundFactory(name="Round 2026")
    alpha = f.HITFactory(
        name="Alpha HIT", focus="Dementia", status=HITStatus.ACTIVE, stage=LifecycleStage.PLANNING
    )
    beta = f.HITFactory(
        name="Beta HIT", focus="Pain", status=HITStatus.ACTIVE, stage=LifecycleStage.MAINTENANCE
    )
    gamma = f.HITFactory(
        name="Gamma HIT", focus="Stroke", status=HITStatus.SET_UP, stage=LifecycleStage.PLANNING
    )
    delta = f.HITFactory(name="Delta HIT", focus="Kidney disease", closed=True)
    ef.StakeholderFactory(hit=alpha, organisation=nbt)
    ef.StakeholderFactory(hit=delta, organisation=nbt, end_date=_day("2026-02-15"))  # ended: not counted
    f.MembershipFactory(hit=beta, organisation=council, role=MembershipRole.MEMBER)
    ApplicationFactory(hit=gamma, round=round_)
    _coverage(alpha, {"PROV": 3}, degrees=300, commissioner=True)
    _coverage(beta, {"PROV": 1}, degrees=60)
    _coverage(gamma, {"PROV": 2}, degrees=180, commissioner=True)
    return {"round": round_, "alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["Alpha HIT", "Beta HIT", "Delta HIT", "Gamma HIT"]),
        ({"status": "active"}, ["Alpha HIT", "Beta HIT"]),
        ({"stage": "planning"}, ["Alpha HIT", "Gamma HIT"]),
        ({"status": "active", "stage": "planning"}, ["Alpha HIT"]),
        ({"focus": "kidney"}, ["Delta HIT"]),
        ({"focus": "gamma"}, ["Gamma HIT"]),
        ({"organisation": "north bristol"}, ["Alpha HIT"]),
        ({"organisation": "NBT"}, ["Alpha HIT"]),
        ({"organisation": "City Council"}, ["Beta HIT"]),
        ({"organisation": "Bristol"}, ["Alpha HIT", "Beta HIT"]),
    ],
)
def test_filters(board_client, portfolio, params, names):
    response = board_client.get(BOARD, params)

    assert _rows(response) == names
    assert response.context["dashboard"].counts.total == len(names)


def test_round_filter(board_client, portfolio):
    response = board_client.get(BOARD, {"round": portfolio["round"].pk})

    assert _rows(response) == ["Gamma HIT"]


def test_filters_narrow_the_lists_that_need_attention(board_client, portfolio):
    rf.ProgressReportFactory(hit=portfolio["alpha"], due_on=_day("2026-02-01"))
    rf.ProgressReportFactory(hit=portfolio["beta"], due_on=_day("2026-02-01"))

    response = board_client.get(BOARD, {"focus": "Dementia"})

    assert [r["hit__name"] for r in response.context["dashboard"].overdue_reports.rows] == ["Alpha HIT"]


def test_a_bad_filter_is_explained_next_to_its_field_and_the_others_still_apply(board_client, portfolio):
    response = board_client.get(BOARD, {"round": "abc", "status": "active"})

    assert response.status_code == 200
    assert response.context["form"].errors["round"]
    assert "There is a problem" in response.content.decode()
    assert _rows(response) == ["Alpha HIT", "Beta HIT"]


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Alpha HIT", "Beta HIT", "Delta HIT", "Gamma HIT"]),
        ("-name", ["Gamma HIT", "Delta HIT", "Beta HIT", "Alpha HIT"]),
        # No league tables: a score is no sort key, so asking for one gives the order by name.
        ("degrees", ["Alpha HIT", "Beta HIT", "Delta HIT", "Gamma HIT"]),
        ("-degrees", ["Alpha HIT", "Beta HIT", "Delta HIT", "Gamma HIT"]),
        ("commissioner", ["Beta HIT", "Alpha HIT", "Gamma HIT", "Delta HIT"]),
        ("-commissioner", ["Alpha HIT", "Gamma HIT", "Beta HIT", "Delta HIT"]),
        ("nonsense", ["Alpha HIT", "Beta HIT", "Delta HIT", "Gamma HIT"]),
    ],
)
def test_heat_maps_sort_on_the_server(board_client, portfolio, sort, names):
    response = board_client.get(BOARD, {"sort": sort})

    assert _rows(response) == names


def test_sort_links_toggle_and_keep_the_filters(board_client, portfolio):
    response = board_client.get(BOARD, {"sort": "name", "status": "active", "page": "1"})

    html = response.content.decode()
    assert 'href="?sort=-name&amp;status=active"' in html
    assert 'aria-sort="ascending"' in html


def test_heat_maps_show_fifty_hits_a_page(board_client):
    for n in range(51):
        f.HITFactory(name=f"HIT {n:03d}")

    first = board_client.get(BOARD)
    second = board_client.get(BOARD, {"page": 2})

    assert len(first.context["rows"]) == 50
    assert _rows(second) == ["HIT 050"]
    assert second.context["page"].paginator.num_pages == 2
    assert second.context["dashboard"].counts.total == 51


# --- Every chart: a sentence, the data, a table ------------------------------------------------------


def _check_charts(html: str, expected: int) -> None:
    canvases = re.findall(
        r'<canvas data-chart="([\w-]+)" role="img" aria-label="[^"]+" aria-describedby="([\w-]+)"', html
    )
    assert len(canvases) == expected
    for data_id, summary_id in canvases:
        assert f'<script id="{data_id}" type="application/json">' in html
        assert re.search(rf'<p id="{summary_id}">[^<]+\.</p>', html), summary_id
    assert html.count("<summary>The same figures as a table</summary>") == expected


def _check_csp(html: str) -> None:
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_every_board_chart_has_a_summary_and_a_table(board_client, portfolio):
    html = board_client.get(BOARD).content.decode()

    _check_charts(html, 6)
    _check_csp(html)
    assert html.count("<h1") == 1


def test_every_hit_chart_has_a_summary_and_a_table(client, hit, director):
    _coverage(hit, {"PROV": 3, "COMM": 1}, degrees=100)
    _wave(hit, "2026-02-01", {"trust": 70.0})
    client.force_login(director)

    html = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})).content.decode()

    _check_charts(html, 3)
    _check_csp(html)
    assert html.count("<h1") == 1


# --- The HIT dashboard -------------------------------------------------------------------------------


def test_hit_dashboard_compares_the_latest_wave_with_the_previous_and_leaves_out_suppressed(
    client, hit, director
):
    _wave(hit, "2025-10-01", {"trust": 50.0, "faith": None, "clarity": 70.0}, title="Autumn survey")
    _wave(hit, "2026-02-01", {"trust": 62.5, "faith": 55.0, "clarity": None}, title="Spring survey")
    client.force_login(director)

    response = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}))

    chart = response.context["charts"]["readiness"]
    assert chart["labels"] == ["Trust", "Faith"]
    assert chart["series"] == [
        {"label": "Spring survey", "values": [63, 55]},  # 62.5, shown as a whole number
        {"label": "Autumn survey", "values": [50, None]},
    ]
    html = response.content.decode()
    assert "<strong>Left out</strong> because fewer than 5 people answered: Clarity of vision." in html
    assert response.context["summaries"]["readiness"] == (
        "In Spring survey (opened 1 February 2026), the strongest dimension is Trust (63) and the weakest "
        "Faith (55)."
    )  # no bare "rose"/"fell": only a stored change with its interval compares waves (none stored here)
    assert ">70<" not in html  # the previous wave's clarity: the latest wave left it out


def test_hit_dashboard_with_one_dimension_shown_gives_just_its_score(client, hit, director):
    _wave(hit, "2026-02-01", {"trust": 48.6, "faith": None}, title="Spring survey")
    client.force_login(director)

    response = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}))

    summary = response.context["summaries"]["readiness"]
    assert summary == "In Spring survey (opened 1 February 2026), the one dimension reported is Trust (49)."
    assert "strongest" not in response.content.decode()


def test_hit_dashboard_is_as_of_the_computation_of_what_it_shows_not_today(client, hit, director):
    coverage = _coverage(hit, {"PROV": 3}, degrees=120)
    wave = _wave(hit, "2025-10-01", {"trust": 50.0}, title="Autumn survey")
    computed = datetime.datetime(2025, 12, 3, 2, 15, tzinfo=datetime.UTC)
    released = datetime.datetime(2025, 11, 2, 0, 15, tzinfo=datetime.UTC)
    type(coverage).objects.filter(pk=coverage.pk).update(computed_at=computed)
    type(wave).objects.filter(pk=wave.pk).update(released_at=released)
    client.force_login(director)

    html = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})).content.decode()

    as_of = html.split('id="as-of">', 1)[1].split("</p>", 1)[0]
    assert "coverage as of <time" in as_of and "3 December 2025, 02:15" in as_of
    assert "survey results as of <time" in as_of and "2 November 2025, 00:15" in as_of
    today = datetime.date.today()
    assert f"{today.day} {today:%B %Y}" not in as_of


def test_hit_dashboard_coverage_maturity_milestones_ppi_and_reports(client, hit, director):
    _coverage(hit, {"PROV": 3, "COMM": 0, "PUBLIC": 2}, degrees=240)
    _assessment(hit, "2026-01-15", NINE)
    rf.MilestoneFactory(hit=hit, title="Pathway agreed", due_on=_day("2026-01-10"), met_on_time=True)
    rf.MilestoneFactory(hit=hit, title="Clinic open", due_on=_day("2026-02-01"), missed=True)
    rf.MilestoneFactory(hit=hit, title="Evaluation", due_on=_day("2026-06-30"))
    ef.InvolvementActivityFactory(hit=hit, happened_on=_day("2026-02-10"), patients=3, carers=1, public=2)
    ef.InvolvementActivityFactory(hit=hit, happened_on=_day("2026-02-20"), patients=1, carers=0, public=0)
    ef.InvolvementActivityFactory(hit=hit, happened_on=_day("2025-12-05"), patients=2, carers=0, public=0)
    ef.InvolvementActivityFactory(hit=hit, happened_on=_day("2024-12-05"))  # outside the 12 months
    rf.ProgressReportFactory(hit=hit, accepted=True, due_on=_day("2025-09-01"))
    rf.ProgressReportFactory(hit=hit, due_on=_day("2026-02-01"))
    client.force_login(director)

    response = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}))

    summaries = response.context["summaries"]
    assert summaries["coverage"] == (
        "Dementia HIT covers 240 of 360 degrees: 2 of 3 stakeholder categories have an active stakeholder; "
        "not covered: Commissioners."
    )
    assert (
        summaries["maturity"]
        == "Median level bureaucratic; weakest: Risk tolerance (assessed 15 January 2026)."
    )
    assert summaries["milestones"] == (
        "3 milestones: 1 met on time, 0 met late, 1 missed and 1 planned; next: Evaluation, due 30 June 2026."
    )
    assert summaries["ppi"] == (
        "3 PPI activities logged in the last 12 months, involving 9 patients, carers and members of the "
        "public; the busiest month was Feb 2026."
    )
    months = response.context["data"].ppi_months
    assert (months[0].label, len(months)) == ("Apr 2025", 12)
    assert [(m.activities, m.people) for m in months][-4:] == [(1, 2), (0, 0), (2, 7), (0, 0)]
    reports = response.context["data"].reports
    assert [(r.report.due_on, r.is_overdue) for r in reports] == [
        (_day("2026-02-01"), True),
        (_day("2025-09-01"), False),
    ]
    html = response.content.decode()
    assert "Overdue" in html
    assert "timeline-missed" in html
    assert response.context["data"].milestones[1].status == MilestoneStatus.MISSED


def test_hit_dashboard_without_any_data_says_so(client, hit, director):
    client.force_login(director)

    html = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})).content.decode()

    assert "Coverage is not calculated yet." in html
    assert "No readiness survey results yet." in html
    assert "No maturity assessment yet." in html
    assert "No PPI activity logged in the last 12 months." in html
    assert "No milestones recorded yet." in html
    assert "No progress reports yet." in html


# --- Suppression and what the pages never read -------------------------------------------------------


@pytest.fixture
def suppressed_wave(hit):
    """A wave computed from real responses by the worker's service.

    Trust: organisation A's 3 respondents answer 5, 4 and 4 (a score of 83.33 that must never show:
    the group has fewer than 5); organisation B's 5 answer 2. Overall trust: 23 / 8 = 2.875, 46.875.
    Faith: only 4 respondents answer it, so the overall faith result is suppressed.
    """
    wave = ef.WaveFactory(
        hit=hit, title="Spring survey", opens_on=_day("2026-02-01"), closes_on=_day("2026-02-28")
    )
    trust = ef.ItemFactory(instrument=wave.instrument, code="T1", dimension=Dimension.TRUST)
    faith = ef.ItemFactory(instrument=wave.instrument, code="F1", dimension=Dimension.FAITH)
    org_a = f.OrganisationFactory(name="Small Partner Trust")
    org_b = f.OrganisationFactory(name="Large Partner Trust")
    for value in (5, 4, 4):
        response = ef.ResponseFactory(wave=wave, organisation=org_a)
        ef.AnswerFactory(response=response, item=trust, value=value)
    for n in range(5):
        response = ef.ResponseFactory(wave=wave, organisation=org_b)
        ef.AnswerFactory(response=response, item=trust, value=2)
        ef.AnswerFactory(response=response, item=faith, value=3 if n < 4 else None)
    engagement_services.readiness_release(wave_ids=[wave.pk])
    from engagement.models import ReadinessResult

    small = ReadinessResult.objects.get(wave=wave, group_label="Small Partner Trust", dimension="trust")
    assert (small.suppressed, small.score) == (True, None)
    overall = ReadinessResult.objects.get(wave=wave, group_type="overall", dimension="trust")
    assert round(overall.score, 3) == 46.875
    return wave


def _pdf_text(content: bytes) -> str:
    """The strings the PDF draws (the pack is written uncompressed)."""
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content)
    return " ".join(re.sub(r"\\(.)", r"\1", s.decode("latin-1")) for s in strings)


def test_a_board_member_never_sees_a_suppressed_groups_figures(client, hit, board_member, suppressed_wave):
    client.force_login(board_member)
    pages = {
        "board": client.get(BOARD).content.decode(),
        "hit": client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})).content.decode(),
        "pack": client.get(reverse("reporting:board-pack")).content.decode(),
        "pdf": _pdf_text(client.get(reverse("reporting:board-pack-pdf")).content),
    }

    for name, text in pages.items():
        assert "83.3" not in text, name
        assert "Small Partner Trust" not in text, name
        assert "Large Partner Trust" not in text, name
    assert ">47</td>" in pages["board"]  # the overall trust score, rounded
    assert '<td class="text-center readiness-suppressed">suppressed</td>' in pages["board"]
    assert "46.9" not in pages["hit"]  # 46.875 is shown rounded
    assert ">47</td>" in pages["hit"]
    assert "Left out</strong> because fewer than 5 people answered: Faith." in pages["hit"]
    assert "suppressed (fewer than 5 responses): Faith" in pages["pack"]
    assert "suppressed (fewer than 5 responses): Faith" in pages["pdf"]


def test_no_page_reads_a_response_or_an_answer(client, hit, board_member, suppressed_wave):
    client.force_login(board_member)
    urls = [
        BOARD,
        reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}),
        reverse("reporting:board-pack"),
        reverse("reporting:board-pack-pdf"),
    ]

    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
        assert "engagement_answer" not in sql, url
        assert "engagement_response" not in sql, url


# --- Query counts ------------------------------------------------------------------------------------


def _full_hit(n: int, round_):
    """A HIT with every stored score and record the dashboards read."""
    hit = f.HITFactory(name=f"Scale {n:02d}", status=HITStatus.ACTIVE)
    _coverage(hit, {"PROV": 3, "COMM": n % 4}, degrees=100 + n, gaps=[{"name": "Staff", "stressed": False}])
    ef.CoverageSnapshotFactory(hit=hit, taken_on=_day("2026-01-15"), degrees=100 + n)
    _wave(hit, "2025-11-01", {"trust": 50.0, "faith": None}, title="Autumn")
    _wave(hit, "2026-02-01", {"trust": 60.0 + n / 10, "faith": None}, title="Spring")
    _assessment(hit, "2026-01-15", NINE)
    rf.MilestoneFactory(hit=hit, due_on=_day("2026-02-01"), missed=True)
    ef.InvolvementActivityFactory(hit=hit, happened_on=_day("2026-02-10"))
    rf.ProgressReportFactory(hit=hit, due_on=_day("2026-02-01"))
    accreditation = AccreditationFactory(
        decision=DecisionFactory(application__hit=hit, application__round=round_),
        valid_from=_day("2023-06-01"),
        valid_until=_day("2026-05-31"),
    )
    ConditionFactory(decision=accreditation.decision, due_on=_day("2026-01-31"))
    ExpressionOfInterestFactory(round=round_, invited=True, hit=hit)
    return hit


@pytest.mark.parametrize("hits", [1, 30])
def test_board_dashboard_query_count_does_not_grow(board_client, django_assert_num_queries, hits):
    round_ = RoundFactory()
    for n in range(hits):
        _full_hit(n, round_)

    # session + user + 3 role lookups, then: pipeline, status and stage counts (also the paginator's
    # count), the page of HITs, their readiness results, their maturity ratings, the categories,
    # overdue reports, overdue conditions, renewals, both trends (one union query), the stored funnel
    # plot and XmR charts; and the version of the stored results shown (the cache key), read first.
    with django_assert_num_queries(17):
        response = board_client.get(BOARD, {"sort": "-name"})

    assert len(response.context["rows"]) == hits
    assert response.context["dashboard"].overdue_reports.total == hits


@pytest.mark.parametrize("hits", [1, 30])
def test_board_dashboard_query_count_with_filters(board_client, django_assert_num_queries, hits):
    round_ = RoundFactory()
    for n in range(hits):
        _full_hit(n, round_)

    with django_assert_num_queries(17):
        response = board_client.get(BOARD, {"status": "active", "round": round_.pk, "focus": "scale"})

    assert len(response.context["rows"]) == hits


@pytest.mark.parametrize("hits", [1, 30])
def test_hit_dashboard_query_count_does_not_grow(client, director, hit, django_assert_num_queries, hits):
    round_ = RoundFactory()
    for n in range(hits):
        _full_hit(n, round_)
    for n in range(hits):  # and as many records of the HIT itself
        rf.MilestoneFactory(hit=hit, due_on=_day("2026-03-01") + datetime.timedelta(days=n))
        ef.InvolvementActivityFactory(
            hit=hit, happened_on=_day("2025-06-01") + datetime.timedelta(days=7 * n)
        )
        _wave(hit, (_day("2024-01-01") + datetime.timedelta(days=10 * n)).isoformat(), {"trust": 50.0})
    _coverage(hit, {"PROV": 3}, degrees=180)
    _assessment(hit, "2026-01-15", NINE)
    client.force_login(director)

    # session + user + 3 role lookups, the HIT with its coverage, the version of what the page shows
    # (core.versions), the categories, the last two waves, their results, the stored change into the
    # latest wave, the latest maturity ratings, milestones, reports, PPI per month.
    url = reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})
    with django_assert_num_queries(15):
        response = client.get(url)

    assert len(response.context["data"].milestones) == hits
    # Then the body is kept: the session, the user, the HIT and the version.
    with django_assert_num_queries(4):
        again = client.get(url)
    assert "data" not in again.context


def test_the_dashboard_leaves_report_status_of_a_reader_without_report_rights_out(
    client, hit, ppi_facilitator
):
    rf.ProgressReportFactory(hit=hit, due_on=_day("2026-02-01"), status=ReportStatus.DRAFT)
    client.force_login(ppi_facilitator)

    response = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}))

    assert response.context["data"].reports is None
    assert "Progress reports are shown to the HIT's members" in response.content.decode()


def test_filters_dataclass_reports_whether_anything_is_filtered():
    assert not Filters().active
    assert Filters(status="active").active
