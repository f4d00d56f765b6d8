"""The board dashboard's funnel plot and monthly XmR charts (docs/domain.md section 7.4): the pure
formulas against hand-worked figures, the worker's stored rows, and the page that reads them."""

from __future__ import annotations

import datetime
import math
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from reporting.domain import comparison
from reporting.models import PortfolioStatistic
from reporting.services.portfolio_statistics import portfolio_statistics_recompute
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories import teams as tf

BOARD = reverse("reporting:board-dashboard")
TODAY = datetime.date(2026, 3, 15)


# --- Pure formulas, hand-worked -------------------------------------------------------------------------


def test_pooled_sd_weights_each_group_by_its_degrees_of_freedom():
    # (10 - 1) x 2^2 + (21 - 1) x 1^2 = 36 + 20 = 56 over 9 + 20 = 29 degrees of freedom.
    assert comparison.pooled_sd([(10, 2.0), (21, 1.0)]) == pytest.approx(math.sqrt(56 / 29))
    assert comparison.pooled_sd([(12, 0.5)]) == pytest.approx(0.5)


def test_pooled_sd_needs_two_respondents():
    assert comparison.pooled_sd([]) is None
    assert comparison.pooled_sd([(1, 0.0)]) is None


def test_pooled_sd_of_identical_answers_is_zero():
    assert comparison.pooled_sd([(10, 0.0), (15, 0.0)]) == 0.0


def test_funnel_on_three_hits_by_hand():
    # Centre (60 x 25 + 40 x 100 + 50 x 25) / 150 = 6750 / 150 = 45. s = 0.8 x 25 = 20.
    # n = 25: s / 5 = 4, alert 45 +- 7.84 = 37.16..52.84, alarm 45 +- 12.36 = 32.64..57.36.
    # n = 100: s / 10 = 2, alert 45 +- 3.92 = 41.08..48.92, alarm 45 +- 6.18 = 38.82..51.18.
    centre, entries = comparison.funnel([("Alpha", 60.0, 25), ("Beta", 40.0, 100), ("Gamma", 50.0, 25)], 0.8)

    assert centre == pytest.approx(45.0)
    alpha, beta, _gamma = entries
    assert (alpha.lower_alert, alpha.upper_alert) == (pytest.approx(37.16), pytest.approx(52.84))
    assert (alpha.lower_alarm, alpha.upper_alarm) == (pytest.approx(32.64), pytest.approx(57.36))
    assert (beta.lower_alert, beta.upper_alert) == (pytest.approx(41.08), pytest.approx(48.92))
    assert (beta.lower_alarm, beta.upper_alarm) == (pytest.approx(38.82), pytest.approx(51.18))
    assert [e.position for e in entries] == [
        comparison.ABOVE_ALARM,
        comparison.BELOW_ALERT,
        comparison.WITHIN,
    ]
    assert comparison.funnel_summary(entries) == (
        "1 HIT above the upper alarm limit, 1 HIT below the lower alert limit; "
        "the rest within what chance alone would give."
    )


def test_funnel_with_zero_spread_puts_every_other_score_beyond_the_alarm_limits():
    centre, entries = comparison.funnel([("A", 50.0, 10), ("B", 50.0, 10), ("C", 80.0, 10)], 0.0)

    assert centre == pytest.approx(60.0)
    assert [e.position for e in entries] == [
        comparison.BELOW_ALARM,
        comparison.BELOW_ALARM,
        comparison.ABOVE_ALARM,
    ]
    assert (
        comparison.funnel_summary(entries)
        == "1 HIT above the upper alarm limit, 2 HITs below the lower alarm limit."
    )


def test_funnel_summary_all_within():
    _centre, entries = comparison.funnel([("A", 50.0, 10), ("B", 52.0, 10)], 1.0)

    assert comparison.funnel_summary(entries) == "All 2 HITs are within what chance alone would give."


def test_control_chart_is_a_run_chart_before_twelve_points():
    chart = comparison.control_chart([(f"m{i}", 10.0) for i in range(11)] + [("m11", None)])

    assert not chart.is_xmr
    assert comparison.chart_summary("mean coverage", chart) == (
        "Mean coverage: 11 monthly points, shown as a run chart; control limits need at least 12."
    )


