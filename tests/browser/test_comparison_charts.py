"""The board dashboard's comparison charts drawn in a real browser (docs/domain.md section 7.4): the funnel
plot of readiness against n with its four limit curves and centre, and an XmR chart whose special cause is
marked with a larger point, each beside its text summary and data table. No league table: the funnel's
points are the HITs in name order, never ranked."""

from __future__ import annotations

import datetime

from django.utils import timezone

from reporting.services.portfolio_statistics import _store as store_statistics
from reporting.services.portfolio_statistics import chart_data, portfolio_statistics_recompute
from teams.enums import HITStatus
from tests import factories as f
from tests.factories import engagement as ef

# Chart.js's view of one drawn chart: its datasets (label, type, number of points, point radii).
DRAWN = """
(canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart) { return null; }
  return {
    width: chart.width,
    datasets: chart.data.datasets.map((d, i) => ({
      label: d.label,
      type: d.type || chart.config.type,
      points: chart.getDatasetMeta(i).data.length,
      radii: chart.getDatasetMeta(i).data.map((p) => p.options.radius),
    })),
  };
}
"""


def _released_results() -> None:
    """Three HITs' released overall results: R 40, 50 and 80 from 12, 20 and 40 respondents (SD 0.5)."""
    for name, score, n in (("Alpha HIT", 40.0, 12), ("Beta HIT", 50.0, 20), ("Gamma HIT", 80.0, 40)):
        hit = f.HITFactory(name=name, status=HITStatus.ACTIVE)
        wave = ef.WaveFactory(hit=hit, released=True)
        ef.ReadinessResultFactory(wave=wave, score=score, n=n)


def test_funnel_and_xmr_charts_are_drawn_with_their_limits_and_special_causes(open_session, board_member):
    _released_results()
    portfolio_statistics_recompute()
    # A coverage series of twelve months crossing its mean (15) every month, and a last month far above:
    # mean 180 / 12 = 15, upper limit 15 + 2.66 x 90 / 11 = 36.8, so 40 is beyond it and nothing else signals.
    today = timezone.localdate()
    labels = [(today - datetime.timedelta(days=31 * (11 - i))).strftime("%b %Y") for i in range(12)]
    values = [10.0 if i % 2 == 0 else 16.0 for i in range(11)] + [40.0]
    store_statistics({"coverage": chart_data("coverage", labels, values)}, today)

    s = open_session(board_member)
    s.goto("/reporting/dashboard/")
    funnel = s.page.locator('canvas[data-chart="funnel-data"]')
    xmr = s.page.locator('canvas[data-chart="xmr-coverage-data"]')
    funnel.wait_for()
    s.page.wait_for_function(
        "() => ['funnel-data', 'xmr-coverage-data'].every("
        'k => Chart.getChart(document.querySelector(`canvas[data-chart="${k}"]`)))'
    )

    drawn = funnel.evaluate(DRAWN)
    labels_drawn = [d["label"] for d in drawn["datasets"]]
    assert labels_drawn == [
        "HITs",
        "Upper alarm limit (99.8%)",
        "Upper alert limit (95%)",
        "Centre",
        "Lower alert limit (95%)",
        "Lower alarm limit (99.8%)",
    ]
    assert drawn["datasets"][0]["points"] == 3  # one point per HIT
    assert all(d["points"] >= 2 for d in drawn["datasets"][1:])  # each limit is a curve over the range of n
    assert drawn["width"] > 0
    # Its summary and table are on the page beside it; the HITs are listed by name, not ranked.
    # By hand: centre (40 x 12 + 50 x 20 + 80 x 40) / 72 = 65; s = 0.5 x 25 = 12.5; the alarm limits are
    # 65 +- 3.09 x 12.5 / sqrt(n): 11.2 at n 12, 8.6 at n 20, 6.1 at n 40: Gamma above, Alpha and Beta below.
    summary = s.page.locator("#funnel-summary").inner_text()
    assert summary == "1 HIT above the upper alarm limit, 2 HITs below the lower alarm limit."
    body = s.page.locator("main").inner_text()
    assert body.index("Alpha HIT") < body.index("Beta HIT") < body.index("Gamma HIT")

    chart = xmr.evaluate(DRAWN)
    assert [d["label"] for d in chart["datasets"]][1:] == ["Mean", "Upper limit", "Lower limit"]
    assert all(d["points"] == 12 for d in chart["datasets"])
    radii = chart["datasets"][0]["radii"]
    assert len(radii) == 12
    assert radii[-1] > max(radii[:-1]), radii  # the special cause is marked with a larger point
    coverage_summary = s.page.locator("#xmr-coverage-summary").inner_text()
    assert "beyond a limit (above the mean: an improvement)" in coverage_summary
    # The data table, opened as a reader opens it, names the month's special cause the same way.
    table = s.page.locator("details", has=s.page.locator("caption", has_text="Mean engagement coverage"))
    table.locator("summary").click()
    assert table.get_by_role("cell", name="beyond a limit (above the mean: an improvement)").count() == 1
    assert s.errors == []
