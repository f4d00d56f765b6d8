"""The board report pack as text facts and as a PDF (reportlab, pure Python, tables and no charts;
drawn by reporting.domain.pack_pdf, imported only when a PDF is asked for).

`section_facts` turns one HIT of `reporting.dashboards.BoardPack` into (label, text) pairs that
both the printable HTML page and the PDF show, so the two never disagree. Everything comes from
the stored scores the pack read; suppressed readiness dimensions are named, never given a figure.

The PDF is written without page compression: it is a little larger, and its text can be searched
in the raw bytes (the tests do), which also helps anyone checking what a pack contains.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from reporting.selectors.board import BoardPack, PackSection
from reporting.selectors.portfolio import Filters, PipelineRow
from teams.enums import HITStatus, LifecycleStage

TITLE = "Board report pack"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def section_facts(section: PackSection) -> list[tuple[str, str]]:
    """One HIT of the pack as (label, text) pairs, in the order both formats show them."""
    row = section.row
    hit = row.hit
    facts = [("Status", hit.get_status_display()), ("Life-cycle stage", hit.get_stage_display())]
    coverage = row.coverage
    if coverage:
        facts.append(
            (
                "Coverage",
                f"{coverage.degrees:.0f} of 360 degrees; depth-weighted {coverage.weighted * 100:.0f}%; "
                f"commissioner in leadership: {'yes' if coverage.commissioner_in_leadership else 'no'}",
            )
        )
        gaps = [
            f"{gap['name']} (often missing)" if gap.get("stressed") else gap["name"] for gap in coverage.gaps
        ]
        facts.append(("Gaps", ", ".join(gaps) if gaps else "None: every category is covered"))
    else:
        facts.append(("Coverage", "Not calculated yet"))
    facts.append(
        ("Readiness", row.readiness.headline if row.readiness else "No readiness survey results yet.")
    )
    if row.maturity:
        weakest = ", ".join(row.maturity.weakest_names)
        facts.append(
            (
                "Maturity",
                f"Median level {row.maturity.median_name.lower()}; weakest: {weakest} "
                f"(assessed {long_date(row.maturity.assessed_on)})",
            )
        )
    else:
        facts.append(("Maturity", "No maturity assessment yet"))
    report = section.latest_report
    if report:
        text = f"Due {long_date(report['due_on'])}: {report['status_label'].lower()}"
        facts.append(("Latest progress report", text + (" (overdue)" if report["overdue"] else "")))
    else:
        facts.append(("Latest progress report", "None yet"))
    conditions = section.open_conditions
    if conditions:
        overdue = section.overdue_conditions
        listed = "; ".join(
            f"{c['text'][:120]} (due {long_date(c['due_on'])}{', overdue' if c['overdue'] else ''})"
            for c in conditions
        )
        facts.append(("Open conditions", f"{len(conditions)} open, {len(overdue)} overdue: {listed}"))
    else:
        facts.append(("Open conditions", "None"))
    return facts


def filters_text(filters: Filters, pipeline: Sequence[PipelineRow]) -> str:
    """The filters applied, in words ("every HIT" when none)."""
    parts = []
    if filters.round_id:
        name = next((r.name for r in pipeline if r.round_id == filters.round_id), str(filters.round_id))
        parts.append(f"round {name}")
    if filters.status:
        parts.append(f"status {HITStatus(filters.status).label.lower()}")
    if filters.stage:
        parts.append(f"stage {LifecycleStage(filters.stage).label.lower()}")
    if filters.focus:
        parts.append(f'focus or name containing "{filters.focus}"')
    if filters.organisation:
        parts.append(f'organisation containing "{filters.organisation}"')
    return "HITs filtered by " + "; ".join(parts) if parts else "Every HIT"


# --- PDF ---------------------------------------------------------------------------------------------


def build_pdf(data: BoardPack, *, pipeline: Sequence[PipelineRow], summaries: dict[str, str]) -> bytes:
    """The pack as a PDF (reporting.domain.pack_pdf). reportlab is loaded here, when a PDF is asked
    for, not by every web process that imports this module for the printable page's facts."""
    from reporting.domain import pack_pdf

    return pack_pdf.build_pdf(data, pipeline=pipeline, summaries=summaries)