def test_control_chart_by_hand_with_a_point_beyond_the_limit():
    # Eleven points alternating 10, 16, 10, ... (10 x 6 + 16 x 5 = 140) and a last point of 40:
    # mean 180 / 12 = 15; moving ranges ten of 6 and one of 30: 90 / 11; limits 15 +- 2.66 x 90 / 11
    # (3.24 to 36.76). The first eleven cross the mean every time: no run, no trend.
    values = [10.0 if i % 2 == 0 else 16.0 for i in range(11)] + [40.0]
    chart = comparison.control_chart([(f"m{i:02d}", v) for i, v in enumerate(values)])

    assert chart.mean == pytest.approx(15.0)
    assert chart.upper == pytest.approx(15 + 2.66 * 90 / 11)
    assert chart.lower == pytest.approx(15 - 2.66 * 90 / 11)
    assert chart.points[-1].signals == ("beyond a limit",)
    assert all(not p.signals for p in chart.points[:-1])
    assert chart.points[-1].causes == ("beyond a limit (above the mean)",)
    assert comparison.chart_summary("mean coverage", chart, "%").endswith(
        "Special causes: beyond a limit (above the mean): m11."
    )


def test_special_causes_say_which_way_and_whether_that_is_good():
    # Twelve points: 1, 2, ..., 7 (seven rising: a trend) then 3, 3, 3, 3, 3. Mean 43 / 12 = 3.583; the
    # last five below it (with 1, 2, 3 before: 1, 2, 3 are below too, 4-7 above; no run of seven).
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    series = [(f"m{i:02d}", v) for i, v in enumerate(values)]

    plain = comparison.control_chart(series)
    better_up = comparison.control_chart(series, higher_is_better=True)
    better_down = comparison.control_chart(series, higher_is_better=False)

    assert "a trend of 7 or more rising or falling (rising)" in plain.points[0].causes
    assert "a trend of 7 or more rising or falling (rising: an improvement)" in better_up.points[3].causes
    assert "a trend of 7 or more rising or falling (rising: a concern)" in better_down.points[3].causes
    summary = comparison.chart_summary("HITs with an overdue progress report", better_down, "%")
    assert "a trend of 7 or more rising or falling (rising: a concern): 7 months, m00 to m06" in summary


def test_a_cause_below_the_mean_is_a_concern_where_higher_is_better():
    assert comparison.cause("beyond a limit", -1, True) == "beyond a limit (below the mean: a concern)"
    assert comparison.cause("beyond a limit", -1, False) == "beyond a limit (below the mean: an improvement)"
    assert comparison.cause("beyond a limit", 1) == "beyond a limit (above the mean)"


# --- The worker's stored rows ---------------------------------------------------------------------------


def _released_wave(hit, *, score, n, sd, released):
    wave = ef.WaveFactory(
        hit=hit,
        opens_on=released - datetime.timedelta(days=40),
        closes_on=released - datetime.timedelta(days=1),
        closed_at=datetime.datetime.combine(released, datetime.time(12), tzinfo=datetime.UTC),
        released_at=datetime.datetime.combine(released, datetime.time(12), tzinfo=datetime.UTC),
    )
    ef.ReadinessResultFactory(wave=wave, dimension="trust", n=n, score=score, sd=sd)
    ef.ReadinessResultFactory(wave=wave, dimension="faith", n=n, score=score, sd=sd)
    return wave


@pytest.fixture
def three_hits(db):
    # Given in an order other than by name, with scores that would rank them differently again.
    gamma = tf.HITFactory(name="Gamma HIT")
    alpha = tf.HITFactory(name="Alpha HIT")
    beta = tf.HITFactory(name="Beta HIT")
    # An older wave of Alpha: the funnel plots the latest only, the pooled SD uses both.
    _released_wave(alpha, score=30.0, n=25, sd=0.8, released=datetime.date(2025, 6, 1))
    _released_wave(alpha, score=60.0, n=25, sd=0.8, released=datetime.date(2026, 1, 10))
    _released_wave(beta, score=40.0, n=100, sd=0.8, released=datetime.date(2026, 1, 20))
    _released_wave(gamma, score=50.0, n=25, sd=0.8, released=datetime.date(2026, 2, 5))
    return alpha, beta, gamma


