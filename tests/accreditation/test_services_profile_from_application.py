"""The accreditation decision makes the accredited application's answers the HIT's profile
(accreditation.services.applications._adopt_profile, through teams.services.profile)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accreditation.enums import ConflictDeclaration, ReviewStatus
from accreditation.models import Review, ReviewAssignment
from accreditation.services.applications import application_transition
from teams.enums import HITStatus, ProfileChangeSource
from teams.models import HITProfileChange
from tests import factories as f
from tests.factories.accreditation_applications import (
    VALID_SECTION_DATA,
    ApplicationFactory,
    RevisionFactory,
    complete_application,
)

AIMS = VALID_SECTION_DATA["aims"]


def _ready_to_decide(panel, *, hit):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round, under_review=True))
    RevisionFactory(application=application, sections={"aims": dict(AIMS)})
    for _ in range(2):
        assignment = ReviewAssignment.objects.create(
            application=application,
            reviewer=f.UserFactory(),
            declaration=ConflictDeclaration.NONE,
            declared_at=timezone.now(),
        )
        Review.objects.create(
            assignment=assignment, revision_number=application.version, status=ReviewStatus.SUBMITTED
        )
    return application


def test_accrediting_makes_the_application_the_hits_profile(chair, panel):
    hit = f.HITFactory(name="Dementia HIT", status=HITStatus.IN_APPLICATION)
    application = _ready_to_decide(panel, hit=hit)

    application_transition(actor=chair, application_id=application.pk, action="accredit", comment="Strong.")

    hit.refresh_from_db()
    change = HITProfileChange.objects.get(hit=hit)
    assert hit.aims == AIMS["aims"]
    assert hit.problem == f"{AIMS['problem']}\n\nBoundaries it crosses: {AIMS['boundaries']}"
    assert (hit.host_organisation, hit.host_unit) == (application.host_organisation, application.host_unit)
    assert (change.actor, change.source) == (chair, ProfileChangeSource.APPLICATION)
    assert change.source_label == f"the accredited application ({panel.round}, revision 1)"
    assert [c["field"] for c in change.changes] == ["problem", "aims", "host_organisation", "host_unit"]


def test_a_decision_not_to_accredit_leaves_the_profile(chair, panel):
    hit = f.HITFactory(name="Dementia HIT", status=HITStatus.IN_APPLICATION)
    application = _ready_to_decide(panel, hit=hit)

    application_transition(actor=chair, application_id=application.pk, action="not_accredit", comment="Weak.")

    hit.refresh_from_db()
    assert hit.aims == ""
    assert HITProfileChange.objects.count() == 0


def test_the_register_shows_the_aims_of_a_hit_accredited_through_the_portal(client, chair, panel):
    hit = f.HITFactory(name="Dementia HIT", status=HITStatus.IN_APPLICATION)
    application = _ready_to_decide(panel, hit=hit)
    application_transition(actor=chair, application_id=application.pk, action="accredit", comment="Strong.")

    page = client.get(reverse("teams:register")).content.decode()

    assert "Dementia HIT" in page
    assert "Fewer emergency admissions of people living with dementia within three years." in page
    assert "Not published yet." not in page
