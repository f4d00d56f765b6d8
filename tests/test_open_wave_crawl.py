"""No page, export or API answer shows a result of a readiness wave that is still open.

A HIT's wave is open and answered by seven people. Result rows with a distinctive score are also
planted for it, as if something had stored them early (an old release of the portal did, after
every answer): nothing may show them. Each persona who may see the HIT's engagement then walks every
page it can reach by following links from its home page and the HIT's pages, and asks for every
export and every API endpoint. No answer may carry the planted figure in any form (94 rounded,
93.8, 93.827...), a shown readiness level, or a readiness block in the API.

The same crawl after the wave is released finds the figure: the crawl can see what it looks for.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagement.models import ReadinessResult, Wave
from engagement.services import surveys as services_surveys
from engagement.services.surveys import AboutYou
from reporting.services import reports as reporting_services
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories import reporting as rf

PLANTED_SCORE = 93.827161
# The planted score as any page, export or API might show it: 94, 93.8, 93.83, 93.827161 - but not
# inside a word, a path, an attribute value or a longer number (a token, "/hits/94/", "0.94").
FIGURE = re.compile(r'(?<![\w./="#-])9[34](?:\.\d+)?(?![\w]|\.\d)')
# A heat-map cell coloured by a readiness level (the legend's swatches are not cells).
SHOWN_LEVEL = re.compile(r'<td[^>]*class="[^"]*\breadiness-[123]\b')
PERSONAS = ["director", "board_member", "programme_manager"]
MAX_PAGES = 160
NOT_FOLLOWED = ("/accounts/logout/", "/admin/", "/static/", "/media/", "/engagement/survey/")


def _pdf_text(content: bytes) -> str:
    """The strings a PDF draws (the board pack is written uncompressed)."""
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content)
    return " ".join(re.sub(r"\\(.)", r"\1", s.decode("latin-1")) for s in strings)


def _text(response) -> str:
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in kind:
        return _pdf_text(body)
    if "spreadsheetml" in kind:
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            ",".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return body.decode("utf-8", errors="replace")


def _problems(text: str) -> list[str]:
    found = [match.group(0) for match in FIGURE.finditer(text)]
    found += [match.group(0) for match in SHOWN_LEVEL.finditer(text)]
    if str(PLANTED_SCORE) in text:
        found.append(str(PLANTED_SCORE))
    return found


@pytest.fixture
def open_wave(hit, director):
    """Seven answers to an open wave of the persona HIT, and planted result rows for it."""
    # Sequences far from the planted figure, so no generated name ("Round 94") looks like it.
    for model_factory in (f.RoundFactory, f.PanelFactory, f.OrganisationFactory, f.HITFactory):
        model_factory.reset_sequence(10_000)
    partners = [
        f.OrganisationFactory(name=name) for name in ("Riverside Acute Trust", "Hillside Carers Network")
    ]
    for organisation in partners:
        ef.StakeholderFactory(hit=hit, organisation=organisation)
    wave = ef.WaveFactory(
        hit=hit,
        instrument=ef.InstrumentFactory(name="Readiness pulse", is_published=True),
        title="Partner survey",
    )
    items = [
        ef.ItemFactory(instrument=wave.instrument, code=code, dimension=dimension, position=position)
        for position, (code, dimension) in enumerate([("TR1", "trust"), ("CA1", "capacity")], start=1)
    ]
    for number in range(7):
        token = services_surveys.new_token()
        ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))
        services_surveys.response_submit(
            token=token,
            about=AboutYou(organisation_id=partners[number % 2].pk, role_group="clinical"),
            answers={items[0].pk: 5, items[1].pk: 4},
        )
    for group_type, key, label in (
        ("overall", "", "All respondents"),
        ("organisation", str(partners[0].pk), partners[0].name),
        ("role", "clinical", "Clinical"),
    ):
        ef.ReadinessResultFactory(
            wave=wave,
            group_type=group_type,
            group_key=key,
            group_label=label,
            dimension="trust",
            n=12,
            score=PLANTED_SCORE,
            mean=4.753086,
            sd=0.9381,
            pct_agree=93.8,
            level=3,
        )
    report = rf.ProgressReportFactory(hit=hit)
    reporting_services.report_snapshots_save(
        actor=director, report_id=report.pk, ppi_standards=False, readiness=True, maturity=False
    )
    return wave


def _crawl(client: Client, hit, wave) -> dict[str, str]:
    """Every page reachable by links from the home page and the HIT's pages, plus every export and
    API endpoint; url -> text of the answer."""
    start = [
        reverse("home"),
        reverse("teams:hit-detail", kwargs={"pk": hit.pk}),
        reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}),
        reverse("reporting:board-dashboard"),
        reverse("reporting:board-pack"),
        reverse("reporting:board-pack-pdf"),
        reverse("engagement:wave-list", kwargs={"hit_pk": hit.pk}),
        reverse("engagement:wave-detail", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
        reverse("engagement:wave-results-export", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
        reverse("engagement:maturity-create", kwargs={"hit_pk": hit.pk}),
        reverse("engagement:coverage-detail", kwargs={"hit_pk": hit.pk}),
        reverse("reporting:report-list"),
        reverse("api:hit-list"),
        reverse("api:hit-detail", kwargs={"pk": hit.pk}),
        reverse("api:hit-scores", kwargs={"pk": hit.pk}),
        reverse("api:portfolio"),
    ]
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(NOT_FOLLOWED):
            continue
        response = client.get(url, follow=True)
        seen[url] = _text(response) if response.status_code == 200 else ""
        if "html" in response.get("Content-Type", ""):
            for link in re.findall(r'href="(/[^"#]*)"', seen[url]):
                link = link.replace("&amp;", "&")
                if link not in seen and link not in queue:
                    queue.append(link)
    # Exports of every kind (small ones are answered at once, larger ones become a job), as files.
    for kind in ("hits", "applications", "reports", "stakeholders", "readiness"):
        for file_format in ("csv", "xlsx"):
            response = client.post(
                reverse("reporting:export-create"),
                {"kind": kind, "format": file_format, "scope_hit": hit.pk, "scope_wave": wave.pk},
                follow=True,
            )
            seen[f"export {kind} {file_format}"] = _text(response) if response.status_code == 200 else ""
    return seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_answer_shows_a_result_of_an_open_wave(request, client, hit, open_wave, persona):
    client.force_login(request.getfixturevalue(persona))
    stored = ReadinessResult.objects.filter(wave=open_wave).count()

    crawled = _crawl(client, hit, open_wave)

    leaks = {url: problems for url, text in crawled.items() if (problems := _problems(text))}
    assert len(crawled) > 25  # the crawl walked the portal, not one page
    assert leaks == {}
    scores = json.loads(crawled[reverse("api:hit-scores", kwargs={"pk": hit.pk})])
    assert scores["readiness"] is None
    # Nothing was computed on the way: the wave is open, its results come once, when it closes.
    assert ReadinessResult.objects.filter(wave=open_wave).count() == stored
    open_wave.refresh_from_db()
    assert open_wave.released_at is None


def test_the_crawl_finds_the_figure_once_the_wave_is_released(client, hit, open_wave, director):
    now = timezone.now()
    Wave.objects.filter(pk=open_wave.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1), closed_at=now, released_at=now
    )
    client.force_login(director)

    crawled = _crawl(client, hit, open_wave)

    results = reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": open_wave.pk})
    assert "94" in _problems(crawled[results])
    assert _problems(crawled[reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})])
    assert json.loads(crawled[reverse("api:hit-scores", kwargs={"pk": hit.pk})])["readiness"] is not None