def test_the_worker_stores_the_funnel_by_name_with_hand_worked_limits(three_hits):
    written = portfolio_statistics_recompute(today=TODAY)

    assert written == 4
    data = PortfolioStatistic.objects.get(kind="funnel").data
    assert [p["label"] for p in data["points"]] == ["Alpha HIT", "Beta HIT", "Gamma HIT"]
    assert data["pooled_sd"] == pytest.approx(0.8)
    assert data["centre"] == pytest.approx(45.0)
    assert [p["position"] for p in data["points"]] == [
        "above the alarm limit",
        "below the alert limit",
        "within the limits",
    ]
    assert data["points"][1]["lower_alert"] == pytest.approx(41.08)


def test_the_worker_is_idempotent(three_hits):
    portfolio_statistics_recompute(today=TODAY)

    assert portfolio_statistics_recompute(today=TODAY) == 0


def test_only_released_waves_count(three_hits):
    hit = tf.HITFactory(name="Open HIT")
    wave = ef.WaveFactory(hit=hit)  # still open: no released_at
    ef.ReadinessResultFactory(wave=wave, n=40, score=99.0)

    portfolio_statistics_recompute(today=TODAY)

    labels = [p["label"] for p in PortfolioStatistic.objects.get(kind="funnel").data["points"]]
    assert "Open HIT" not in labels


def test_monthly_series_built_from_snapshots_and_results(three_hits):
    alpha, beta, gamma = three_hits
    ef.CoverageSnapshotFactory(hit=alpha, taken_on=datetime.date(2025, 12, 3), degrees=90.0)
    ef.CoverageSnapshotFactory(hit=beta, taken_on=datetime.date(2026, 1, 7), degrees=180.0)
    ef.CoverageSnapshotFactory(hit=alpha, taken_on=datetime.date(2026, 2, 9), degrees=270.0)
    # Due in February: Alpha's submitted on time, Beta's late (20 Feb), Gamma's (28 Feb) never.
    rf.ProgressReportFactory(
        hit=alpha,
        due_on=datetime.date(2026, 2, 10),
        submitted_at=datetime.datetime(2026, 2, 9, 9, tzinfo=datetime.UTC),
    )
    rf.ProgressReportFactory(
        hit=beta,
        due_on=datetime.date(2026, 2, 10),
        submitted_at=datetime.datetime(2026, 2, 20, 9, tzinfo=datetime.UTC),
    )
    rf.ProgressReportFactory(hit=gamma, due_on=datetime.date(2026, 2, 28))

    portfolio_statistics_recompute(today=TODAY)

    coverage = {
        p["label"]: p["value"] for p in PortfolioStatistic.objects.get(kind="coverage").data["points"]
    }
    assert len(coverage) == 24
    assert coverage["Nov 2025"] is None
    assert coverage["Dec 2025"] == pytest.approx(90.0)
    assert coverage["Jan 2026"] == pytest.approx((90 + 180) / 2)  # Alpha's December map carried forward
    assert coverage["Feb 2026"] == pytest.approx((270 + 180) / 2)
    overdue = {p["label"]: p["value"] for p in PortfolioStatistic.objects.get(kind="overdue").data["points"]}
    assert overdue["Jan 2026"] is None  # no report due yet
    assert overdue["Feb 2026"] == pytest.approx(0.0)  # Beta's came in by the 28th; Gamma's is due that day
    assert overdue["Mar 2026"] == pytest.approx(100 / 3)  # on 15 March, Gamma's is overdue
    readiness = {
        p["label"]: p["value"] for p in PortfolioStatistic.objects.get(kind="readiness").data["points"]
    }
    assert readiness["Jul 2025"] == pytest.approx(30.0)  # Alpha's first wave alone
    assert readiness["Jan 2026"] == pytest.approx((60 + 40) / 2)
    assert readiness["Feb 2026"] == pytest.approx((60 + 40 + 50) / 3)
    assert readiness["Mar 2026"] == pytest.approx(50.0)


