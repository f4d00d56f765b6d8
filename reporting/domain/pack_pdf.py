"""The board report pack as a PDF (reportlab): the facts of reporting.domain.pack laid out in
tables. Imported by pack.build_pdf when a PDF is asked for."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import CondPageBreak, Flowable

from reporting.domain.pack import TITLE, filters_text, long_date, section_facts
from reporting.selectors.board import BoardPack
from reporting.selectors.portfolio import Listing, PipelineRow, ValuesRow


class _Styles:
    def __init__(self) -> None:
        base = getSampleStyleSheet()
        self.title = base["Title"]
        self.h1 = ParagraphStyle("h1", parent=base["Heading1"], fontSize=15, spaceBefore=8, spaceAfter=4)
        self.h2 = ParagraphStyle("h2", parent=base["Heading2"], fontSize=12, spaceBefore=8, spaceAfter=3)
        self.body = ParagraphStyle("body", parent=base["BodyText"], fontSize=9, leading=11.5)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=10.5, spaceBefore=0)
        self.head = ParagraphStyle("head", parent=self.cell, fontName="Helvetica-Bold")


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0a6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)
FACTS = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0a6")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)


def _table(
    header: Sequence[str], rows: Sequence[Sequence[object]], styles: _Styles, widths: Sequence[float]
) -> Table:
    data = [[_p(h, styles.head) for h in header]]
    data += [[_p(str(value), styles.cell) for value in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    return table


def _listing(
    listing: Listing,
    empty: str,
    columns: Sequence[str],
    row_of: Callable[[ValuesRow], Sequence[object]],
    styles: _Styles,
    widths: Sequence[float],
) -> list[Flowable]:
    if not listing.total:
        return [_p(empty, styles.body)]
    story: list[Flowable] = [_table(columns, [row_of(r) for r in listing.rows], styles, widths)]
    if listing.more:
        story.append(_p(f"And {listing.more} more.", styles.body))
    return story


def build_pdf(data: BoardPack, *, pipeline: Sequence[PipelineRow], summaries: dict[str, str]) -> bytes:
    """The pack as PDF bytes: the portfolio's figures, then one section per HIT."""
    styles = _Styles()
    buffer = BytesIO()
    width = A4[0] - 30 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{TITLE}, {long_date(data.today)}",
        author="HIT Portal",
        pageCompression=0,
    )
    story = [
        *_portfolio_story(data, pipeline, summaries, styles, width),
        *_attention_story(data, styles, width),
        *_trends_story(data, styles, width),
        *_hits_story(data, styles, width),
    ]
    footer = _footer(data.today)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _portfolio_story(
    data: BoardPack,
    pipeline: Sequence[PipelineRow],
    summaries: dict[str, str],
    styles: _Styles,
    width: float,
) -> list[Flowable]:
    """The title, the filters, the HITs by status and by stage, and the pipeline by round."""
    story: list[Flowable] = [
        _p(TITLE, styles.title),
        _p(
            f"{filters_text(data.filters, pipeline)}, as of {long_date(data.today)}. Figures come from the "
            "scores the portal stores; survey groups with fewer than 5 responses are never given a figure.",
            styles.body,
        ),
        _p("The portfolio", styles.h1),
        _p(summaries["status"], styles.body),
        _table(
            ["Status", "HITs"],
            [(r.label, r.count) for r in data.counts.by_status],
            styles,
            [width * 0.5, width * 0.2],
        ),
        Spacer(1, 3 * mm),
        _p(summaries["stage"], styles.body),
        _table(
            ["Life-cycle stage", "HITs"],
            [(r.label, r.count) for r in data.counts.by_stage],
            styles,
            [width * 0.5, width * 0.2],
        ),
        _p("Pipeline by round", styles.h2),
        _p(summaries["pipeline"], styles.body),
    ]
    if pipeline:
        story.append(
            _table(
                ["Round", "EOIs submitted", "Invited", "Applications", "With the panel", "Accredited"],
                [
                    (r.name, r.eois_submitted, r.eois_invited, r.applications, r.under_review, r.accredited)
                    for r in pipeline
                ],
                styles,
                [width * 0.3] + [width * 0.14] * 5,
            )
        )
    return story


