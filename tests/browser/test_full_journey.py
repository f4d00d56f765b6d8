"""An applicant's whole path in the browser: EOI, invitation, application, sponsor, review, feedback,
revision, decision, and the HIT in set-up."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accreditation.domain.criteria import criteria_for
from accreditation.domain.sections import SECTIONS
from accreditation.enums import PanelRole
from accreditation.models import Application, ReviewAssignment, StakeholderPlanRow
from accreditation.services import reviews as services
from tests import factories as f
from tests.factories import accreditation_applications as af

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None

pytestmark = pytest.mark.browser

TITLE = "Frailty at home"


def _review_by_services(reviewers, application) -> None:
    """Both reviewers declare no conflict and submit a review of the current revision.

    Done through the services in Python (not the review pages) to keep the journey short; the review
    pages have their own browser test (test_journeys.py) and view tests.
    """
    for user in reviewers:
        assignment = ReviewAssignment.objects.get(application=application, reviewer=user)
        if assignment.declaration == "pending":
            services.conflict_declare(actor=user, assignment_id=assignment.pk, declaration="none")
        services.review_save(
            actor=user,
            assignment_id=assignment.pk,
            scores=[services.ScoreInput(c.code, 3, "Well argued.") for c in criteria_for(is_lay=False)],
            recommendation="accredit",
            summary="A committed team with a clear plan.",
            submit=True,
        )


def _status(page):
    return page.locator("dd .status-badge")


def test_applicant_goes_from_eoi_to_an_accredited_hit_in_set_up(open_session, applicant, programme_manager):
    round_ = f.RoundFactory(name="Spring round")
    panel = f.PanelFactory(round=round_, name="Spring panel")
    chair = f.PanelMemberFactory(panel=panel, role=PanelRole.CHAIR).user
    reviewers = [f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user for _ in range(2)]
    sponsor = f.PersonFactory(full_name="Sam Sponsor", email="sam.sponsor@example.org")
    organisations = [f.OrganisationFactory(name=name) for name in ("Avon Community Trust", "Bristol Carers")]

    # 1. The applicant sends an expression of interest in the open round.
    you = open_session(applicant)
    page = you.page
    you.goto(f"/accreditation/rounds/{round_.pk}/eoi/new/")
    you.fill(
        working_title=TITLE,
        problem="Older people wait too long for joined-up care at home.",
        boundaries="Acute trust, community services and social care.",
        proposed_director="Alex Applicant, North Bristol Trust",
        **{
            "partners-0-organisation_name": "North Bristol Trust",
            "partners-1-organisation_name": "Bristol City Council",
        },
    )
    page.select_option('select[name="partners-0-category"]', index=1)
    page.select_option('select[name="partners-1-category"]', index=2)
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    page.get_by_role("button", name="Submit").first.click()
    expect(page.locator("body")).to_contain_text("Submitted")
    eoi_url = page.url

    # 2. A programme manager invites it.
    manager = open_session(programme_manager)
    manager.goto(eoi_url)
    manager.page.get_by_role("button", name="Invite").first.click()
    expect(manager.page.locator("body")).to_contain_text("was invited to apply")

    # 3. The applicant, now the director, opens the application draft.
    you.goto("/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Application of {TITLE}")
    expect(_status(page)).to_have_text("Draft")
    application = Application.objects.get(hit__name=TITLE)
    base = f"/accreditation/applications/{application.pk}"

    # 4. Every section through its page, with the factories' valid answers as the content.
    for section in SECTIONS:
        if section.form_class is None:
            continue
        you.goto(f"{base}/sections/{section.key}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        you.fill(**af.VALID_SECTION_DATA[section.key])
        if section.key == "governance":
            page.get_by_label("Director", exact=True).select_option(label="Alex Applicant")
            page.get_by_label("Executive sponsor").select_option(label="Sam Sponsor")
            page.get_by_label("Host organisation").select_option(label="Avon Community Trust")
            you.fill(host_unit="Research and innovation")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("body")).to_contain_text(
            f"'{section.title}' was saved. This section is complete."
        )

    # 5. Two stakeholder rows from the directory, in two categories.
    you.goto(f"{base}/stakeholders/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Who needs to be involved, how, and for what outcome"
    )
    for index, organisation in enumerate(organisations, start=1):
        page.locator('select[name="organisation"]').select_option(label=organisation.name)
        page.locator('select[name="category"]').select_option(index=index)
        you.fill(role="Member of the management group", outcome="A single crisis pathway")
        page.get_by_role("button", name="Add to the table").click()
        expect(page.locator("body")).to_contain_text("was added to the table.")

    # The partners named in the EOI came over as rows whose involvement is still "To be agreed": a
    # placeholder that stops a submission until the team writes what was agreed.
    for row in StakeholderPlanRow.objects.filter(application=application, role="To be agreed"):
        you.goto(f"{base}/stakeholders/{row.pk}/edit/")
        you.fill(role="Partner in the crisis pathway", outcome="Shared care plans")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("body")).to_contain_text("was saved.")
    assert not StakeholderPlanRow.objects.filter(application=application, role="To be agreed").exists()
    # 6. The sponsor request goes by email; the sponsor confirms through the link.
    mail.outbox.clear()
    you.goto(f"{base}/sections/governance/")
    expect(page.locator("main")).to_contain_text("Not confirmed")
    page.get_by_role("button", name="Send confirmation request").click()
    expect(page.locator("body")).to_contain_text("Sam Sponsor")
    sent = [m for m in mail.outbox if sponsor.email in m.to]
    assert sent, [m.to for m in mail.outbox]
    link = re.search(r"/accreditation/sponsor/[^/\s]+/", sent[-1].body)
    assert link, sent[-1].body
    them = open_session()
    them.goto(link.group(0))
    expect(them.page.get_by_role("heading", level=1)).to_have_text("Confirm your sponsorship")
    them.page.get_by_role("button", name="I confirm my sponsorship").click()
    expect(them.page.get_by_role("heading", level=1)).to_have_text("Sponsorship confirmed")

    # 7. The director submits.
    you.goto(f"{base}/")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(_status(page)).to_have_text("Submitted")

    # 8. The chair starts the review and assigns both reviewers.
    chair_s = open_session(chair)
    chair_s.goto(f"/accreditation/rounds/{round_.pk}/board/")
    chair_s.page.get_by_role("button", name=re.compile("^Start review")).click()
    expect(chair_s.page.locator("body")).to_contain_text(f"{TITLE}: The review has started.")
    for user in reviewers:
        chair_s.goto(f"{base}/assignments/")
        expect(chair_s.page.get_by_role("heading", level=1)).to_have_text(f"Reviewers of {TITLE}")
        chair_s.fill(reviewer=str(user.pk))
        chair_s.page.get_by_role("button", name="Assign", exact=True).click()
        expect(chair_s.page.locator("main")).to_contain_text(str(user))
    assert ReviewAssignment.objects.filter(application=application).count() == 2

    # 9. Both reviewers declare no conflict and review (services, see _review_by_services).
    _review_by_services(reviewers, application)

    # 10. The chair writes the feedback and releases it.
    chair_s.goto(f"{base}/feedback/edit/")
    expect(chair_s.page.get_by_role("heading", level=1)).to_have_text(f"Feedback to {TITLE}")
    chair_s.fill(
        summary="A promising application; say more about how carers are paid.",
        **{"points-0-text": "Explain how public contributors are paid and trained."},
    )
    chair_s.page.get_by_role("button", name="Save draft").click()
    expect(chair_s.page.locator("body")).to_contain_text("The feedback was saved as a draft.")
    chair_s.page.get_by_role("button", name="Release feedback").click()
    expect(chair_s.page.locator("body")).to_contain_text(f"{TITLE}: The feedback was released.")

    # 11. The director reads it, revises, answers the point and resubmits.
    you.goto(f"{base}/")
    expect(_status(page)).to_have_text("Feedback released")
    expect(page.get_by_role("heading", name="Feedback from the panel")).to_be_visible()
    page.get_by_role("button", name="Revise", exact=True).click()
    expect(_status(page)).to_have_text("Draft")
    page.get_by_role("link", name="Read the feedback and answer each point").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback from the panel")
    expect(page.locator("main")).to_contain_text("Explain how public contributors are paid and trained.")
    page.locator("main form textarea").first.fill("Contributors are paid at the national rate and trained.")
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator("body")).to_contain_text("saved")
    you.goto(f"{base}/")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(_status(page)).to_have_text("Submitted")

    # 12. The second round of review (services again), then the chair accredits.
    chair_s.goto(f"/accreditation/rounds/{round_.pk}/board/")
    chair_s.page.get_by_role("button", name=re.compile("^Start review")).click()
    expect(chair_s.page.locator("body")).to_contain_text(f"{TITLE}: The review has started.")
    _review_by_services(reviewers, application)
    chair_s.goto(f"{base}/decide/")
    chair_s.fill(outcome="accredit", rationale="A strong team with committed partners; feedback answered.")
    chair_s.page.get_by_role("button", name="Record the decision").click()
    expect(chair_s.page.locator("body")).to_contain_text("The decision was recorded")

    # 13. The applicant sees the application accredited and the HIT in set-up.
    you.goto(f"{base}/")
    expect(_status(page)).to_have_text("Accredited")
    you.goto(f"/teams/hits/{application.hit_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.locator("main dd .status-badge")).to_have_text("Set-up")
    assert not you.errors and not chair_s.errors and not manager.errors
