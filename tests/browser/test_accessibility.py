"""axe-core (vendored) on every main page: no serious or critical violations; a form by keyboard alone."""

from __future__ import annotations

import datetime
import json

from django.utils import timezone

from accreditation.models import ExpressionOfInterest
from demo.data_directory import DEMO_PASSWORD
from demo.loader import load_demo
from engagement.models import Invitation, Wave
from engagement.services import surveys as services_surveys
from teams.enums import HITStatus, MembershipRole
from teams.models import HIT, User
from tests import factories as f
from tests.factories import accreditation_applications as af
from tests.factories import engagement as ef

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None


def _demo_login(session, email: str) -> None:
    page = session.page
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=False).first.fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"


def _open_wave_token() -> str:
    today = timezone.localdate()
    wave = Wave.objects.filter(opens_on__lte=today, closes_on__gte=today).first()
    if wave is None:
        wave = ef.WaveFactory(opens_on=today, closes_on=today + datetime.timedelta(days=14))
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))
    assert Invitation.objects.filter(wave=wave).exists()
    return token


def _draft_application():
    """A draft application of a new HIT, and its director (who may edit it)."""
    hit = f.HITFactory(name="Browser HIT", slug="browser-hit", status=HITStatus.ACTIVE)
    director = f.UserFactory(full_name="Bo Director")
    person = f.PersonFactory(user=director, full_name=director.full_name, email=director.email)
    f.MembershipFactory(hit=hit, person=person, role=MembershipRole.DIRECTOR)
    return af.ApplicationFactory(hit=hit), director


def test_main_pages_have_no_serious_or_critical_axe_violations(open_session):
    load_demo()
    hit = HIT.objects.filter(slug="dementia").first() or HIT.objects.first()
    application, editor = _draft_application()
    eoi = ExpressionOfInterest.objects.filter(author__email="applicant@example.org").order_by("pk")
    pages = {
        None: ["/accounts/login/", f"/engagement/survey/{_open_wave_token()}/"],
        "pm@example.org": [
            "/",
            "/teams/hits/",
            f"/teams/hits/{hit.pk}/",
            f"/accreditation/applications/{application.pk}/",
            f"/engagement/hits/{hit.pk}/stakeholders/",
            f"/engagement/hits/{hit.pk}/coverage/",
            f"/engagement/hits/{hit.pk}/ppi/",
            "/reporting/reports/",
        ],
        "director@example.org": ["/"],
        "reviewer@example.org": ["/"],
        "board@example.org": ["/", "/reporting/dashboard/"],
        "applicant@example.org": ["/accreditation/eoi/", f"/accreditation/eoi/{eoi.last().pk}/edit/"],
    }
    found = {}
    for email, paths in [
        *pages.items(),
        (editor, [f"/accreditation/applications/{application.pk}/sections/aims/"]),
    ]:
        session = open_session()
        if isinstance(email, User):
            session.login(email)
            email = email.email
        elif email:
            _demo_login(session, email)
        for path in paths:
            session.goto(path)
            violations = session.axe_violations()
            if violations:
                found[f"{email or 'anonymous'} {path}"] = [
                    {
                        "id": v["id"],
                        "impact": v["impact"],
                        "help": v["help"],
                        "nodes": [n["html"][:200] for n in v["nodes"][:5]],
                    }
                    for v in violations
                ]
        session.close()
    assert not found, json.dumps(found, indent=2)


def _tab_to(page, test: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes the JS test (`el => ...`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {test}")


def test_application_section_completed_with_the_keyboard_alone(open_session):
    application, director = _draft_application()
    s = open_session(director)
    s.goto(f"/accreditation/applications/{application.pk}/sections/aims/")
    answers = {
        "aims": "Fewer crisis admissions for people living with dementia.",
        "problem": "Care at home falls apart at weekends.",
        "boundaries": "Acute trust, community services and social care.",
    }
    for name, text in answers.items():
        _tab_to(s.page, f"el => el.name === '{name}'")
        s.page.keyboard.type(text)
    _tab_to(s.page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Save'")
    s.page.keyboard.press("Enter")
    s.page.wait_for_load_state()

    expect(s.page.locator("body")).to_contain_text("saved")
    s.goto(f"/accreditation/applications/{application.pk}/sections/aims/")
    for name, text in answers.items():
        expect(s.page.locator(f'[name="{name}"]')).to_have_value(text)