def _attention_story(data: BoardPack, styles: _Styles, width: float) -> list[Flowable]:
    """Overdue progress reports, overdue accreditation conditions and renewals due."""
    story: list[Flowable] = [_p("Needs attention", styles.h1)]
    story.append(_p(f"Overdue progress reports: {data.overdue_reports.total}", styles.h2))
    story += _listing(
        data.overdue_reports,
        "No progress report is overdue.",
        ["HIT", "Due on", "Status"],
        lambda r: (r["hit__name"], long_date(r["due_on"]), r["status"].replace("_", " ")),
        styles,
        [width * 0.5, width * 0.25, width * 0.25],
    )
    story.append(_p(f"Overdue accreditation conditions: {data.overdue_conditions.total}", styles.h2))
    story += _listing(
        data.overdue_conditions,
        "No accreditation condition is overdue.",
        ["HIT", "Condition", "Due on"],
        lambda r: (r["decision__application__hit__name"], r["text"][:200], long_date(r["due_on"])),
        styles,
        [width * 0.3, width * 0.5, width * 0.2],
    )
    story.append(_p(f"Accreditations ending within 6 months: {data.renewals.total}", styles.h2))
    story += _listing(
        data.renewals,
        "No accreditation ends within the next 6 months.",
        ["HIT", "Valid until", "Renewal"],
        lambda r: (
            r["hit__name"],
            long_date(r["valid_until"]),
            "started" if r["renewal_started"] else "not started",
        ),
        styles,
        [width * 0.5, width * 0.25, width * 0.25],
    )
    return story


def _trends_story(data: BoardPack, styles: _Styles, width: float) -> list[Flowable]:
    """The quarterly trends as one table."""
    return [
        _p("Trends per quarter", styles.h1),
        _table(
            [
                "Quarter",
                "Average coverage (degrees)",
                "Map snapshots",
                "Average readiness (0-100)",
                "Waves",
                "HITs (active)",
            ],
            [
                (
                    cov.label,
                    "no data" if cov.average is None else f"{cov.average:.0f}",
                    cov.points,
                    "no data" if ready.average is None else f"{ready.average:.1f}",
                    ready.points,
                    "no snapshot" if hits.taken_on is None else f"{hits.total} ({hits.active})",
                )
                for cov, ready, hits in zip(
                    data.trends.coverage, data.trends.readiness, data.trends.portfolio, strict=True
                )
            ],
            styles,
            [width * 0.13, width * 0.2, width * 0.14, width * 0.2, width * 0.1, width * 0.17],
        ),
        _p(
            "HITs (active) counts the whole programme in the quarter's last nightly snapshot, and in "
            "the current quarter as of the pack's date.",
            styles.body,
        ),
    ]


def _hits_story(data: BoardPack, styles: _Styles, width: float) -> list[Flowable]:
    """One section per HIT: its facts (section_facts) as a two-column table."""
    story: list[Flowable] = [_p(f"The HITs ({len(data.sections)})", styles.h1)]
    if not data.sections:
        story.append(_p("No HIT matches.", styles.body))
    label_width = width * 0.24
    for section in data.sections:
        facts = section_facts(section)
        story.append(CondPageBreak(40 * mm))
        story.append(_p(f"{section.hit.name}: {section.hit.focus}", styles.h2))
        table = Table(
            [[_p(label, styles.head), _p(text, styles.cell)] for label, text in facts],
            colWidths=[label_width, width - label_width],
            hAlign="LEFT",
        )
        table.setStyle(FACTS)
        story.append(table)
    return story


def _footer(today: datetime.date) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """What every page ends with: the pack's title and date, and the page number."""

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(15 * mm, 8 * mm, f"HIT Portal - {TITLE}, {long_date(today)}")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"Page {document.page}")
        canvas.restoreState()

    return footer
