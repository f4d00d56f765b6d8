"""The board report pack: the printable page and the PDF (reportlab, written uncompressed so the
tests can read its text), one section per HIT, the filters, and a constant number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from reporting.domain import pack
from reporting.selectors.board import board_pack
from reporting.selectors.portfolio import Filters, pipeline_by_round
from teams.enums import HITStatus, LifecycleStage
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories.accreditation import RoundFactory
from tests.factories.accreditation_panel import AccreditationFactory, ConditionFactory, DecisionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)
PACK = reverse("reporting:board-pack")
PDF = reverse("reporting:board-pack-pdf")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def board_client(client, board_member):
    client.force_login(board_member)
    return client


def _pdf_text(content: bytes) -> str:
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content)
    return " ".join(re.sub(r"\\(.)", r"\1", s.decode("latin-1")) for s in strings)


@pytest.fixture
def stroke():
    """An active HIT with every kind of record the pack summarises."""
    hit = f.HITFactory(
        name="Stroke HIT",
        focus="Stroke rehabilitation",
        status=HITStatus.ACTIVE,
        stage=LifecycleStage.PLANNING,
    )
    ef.CoverageScoreFactory(
        hit=hit,
        degrees=257.1,
        weighted=0.62,
        commissioner_in_leadership=False,
        category_depths={"PROV": 3, "COMM": 0},
        gaps=[
            {"code": "COMM", "name": "Commissioners", "stressed": True},
            {"code": "STAFF", "name": "Staff"},
        ],
    )
    wave = ef.WaveFactory(hit=hit, title="Spring survey", opens_on=datetime.date(2026, 2, 1), released=True)
    ef.ReadinessResultFactory(wave=wave, dimension="trust", score=71.25, level=3)
    ef.ReadinessResultFactory(wave=wave, dimension="faith", score=40.0, level=2)
    ef.ReadinessResultFactory(
        wave=wave,
        dimension="capacity",
        n=2,
        suppressed=True,
        score=None,
        mean=None,
        sd=None,
        pct_agree=None,
        level=None,
    )
    assessment = ef.MaturityAssessmentFactory(hit=hit, assessed_on=datetime.date(2026, 1, 20))
    for element, level in [("trust", 2), ("faith", 1), ("clarity", 3)]:
        ef.MaturityRatingFactory(assessment=assessment, element=element, level=level)
    rf.ProgressReportFactory(hit=hit, accepted=True, due_on=datetime.date(2025, 8, 1))
    rf.ProgressReportFactory(hit=hit, due_on=datetime.date(2026, 2, 1))
    decision = DecisionFactory(application__hit=hit)
    AccreditationFactory(
        decision=decision, valid_from=datetime.date(2023, 6, 1), valid_until=datetime.date(2026, 5, 31)
    )
    ConditionFactory(decision=decision, text="Appoint a PPI lead.", due_on=datetime.date(2026, 2, 1))
    ConditionFactory(decision=decision, text="Agree terms of reference.", due_on=datetime.date(2026, 6, 1))
    return hit


def test_section_facts_of_a_hit(stroke):
    data = board_pack(filters=Filters(), today=TODAY)

    (section,) = data.sections
    assert pack.section_facts(section) == [
        ("Status", "Active"),
        ("Life-cycle stage", "Planning"),
        ("Coverage", "257 of 360 degrees; depth-weighted 62%; commissioner in leadership: no"),
        ("Gaps", "Commissioners (often missing), Staff"),
        (
            "Readiness",
            "Spring survey (opened 1 Feb 2026): 2 of 3 dimensions reported; strongest Trust (71), "
            "weakest Faith (40); suppressed (fewer than 5 responses): Capacity (time and resources).",
        ),
        ("Maturity", "Median level bureaucratic; weakest: Faith (assessed 20 January 2026)"),
        ("Latest progress report", "Due 1 February 2026: draft (overdue)"),
        (
            "Open conditions",
            "2 open, 1 overdue: Appoint a PPI lead. (due 1 February 2026, overdue); "
            "Agree terms of reference. (due 1 June 2026)",
        ),
    ]


def test_section_facts_of_a_hit_without_records():
    f.HITFactory(name="New HIT")

    (section,) = board_pack(filters=Filters(), today=TODAY).sections

    assert dict(pack.section_facts(section)) == {
        "Status": "Proposed",
        "Life-cycle stage": "Contemplating",
        "Coverage": "Not calculated yet",
        "Readiness": "No readiness survey results yet.",
        "Maturity": "No maturity assessment yet",
        "Latest progress report": "None yet",
        "Open conditions": "None",
    }


def test_the_printable_pack_has_the_figures_and_one_section_per_hit(board_client, stroke):
    f.HITFactory(name="Another HIT")

    response = board_client.get(PACK)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="pack-section') == 2
    assert html.index('">Another HIT <span') < html.index('">Stroke HIT <span')  # by name
    assert "Overdue progress reports: 1" in html
    assert "Overdue accreditation conditions: 1" in html
    assert "Accreditations ending within 6 months: 1" in html
    assert "2 HITs by status: 1 proposed and 1 active." in html
    assert "Spring survey (opened 1 Feb 2026)" in html
    assert 'media="print"' in html
    assert html.count("<h1") == 1


def test_the_pdf_is_a_pdf_attachment_named_with_the_date(board_client, stroke):
    response = board_client.get(PDF)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="board-pack-2026-03-02.pdf"'
    assert response.content.startswith(b"%PDF")


def test_the_pdf_has_the_same_content_as_the_page(board_client, stroke):
    text = _pdf_text(board_client.get(PDF).content)

    assert "Board report pack" in text
    assert "Every HIT, as of 2 March 2026." in text
    assert "Stroke HIT: Stroke rehabilitation" in text
    for label, fact in pack.section_facts(board_pack(filters=Filters(), today=TODAY).sections[0]):
        assert label in text
        assert fact.split(";")[0] in text
    assert "Overdue progress reports: 1" in text
    assert "Accreditations ending within 6 months: 1" in text
    assert "2026 Q1" in text


def test_the_pack_follows_the_dashboards_filters(board_client, stroke):
    f.HITFactory(name="Proposed HIT")

    html = board_client.get(PACK, {"status": "active"}).content.decode()
    text = _pdf_text(board_client.get(PDF, {"status": "active"}).content)

    assert "Stroke HIT" in html and "Proposed HIT" not in html
    assert "HITs filtered by status active, as of" in html
    assert "Stroke HIT" in text and "Proposed HIT" not in text


def test_the_pack_and_its_pdf_carry_the_filter_from_the_dashboard(board_client):
    html = board_client.get(reverse("reporting:board-dashboard"), {"status": "active"}).content.decode()

    assert f'href="{PACK}?status=active"' in html
    assert f'href="{PDF}?status=active"' in html


def test_an_empty_programme_still_makes_a_pack(board_client):
    response = board_client.get(PDF)

    assert response.content.startswith(b"%PDF")
    assert "No HIT matches." in _pdf_text(response.content)


def test_filters_text_names_every_filter():
    round_ = RoundFactory(name="Round 2026")
    rows = pipeline_by_round()

    text = pack.filters_text(
        Filters(round_id=round_.pk, status="active", stage="planning", focus="pain", organisation="NBT"), rows
    )

    assert text == (
        'HITs filtered by round Round 2026; status active; stage planning; focus or name containing "pain"; '
        'organisation containing "NBT"'
    )


def _many(n: int) -> None:
    round_ = RoundFactory()
    for i in range(n):
        hit = f.HITFactory(name=f"Pack {i:02d}", status=HITStatus.ACTIVE)
        ef.CoverageScoreFactory(hit=hit, gaps=[{"name": "Commissioners", "stressed": True}])
        wave = ef.WaveFactory(hit=hit, released=True)
        ef.ReadinessResultFactory(wave=wave, dimension="trust", score=60.0 + i)
        assessment = ef.MaturityAssessmentFactory(hit=hit)
        ef.MaturityRatingFactory(assessment=assessment, element="trust", level=2)
        rf.ProgressReportFactory(hit=hit, due_on=datetime.date(2026, 2, 1))
        decision = DecisionFactory(application__hit=hit, application__round=round_)
        ConditionFactory(decision=decision, due_on=datetime.date(2026, 2, 1))


@pytest.mark.parametrize("url", [PACK, PDF])
@pytest.mark.parametrize("hits", [1, 30])
def test_the_pack_query_count_does_not_grow(board_client, django_assert_num_queries, url, hits):
    _many(hits)

    # session + user + 3 role lookups, then: pipeline, the HITs with their coverage, categories,
    # readiness results, maturity ratings, latest reports, open conditions, status and stage counts,
    # overdue reports, overdue conditions, renewals, trends.
    with django_assert_num_queries(17):
        response = board_client.get(url)

    assert response.status_code == 200
