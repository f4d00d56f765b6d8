"""Every section form of a draft application completed with the keyboard alone (no mouse, no fill)."""

from __future__ import annotations

import pytest

from accreditation.sections import SECTIONS
from teams.enums import HITStatus, MembershipRole
from tests import factories as f
from tests.factories import accreditation_applications as af

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None

pytestmark = pytest.mark.browser

# Select answers: the letters a user types on the focused <select> to jump to the option.
SELECT_KEYS = {
    "director": ("Yara", "Yara Keyboard"),
    "executive_sponsor": ("Zed", "Zed Sponsor"),
    "host_organisation": ("Zyx", "Zyx Keyboard Trust"),
    "steering_cadence": ("Q", "quarterly"),
    "dsa_status": ("S", "signed"),
}


def _tab_to(page, name: str, limit: int = 120) -> None:
    """Press Tab until the field called `name` (or, for None, the Save button) has the focus."""
    test = (
        "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Save'"
        if name is None
        else f"el => el.name === '{name}'"
    )
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {name or 'the Save button'}")


def test_every_section_completed_with_the_keyboard_alone(open_session):
    hit = f.HITFactory(name="Keyboard HIT", slug="keyboard-hit", status=HITStatus.ACTIVE)
    user = f.UserFactory(full_name="Yara Keyboard")
    person = f.PersonFactory(user=user, full_name="Yara Keyboard", email=user.email)
    f.MembershipFactory(hit=hit, person=person, role=MembershipRole.DIRECTOR)
    f.PersonFactory(full_name="Zed Sponsor")
    f.OrganisationFactory(name="Zyx Keyboard Trust")
    application = af.ApplicationFactory(hit=hit)

    s = open_session(user)
    page = s.page
    for section in SECTIONS:
        if section.form_class is None:  # the stakeholder table is edited as rows, not a form
            continue
        s.goto(f"/accreditation/applications/{application.pk}/sections/{section.key}/")
        # Start from the top of the page, as a keyboard user arriving on it does.
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
        # Governance's host unit lives on the Application, so it is not in VALID_SECTION_DATA.
        answers = {"host_unit": "Research and innovation", **af.VALID_SECTION_DATA[section.key]}
        for name in section.form_class.base_fields:
            _tab_to(page, name)
            if name in SELECT_KEYS:
                letters, value = SELECT_KEYS[name]
                page.keyboard.type(letters)
                chosen = page.evaluate("() => document.activeElement.selectedOptions[0].textContent.trim()")
                selected = page.evaluate("() => document.activeElement.value")
                if not selected.isdigit():
                    assert selected == value, f"{name}: {chosen}"
                else:
                    assert chosen.startswith(value), f"{name}: {chosen}"
            else:
                page.keyboard.type(answers[name])
        _tab_to(page, None)
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        expect(page.locator("body")).to_contain_text(
            f"'{section.title}' was saved. This section is complete."
        )
        mark = page.get_by_role("status").filter(has_text="This section has everything the panel needs.")
        expect(mark.locator(".badge")).to_have_text("Complete")

    s.goto(f"/accreditation/applications/{application.pk}/")
    for section in SECTIONS:
        if section.form_class is not None:
            assert application.sections.get(key=section.key).is_complete, section.key
    assert not s.errors
