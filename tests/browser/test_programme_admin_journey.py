"""The programme manager's administration pages in the browser, as a user with that role alone: a
round, its panel and seats (a reviewer replaced), a programme role granted and revoked, a login
created with its invitation, a theme added to a vocabulary and edited; each step then found in the
audit log. Every page of the journey has no serious or critical axe-core violation and a clean
console."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from accreditation.enums import PanelRole
from accreditation.models import Panel, PanelMember, Round
from teams.enums import ProgrammeRole
from teams.models import RoleAssignment, Theme, User
from tests import factories as f

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None

pytestmark = pytest.mark.browser


def test_programme_manager_runs_rounds_panels_roles_logins_and_vocabularies(open_session):
    pm = f.UserFactory(email="pm@example.org", full_name="Pat Manager")
    f.RoleAssignmentFactory(user=pm, role=ProgrammeRole.PROGRAMME_MANAGER)
    assert not pm.is_superuser and not pm.is_staff

    def person_with_login(name: str, email: str):
        user = f.UserFactory(full_name=name, email=email)
        return f.PersonFactory(user=user, full_name=name, email=email)

    chair = person_with_login("Chris Chair", "chair@example.org")
    rita = person_with_login("Rita Reviewer", "rita@example.org")
    rob = person_with_login("Rob Reviewer", "rob@example.org")
    lay = person_with_login("Lee Lay", "lee@example.org")
    bea = person_with_login("Bea Board", "bea@example.org")
    newcomer = f.PersonFactory(full_name="Nora Newcomer", email="nora@example.org")

    you = open_session(pm)
    page = you.page
    violations: dict[str, list] = {}

    def check_page() -> None:
        found = you.axe_violations()
        if found:
            violations[page.url] = [(v["id"], [n["html"][:120] for n in v["nodes"][:2]]) for v in found]

    def success(text: str) -> None:
        expect(page.locator(".alert-success").first).to_contain_text(text)

    # 1. A round, from the rounds page.
    today = timezone.localdate()
    you.goto("/accreditation/rounds/")
    check_page()
    page.get_by_role("link", name="New round").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page()
    you.fill(
        name="Round 2027",
        opens_on=today.isoformat(),
        eoi_deadline=(today + datetime.timedelta(days=30)).isoformat(),
        application_deadline=(today + datetime.timedelta(days=90)).isoformat(),
        reviewers_per_application="2",
        accreditation_term_years="3",
    )
    page.get_by_role("button", name="Save", exact=True).click()
    success("Round 2027 was saved.")
    round_ = Round.objects.get(name="Round 2027")
    check_page()

    # 2. Its panel, from the round's page, then the chair, two reviewers and a lay reviewer.
    page.get_by_role("link", name="Make the panel").click()
    check_page()
    you.fill(name="Panel 2027")
    page.get_by_role("button", name="Make the panel").click()
    success("Panel 2027 was made.")
    panel = Panel.objects.get(round=round_)
    for person_, role in (
        (chair, PanelRole.CHAIR),
        (rita, PanelRole.REVIEWER),
        (rob, PanelRole.REVIEWER),
        (lay, PanelRole.LAY_REVIEWER),
    ):
        you.fill(person=str(person_.pk), role=role)
        page.get_by_role("button", name="Seat them").click()
        expect(page.locator("main table")).to_contain_text(person_.full_name)
    check_page()

    # 3. Rita is replaced by Bea on her reviewer's seat.
    page.get_by_role("link", name="Replace Rita Reviewer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rita Reviewer")
    check_page()
    you.fill(person=str(bea.pk), reason="Rita has moved to a partner organisation.")
    page.get_by_role("button", name="Replace Rita Reviewer").click()
    expect(page.locator("main table")).to_contain_text("Bea Board")
    expect(page.locator("main table")).not_to_contain_text("Rita Reviewer")
    assert sorted(PanelMember.objects.filter(panel=panel).values_list("user__email", "role")) == sorted(
        [
            ("bea@example.org", PanelRole.REVIEWER),
            ("chair@example.org", PanelRole.CHAIR),
            ("lee@example.org", PanelRole.LAY_REVIEWER),
            ("rob@example.org", PanelRole.REVIEWER),
        ]
    )

    # 4. Bea is made a board member from her page in the directory, and the role is revoked again.
    mail.outbox.clear()
    you.goto(f"/teams/people/{bea.pk}/")
    check_page()
    page.locator('select[name="role"]').select_option(ProgrammeRole.BOARD_MEMBER)
    page.get_by_role("button", name="Grant", exact=True).click()
    success("is now board member")
    assert RoleAssignment.objects.filter(user=bea.user, role=ProgrammeRole.BOARD_MEMBER).exists()
    assert [m.to for m in mail.outbox] == [["bea@example.org"]]
    page.get_by_role("button", name="Revoke the role board member of Bea Board").click()
    success("is no longer board member")
    assert not RoleAssignment.objects.filter(user=bea.user).exists()
    assert [m.to for m in mail.outbox] == [["bea@example.org"], ["bea@example.org"]]

    # 5. A login for someone in the directory without one: the invitation goes by e-mail.
    mail.outbox.clear()
    you.goto(f"/teams/people/{newcomer.pk}/")
    page.get_by_role("link", name="Create a login for Nora Newcomer").click()
    check_page()
    page.get_by_role("button", name="Create the login and send the invitation").click()
    success("the invitation to set a password went to nora@example.org")
    assert User.objects.filter(email="nora@example.org", person=newcomer).exists()
    (invitation,) = mail.outbox
    assert invitation.to == ["nora@example.org"] and "set your password" in invitation.subject
    assert re.search(r"https?://\S+/", invitation.body)

    # 6. A new cross-cutting theme in the vocabularies.
    you.goto("/teams/vocabularies/theme/")
    check_page()
    page.get_by_role("link", name=re.compile("^Add a term")).click()
    check_page()
    you.fill(code="digital-inclusion", name="Digital inclusion")
    page.get_by_role("button", name="Add", exact=True).click()
    success("Digital inclusion was added.")
    assert Theme.objects.filter(name="Digital inclusion").exists()
    page.get_by_role("link", name="Edit Digital inclusion").click()
    check_page()
    you.fill(description="Access to digital services for people who are offline.")
    page.get_by_role("button", name="Save", exact=True).click()
    success("Digital inclusion was saved.")
    assert Theme.objects.get(name="Digital inclusion").description.startswith("Access to digital services")

    # 7. The audit log lists each step with who did it.
    you.goto("/audit/")
    check_page()
    log = page.locator("main table")
    for text in (
        "Seated Chris Chair as chair",
        "Seated Lee Lay as lay (public review group) reviewer",
        "Replaced Rita Reviewer with Bea Board as reviewer",
        "Granted the role Board member",
        "Revoked the role Board member",
        "Login created or invitation sent to set a password",
        "Nora Newcomer",
        "in Cross-cutting themes",
    ):
        expect(log).to_contain_text(text)
    # Every one of these steps was done by the programme manager.
    rows = log.locator("tbody tr")
    assert rows.count() >= 9, rows.count()
    assert all("Pat Manager" in rows.nth(i).inner_text() for i in range(rows.count()))

    assert not violations, violations
    assert not you.errors, you.errors
