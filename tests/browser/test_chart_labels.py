"""The circular charts (coverage radar, coverage polar chart, readiness radar) at a 1280 px wide
window: every category or dimension label around the circle is drawn inside the canvas, whole."""

from __future__ import annotations

from engagement.enums import Dimension
from teams.models import StakeholderCategory
from tests.factories import engagement as ef

VIEWPORT = {"width": 1280, "height": 800}

# Each label's box (Chart.js measures it when it fits the scale) against the canvas, in CSS pixels.
# A label drawn partly outside the canvas is clipped on screen.
LABEL_BOXES = """
(canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart) { return null; }
  const scale = chart.scales.r;
  const items = scale._pointLabelItems || [];
  return {
    width: chart.width,
    height: chart.height,
    labels: chart.data.labels.length,
    boxes: items.map((item, i) => ({
      label: String(chart.data.labels[i]),
      left: item.left, right: item.right, top: item.top, bottom: item.bottom
    }))
  };
}
"""


def _clipped(result: dict) -> list[str]:
    problems = []
    for box in result["boxes"]:
        if (
            box["left"] < 0
            or box["top"] < 0
            or box["right"] > result["width"]
            or box["bottom"] > result["height"]
        ):
            problems.append(f"{box['label']}: {box}")
    return problems


def _charts_on(session, path: str, selectors: list[str]) -> dict[str, dict]:
    session.goto(path)
    found = {}
    for selector in selectors:
        canvas = session.page.locator(selector)
        session.page.wait_for_function(
            "(canvas) => window.Chart && Chart.getChart(canvas) && Chart.getChart(canvas).chartArea",
            arg=canvas.element_handle(),
        )
        found[selector] = canvas.evaluate(LABEL_BOXES)
    return found


def _scored_hit(hit):
    """Every stakeholder category covered (the long names included) and every dimension scored."""
    depths = {
        code: 1 + n % 3 for n, code in enumerate(StakeholderCategory.objects.values_list("code", flat=True))
    }
    ef.CoverageScoreFactory(hit=hit, category_depths=depths, degrees=360.0, breadth=1.0)
    wave = ef.WaveFactory(hit=hit, title="Baseline", released=True)
    for n, dimension in enumerate(Dimension.values):
        ef.ReadinessResultFactory(wave=wave, dimension=dimension, score=40 + 5 * n)
    return hit


def test_labels_of_the_circular_charts_are_not_clipped_at_1280_px(open_session, programme_manager, hit):
    _scored_hit(hit)
    you = open_session(programme_manager, viewport=VIEWPORT)

    charts = _charts_on(
        you,
        f"/reporting/hits/{hit.pk}/dashboard/",
        ['canvas[data-chart="hit-coverage-data"]', 'canvas[data-chart="hit-readiness-data"]'],
    )
    charts.update(
        _charts_on(you, f"/engagement/hits/{hit.pk}/coverage/", ['canvas[data-chart="coverage-radar-data"]'])
    )

    for selector, result in charts.items():
        assert result is not None, selector
        assert len(result["boxes"]) == result["labels"] > 2, (selector, result)
        assert not _clipped(result), (selector, _clipped(result))
    assert not you.errors
