"""Two people edit one application section at once: the second save is refused, shows both versions
and keeps the second person's text, and saving again is their deliberate choice."""

from __future__ import annotations

from accreditation.models import ApplicationSection
from tests import factories as f
from tests.factories import accreditation_applications as aaf

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None

THEIRS = "Fewer falls at home, saved by the director first."
MINE = "Fewer admissions after a fall, typed by the teammate."


def test_second_editor_of_a_section_sees_both_versions_keeps_their_text_and_saves_deliberately(
    open_session, director, teammate, hit
):
    application = aaf.ApplicationFactory(hit=hit, round=f.RoundFactory())
    aaf.ApplicationSectionFactory(
        application=application, key="aims", data={"aims": "First aims", "problem": "Falls", "boundaries": ""}
    )
    url = f"/accreditation/applications/{application.pk}/sections/aims/"
    first = open_session(director)
    second = open_session(teammate)
    first.goto(url)
    second.goto(url)  # both opened the same version

    first.fill(aims=THEIRS)
    first.page.get_by_role("button", name="Save", exact=True).click()
    expect(first.page.locator("body")).to_contain_text("'Aims and problem' was saved")

    second.fill(aims=MINE)
    second.page.get_by_role("button", name="Save", exact=True).click()
    panel = second.page.locator("section.edit-conflict")
    expect(panel).to_contain_text("Their version and yours")
    expect(panel.locator("tbody tr")).to_have_count(1)
    expect(panel.locator("tbody tr").first).to_contain_text(THEIRS)
    expect(panel.locator("tbody tr").first).to_contain_text(MINE)
    expect(second.page.locator("#error-summary")).to_contain_text("your changes were not saved")
    expect(second.page.locator('textarea[name="aims"]')).to_have_value(MINE)
    assert ApplicationSection.objects.get(application=application, key="aims").data["aims"] == THEIRS

    second.page.get_by_role("button", name="Save", exact=True).click()  # replacing theirs, knowingly
    expect(second.page.locator("body")).to_contain_text("'Aims and problem' was saved")
    expect(second.page.locator("section.edit-conflict")).to_have_count(0)
    expect(second.page.locator('textarea[name="aims"]')).to_have_value(MINE)
    assert ApplicationSection.objects.get(application=application, key="aims").data["aims"] == MINE
    # Chromium reports every non-2xx page in the console: the 409 is the refusal itself, nothing broke.
    assert (first.errors, [e for e in second.errors if "409 (Conflict)" not in e]) == ([], [])
