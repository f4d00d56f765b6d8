"""Every section form of a draft application completed with the keyboard alone (no mouse, no fill)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accreditation.domain.sections import SECTIONS
from accreditation.forms.applications import DEPTH_CHOICES
from teams.enums import HITStatus, MembershipRole
from teams.forms.lookup import THROTTLED_MESSAGE
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


def _tab_to_control(page, test: str, what: str, limit: int = 160) -> None:
    """Press Tab until the focused element passes the JavaScript predicate `test`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {what}")


def _tab_to(page, name: str | None) -> None:
    """Press Tab until the field called `name` (or, for None, the Save button) has the focus."""
    if name is None:
        _tab_to_control(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Save'", "Save")
    else:
        _tab_to_control(page, f"el => el.name === '{name}'", name)


def _director_of_new_hit(hit_name: str, slug: str, full_name: str):
    """An active HIT and its director's login."""
    hit = f.HITFactory(name=hit_name, slug=slug, status=HITStatus.ACTIVE)
    user = f.UserFactory(full_name=full_name)
    person = f.PersonFactory(user=user, full_name=full_name, email=user.email)
    f.MembershipFactory(hit=hit, person=person, role=MembershipRole.DIRECTOR)
    return hit, user


def test_every_section_completed_with_the_keyboard_alone(open_session):
    hit, user = _director_of_new_hit("Keyboard HIT", "keyboard-hit", "Yara Keyboard")
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


def test_stakeholder_table_rows_added_edited_and_removed_with_the_keyboard_alone(open_session):
    hit, user = _director_of_new_hit("Keyboard Table HIT", "keyboard-table-hit", "Yara Table")
    f.OrganisationFactory(name="Zyx Table Trust")
    f.OrganisationFactory(name="Zorba Table Council")
    category = f.StakeholderCategoryFactory(name="Zeta patients")
    application = af.ApplicationFactory(hit=hit)

    s = open_session(user)
    page = s.page
    table_url = f"/accreditation/applications/{application.pk}/stakeholders/"

    def add_row(organisation_letters: str | None, stakeholder: str, role: str, outcome: str) -> None:
        s.goto(table_url)
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
        if organisation_letters:
            _tab_to(page, "organisation")
            page.keyboard.type(organisation_letters)
        else:
            _tab_to(page, "stakeholder")
            page.keyboard.type(stakeholder)
        _tab_to(page, "category")
        page.keyboard.type("Zeta")
        _tab_to(page, "role")
        page.keyboard.type(role)
        _tab_to(page, "outcome")
        page.keyboard.type(outcome)
        _tab_to(page, "depth")
        page.keyboard.press("End")  # the deepest level of involvement
        _tab_to_control(
            page,
            "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Add to the table'",
            "the Add button",
        )
        with page.expect_navigation():
            page.keyboard.press("Enter")

    add_row("Zyx", "", "Co-designs the pathway", "Fewer admissions")
    expect(page.locator("body")).to_contain_text("Zyx Table Trust was added to the table.")
    add_row("Zorba", "", "Commissions the service", "A funded pathway")
    add_row(None, "Carers' forum", "Reviews the leaflets", "Plain-English leaflets")
    expect(page.get_by_role("table")).to_contain_text("Carers' forum")
    rows = list(
        application.stakeholder_rows.order_by("pk").values_list("stakeholder", "category_id", "depth")
    )
    assert len(rows) == 3
    assert all(cat == category.pk for _, cat, _ in rows)
    assert {depth for _, _, depth in rows} == {max(value for value, _ in DEPTH_CHOICES)}

    # Change a row: Tab to its Edit link, Enter, change the outcome, save.
    s.goto(table_url)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    _tab_to_control(
        page,
        "el => el.tagName === 'A' && el.textContent.trim().startsWith('Edit') "
        "&& el.textContent.includes('Carers')",
        "the Edit link of the carers' forum",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "outcome")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Leaflets carers wrote")
    _tab_to_control(page, "el => el.tagName === 'BUTTON' && el.type === 'submit'", "the Save button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("table")).to_contain_text("Leaflets carers wrote")

    # Remove a row: Tab to its Remove button, Enter, confirm.
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    _tab_to_control(
        page,
        "el => el.tagName === 'BUTTON' && el.textContent.includes('Remove') "
        "&& el.textContent.includes('Zorba')",
        "the Remove button of the council",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("The row was removed from the table.")
    expect(page.get_by_role("table")).not_to_contain_text("Zorba Table Council")

    assert list(
        application.stakeholder_rows.order_by("pk").values_list(
            "organisation__name", "stakeholder", "outcome"
        )
    ) == [
        ("Zyx Table Trust", "", "Fewer admissions"),
        (None, "Carers' forum", "Leaflets carers wrote"),
    ]
    assert not s.errors


def test_director_found_in_a_large_directory_by_typing_then_chosen_with_the_keyboard(open_session, settings):
    settings.DIRECTORY_SELECT_FULL_MAX = 2  # the directory counts as large: a search box, a short list
    settings.DIRECTORY_LOOKUP_LIMIT = 3
    hit, user = _director_of_new_hit("Lookup HIT", "lookup-hit", "Yara Lookup")
    for name in ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Grace Kelly", "Mary Seacole"):
        f.PersonFactory(full_name=name)
    seacole = f.PersonFactory(full_name="Mary Seacole-Grant")
    application = af.ApplicationFactory(hit=hit)

    s = open_session(user)
    page = s.page
    s.goto(f"/accreditation/applications/{application.pk}/sections/governance/")
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    director = page.locator("#id_director")
    expect(director.locator("option")).to_have_count(4)  # the empty choice and the first three

    _tab_to(page, "director__q")
    page.keyboard.type("seacole grant")
    expect(page.locator("#id_director__status")).to_have_text(
        "1 person matches “seacole grant”: choose from the list."
    )
    expect(director.locator("option")).to_have_text(["Choose from the 1 shown", "Mary Seacole-Grant"])
    _tab_to(page, "director")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.value") == str(seacole.pk)

    _tab_to(page, None)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("'Governance' was saved.")
    application.refresh_from_db()
    assert application.director == seacole
    expect(director.locator("option:checked")).to_have_text("Mary Seacole-Grant")
    assert not s.errors


def test_directory_search_over_the_limit_says_to_wait_and_keeps_the_list(open_session, settings):
    settings.DIRECTORY_SELECT_FULL_MAX = 2
    settings.DIRECTORY_LOOKUP_LIMIT = 3
    settings.DIRECTORY_LOOKUPS_PER_MINUTE = 1
    cache.clear()  # the live server shares this process's cache
    hit, user = _director_of_new_hit("Busy HIT", "busy-hit", "Yuri Busy")
    for name in ("Ada Lovelace", "Grace Hopper", "Grace Kelly", "Mary Seacole"):
        f.PersonFactory(full_name=name)
    application = af.ApplicationFactory(hit=hit)

    s = open_session(user)
    page = s.page
    s.goto(f"/accreditation/applications/{application.pk}/sections/governance/")
    search = page.locator('[name="director__q"]')
    status = page.locator("#id_director__status")
    search.fill("grace")
    expect(status).to_have_text("2 people match “grace”: choose from the list.")

    search.fill("seacole")

    expect(status).to_have_text(THROTTLED_MESSAGE)
    expect(page.locator("#id_director option")).to_have_text(
        ["Choose from the 2 shown", "Grace Hopper", "Grace Kelly"]
    )
    # The browser reports the 429 itself; nothing else may go wrong on the page.
    assert [error for error in s.errors if "429" not in error] == []
