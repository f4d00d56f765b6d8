"""User journeys in a real browser: each step as the user does it, checking what the user sees."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accreditation.enums import PanelRole
from engagement.services import surveys as services_surveys
from teams.enums import HITStatus, MembershipRole
from teams.models import HIT
from tests import factories as f
from tests.factories import accreditation_applications as aaf
from tests.factories import accreditation_panel as apf
from tests.factories import engagement as ef

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None


def _panel_application(panel, hit):
    """An application under review in the panel's round (as tests/accreditation/test_views_panel.py)."""
    HIT.objects.filter(pk=hit.pk).update(status=HITStatus.IN_APPLICATION)
    application = apf.PanelApplicationFactory(hit=hit, round=panel.round)
    apf.PanelRevisionFactory(application=application)
    return application


def test_eoi_submitted_then_invited_gives_the_applicant_an_application_draft(
    open_session, applicant, programme_manager, panel
):
    round_ = panel.round
    you = open_session(applicant)
    you.goto(f"/accreditation/rounds/{round_.pk}/eoi/new/")
    you.fill(
        working_title="Frailty at home",
        problem="Older people wait too long for joined-up care at home.",
        boundaries="Acute trust, community services and social care.",
        proposed_director="Alex Applicant, North Bristol Trust",
        **{
            "partners-0-organisation_name": "North Bristol Trust",
            "partners-1-organisation_name": "Bristol City Council",
        },
    )
    categories = you.page.locator('select[name="partners-0-category"] option:not([value=""])')
    you.page.select_option('select[name="partners-0-category"]', index=1)
    you.page.select_option('select[name="partners-1-category"]', index=min(2, categories.count()))
    you.page.get_by_role("button", name="Save").first.click()
    expect(you.page.get_by_role("heading", level=1)).to_contain_text("Frailty at home")
    you.page.get_by_role("button", name="Submit").first.click()
    expect(you.page.locator("body")).to_contain_text("Submitted")
    eoi_url = you.page.url

    manager = open_session(programme_manager)
    manager.goto(eoi_url)
    manager.page.get_by_role("button", name="Invite").first.click()
    expect(manager.page.locator("body")).to_contain_text("was invited to apply")

    you.goto("/")
    you.page.get_by_role("link", name="Frailty at home").first.click()
    expect(you.page.locator("body")).to_contain_text("Draft")
    assert not you.errors


def test_reviewer_declares_a_conflict_and_is_kept_from_the_review(open_session, reviewer, panel, hit):
    application = _panel_application(panel, hit)
    assignment = apf.ReviewAssignmentFactory(application=application, reviewer=reviewer)

    s = open_session(reviewer)
    s.goto(f"/accreditation/assignments/{assignment.pk}/declare/")
    s.fill(declaration="declared")
    s.fill(note="I sit on the board of one of the partner organisations.")
    s.page.get_by_role("button", name="Send my declaration").click()
    s.page.wait_for_load_state()

    response = s.page.goto(f"/accreditation/assignments/{assignment.pk}/review/")
    assert response.status == 403
    expect(s.page.locator("main")).to_contain_text("conflict")


def test_chair_records_a_decision_and_sees_the_outcome(open_session, chair, panel, hit):
    application = _panel_application(panel, hit)
    aaf.complete_application(application)
    for _ in range(panel.round.reviewers_per_application):
        user = f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user
        apf.submitted_review(
            apf.ReviewAssignmentFactory(application=application, reviewer=user, declared_none=True), 2
        )

    s = open_session(chair)
    s.goto(f"/accreditation/applications/{application.pk}/decide/")
    s.fill(outcome="accredit", rationale="A strong team with committed partners.")
    s.page.get_by_role("button", name="Record the decision").click()
    expect(s.page.locator("body")).to_contain_text("The decision was recorded")
    expect(s.page.locator("main")).to_contain_text("already accredited")
    assert not s.errors


def test_ppi_facilitator_logs_an_involvement_activity(open_session, ppi_facilitator, hit):
    s = open_session(ppi_facilitator)
    s.goto(f"/engagement/hits/{hit.pk}/ppi/activities/new/")
    s.fill(
        happened_on=(timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        activity_type="workshop",
        description="Co-design workshop on discharge letters",
        patients="4",
        carers="2",
        public="0",
        hours="12",
        level="coproduce",
        decision_forum="hit_leadership",
        impact="Redesigned the discharge letter.",
        recognition="payment",
    )
    s.page.locator("main form button[type=submit]").last.click()
    expect(s.page.locator("body")).to_contain_text("The activity was added to the PPI log.")
    expect(s.page.locator("main")).to_contain_text("Co-design workshop on discharge letters")
    assert s.page.url.endswith(f"/engagement/hits/{hit.pk}/ppi/")


def test_survey_answered_on_a_phone_through_a_one_time_link(open_session, hit):
    instrument = ef.InstrumentFactory()
    for position, (code, dimension) in enumerate([("TR1", "trust"), ("CA1", "capacity")], start=1):
        ef.ItemFactory(instrument=instrument, code=code, dimension=dimension, position=position)
    wave = ef.WaveFactory(hit=hit, instrument=instrument, title="Baseline 2026")
    organisation = f.OrganisationFactory(name="Bristol City Council")
    ef.StakeholderFactory(hit=hit, organisation=organisation)
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))

    s = open_session(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    s.goto(f"/engagement/survey/{token}/")
    for _ in range(2):
        expect(s.page.locator("main")).to_contain_text("Section")
        radio_id = s.page.locator('main input[type="radio"][value="4"]').first.get_attribute("id")
        s.page.locator(f'label[for="{radio_id}"]').tap()  # the answer's label is its touch target
        s.page.locator('button[name="action"][value="next"]').click()
    expect(s.page.locator("main")).to_contain_text("Last step: about you")
    s.fill(organisation=str(organisation.pk), role_group="clinical")
    s.page.locator('button[name="action"][value="submit"]').click()
    expect(s.page.locator("main")).to_contain_text("Your answers to Baseline 2026 have been received.")
    width = s.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_board_dashboard_draws_every_chart_without_console_errors(open_session, board_member):
    for name in ("Dementia HIT", "Pain HIT", "Frailty HIT"):
        hit = f.HITFactory(name=name, status=HITStatus.ACTIVE)
        director = f.PersonFactory()
        f.MembershipFactory(hit=hit, person=director, role=MembershipRole.DIRECTOR)

    s = open_session(board_member)
    s.goto("/reporting/dashboard/")
    canvases = s.page.locator("canvas")
    canvases.first.wait_for()
    s.page.wait_for_function("() => [...document.querySelectorAll('canvas')].every(c => Chart.getChart(c))")
    charts = s.page.evaluate(
        "() => [...document.querySelectorAll('canvas')].map(c => ({"
        "id: c.id || c.dataset.chart, width: c.getBoundingClientRect().width,"
        " drawn: Chart.getChart(c) !== undefined && Chart.getChart(c) !== null}))"
    )
    assert charts, "the dashboard has no charts"
    assert all(c["width"] > 0 and c["drawn"] for c in charts), charts
    # The live server serves the vendored assets through the staticfiles finders.
    loaded = s.page.evaluate("() => [typeof bootstrap, typeof htmx, typeof Chart]")
    assert loaded == ["object", "object", "function"]
    assert s.errors == []