# --- The page -------------------------------------------------------------------------------------------


@pytest.fixture
def board_client(client, board_member):
    cache.clear()
    client.force_login(board_member)
    return client


def test_the_board_shows_the_funnel_summary_and_a_table_by_name(board_client, three_hits):
    portfolio_statistics_recompute(today=TODAY)

    html = board_client.get(BOARD).content.decode()

    assert (
        "1 HIT above the upper alarm limit, 1 HIT below the lower alert limit; "
        "the rest within what chance alone would give." in html
    )
    table = html[html.index('id="funnel-table"') :]
    table = table[: table.index("</table>")]
    names = re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th>', table)
    assert names == sorted(names) == ["Alpha HIT", "Beta HIT", "Gamma HIT"]
    assert 'id="funnel-data"' in html
    assert 'id="xmr-readiness-data"' in html


def test_the_funnel_chart_data_has_the_points_by_name_and_five_lines(board_client, three_hits):
    portfolio_statistics_recompute(today=TODAY)

    response = board_client.get(BOARD)

    chart = response.context["charts"]["funnel"]
    assert [p["label"] for p in chart["points"]] == ["Alpha HIT", "Beta HIT", "Gamma HIT"]
    assert [line["label"] for line in chart["lines"]] == [
        "Upper alarm limit (99.8%)",
        "Upper alert limit (95%)",
        "Centre",
        "Lower alert limit (95%)",
        "Lower alarm limit (99.8%)",
    ]
    centre = chart["lines"][2]["values"]
    assert {v["y"] for v in centre} == {45.0}
    # At n = 100 (Beta) the upper alert limit is 45 + 1.96 x 20 / 10 = 48.92.
    assert {"x": 100, "y": 48.92} in chart["lines"][1]["values"]
    xmr = response.context["charts"]["xmr_readiness"]
    assert len(xmr["labels"]) == 24 and len(xmr["signals"]) == 24


def test_the_board_says_when_nothing_is_computed_yet(board_client):
    html = board_client.get(BOARD).content.decode()

    assert "The funnel plot has not been computed yet" in html


def test_a_recompute_moves_the_cached_board_on(board_client, three_hits):
    before = board_client.get(BOARD).content.decode()
    assert "The funnel plot has not been computed yet" in before

    portfolio_statistics_recompute(today=TODAY)

    assert "above the upper alarm limit" in board_client.get(BOARD).content.decode()


@pytest.mark.parametrize("hits", [1, 12])
def test_the_statistics_cost_one_query_whatever_the_portfolio(board_client, django_assert_num_queries, hits):
    for n in range(hits):
        _released_wave(
            tf.HITFactory(name=f"HIT {n:02d}"),
            score=50.0 + n,
            n=20,
            sd=0.7,
            released=datetime.date(2026, 1, 5),
        )
    portfolio_statistics_recompute(today=TODAY)

    with django_assert_num_queries(1):
        from reporting.selectors.portfolio_statistics import stored_statistics

        assert len(stored_statistics()) == 4


def test_a_release_recomputes_the_statistics_after_commit(db, django_capture_on_commit_callbacks):
    from engagement.services.releases import readiness_release

    wave = ef.WaveFactory(closed=True)

    with django_capture_on_commit_callbacks(execute=True):
        readiness_release(wave_ids=[wave.pk])

    assert set(PortfolioStatistic.objects.values_list("kind", flat=True)) == {
        "funnel",
        "overdue",
        "coverage",
        "readiness",
    }


def test_chart_summary_keeps_the_indicator_name_as_written():
    chart = comparison.control_chart([(f"m{i:02d}", 5.0 + (i % 2)) for i in range(12)])

    assert comparison.chart_summary("HITs with an overdue progress report", chart, "%") == (
        "HITs with an overdue progress report over 12 months: mean 5.5%, limits 2.8% to 8.2%; "
        "no special cause: only common-cause variation."
    )
