"""The accreditation decision proposes the application's people as the HIT's members, and the
director confirms them in one step (teams.services.proposals; docs/domain.md section 3.9)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accreditation.domain import governance
from accreditation.enums import ApplicationKind, ConflictDeclaration, ReviewStatus
from accreditation.models import Review, ReviewAssignment
from accreditation.services.applications import application_transition
from core.workflow import StaleState
from teams.domain.proposals import is_placeholder, name_keys
from teams.enums import HITStatus, LeadSide, MembershipChangeKind, MembershipRole, ProposalStatus
from teams.models import Membership, MembershipChange, ProposedMembership, WorkingGroup
from teams.services.proposals import (
    ProposalChoice,
    ProposalDraft,
    membership_proposals_record,
    proposals_confirm,
)
from tests import factories as f
from tests.factories.accreditation_applications import (
    VALID_SECTION_DATA,
    ApplicationFactory,
    RevisionFactory,
    complete_application,
)
from tests.factories.accreditation_panel import AccreditationFactory, DecisionFactory

GOVERNANCE = {
    **VALID_SECTION_DATA["governance"],
    "management_group": "Dr Ann Jones, North Bristol NHS Trust\nBob Unknown (City Council)\nTo be agreed, carers' forum",
    "working_groups": "Crisis care; Prof Dee Lee; Ed Green\nCarers' support; Fay Khan (University); TBC",
}


def _accredit(panel, chair, *, hit, director, sponsor, **kwargs):
    application = ApplicationFactory(
        hit=hit, round=panel.round, under_review=True, director=director, executive_sponsor=sponsor, **kwargs
    )
    complete_application(application)
    RevisionFactory(application=application, sections={"governance": dict(GOVERNANCE)})
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
    application_transition(actor=chair, application_id=application.pk, action="accredit", comment="Strong.")
    return application


@pytest.fixture
def people(db):
    trust = f.OrganisationFactory(name="North Bristol NHS Trust", short_name="NBT")
    return {
        "director": f.PersonFactory(full_name="Dana Director"),
        "sponsor": f.PersonFactory(full_name="Sam Sponsor"),
        "jones": f.PersonFactory(full_name="Ann Jones"),
        "lee": f.PersonFactory(full_name="Dee Lee"),
        "green": f.PersonFactory(full_name="Ed Green"),
        # Two directory entries of that name: no single match.
        "khan": [f.PersonFactory(full_name="Fay Khan"), f.PersonFactory(full_name="fay khan")],
        "trust": trust,
    }


@pytest.fixture
def accredited(panel, chair, people):
    hit = f.HITFactory(name="Dementia HIT", status=HITStatus.IN_APPLICATION)
    application = _accredit(panel, chair, hit=hit, director=people["director"], sponsor=people["sponsor"])
    return hit, application


def _rows(hit):
    return [
        (p.role, p.name_as_written, p.organisation_as_written, p.person, p.working_group_name, p.lead_side)
        for p in ProposedMembership.objects.filter(hit=hit).select_related("person")
    ]


def test_accreditation_proposes_the_applications_people(accredited, people):
    hit, application = accredited

    G, A, S = MembershipRole.WORKING_GROUP_LEAD, LeadSide.ACADEMIC, LeadSide.SERVICE
    assert _rows(hit) == [
        (MembershipRole.DIRECTOR, "Dana Director", "", people["director"], "", ""),
        (MembershipRole.EXECUTIVE_SPONSOR, "Sam Sponsor", "", people["sponsor"], "", ""),
        (MembershipRole.MANAGEMENT_GROUP, "Dr Ann Jones", "North Bristol NHS Trust", people["jones"], "", ""),
        (MembershipRole.MANAGEMENT_GROUP, "Bob Unknown", "City Council", None, "", ""),
        (MembershipRole.MANAGEMENT_GROUP, "To be agreed", "carers' forum", None, "", ""),
        (G, "Prof Dee Lee", "", people["lee"], "Crisis care", A),
        (G, "Ed Green", "", people["green"], "Crisis care", S),
        (G, "Fay Khan", "University", None, "Carers' support", A),
        (G, "TBC", "", None, "Carers' support", S),
    ]
    proposals = list(ProposedMembership.objects.filter(hit=hit))
    assert {p.status for p in proposals} == {ProposalStatus.PROPOSED}
    assert {p.source_key for p in proposals} == {application.pk}
    assert [p.name_as_written for p in proposals if p.is_placeholder] == ["To be agreed", "TBC"]
    assert proposals[2].organisation == people["trust"]
    # Nothing is a membership until the director confirms.
    assert not Membership.objects.filter(hit=hit).exists()


def test_a_renewal_proposes_only_who_is_not_there_yet(panel, chair, people):
    hit = f.HITFactory(name="Dementia HIT", status=HITStatus.ACTIVE)
    current = AccreditationFactory(decision=DecisionFactory(application__hit=hit, outcome="accredited"))
    f.MembershipFactory(hit=hit, person=people["director"], role=MembershipRole.DIRECTOR)
    f.MembershipFactory(hit=hit, person=people["jones"], role=MembershipRole.MANAGEMENT_GROUP)
    new_sponsor = f.PersonFactory(full_name="Nia Newsponsor")

    application = _accredit(
        panel,
        chair,
        hit=hit,
        director=people["director"],
        sponsor=new_sponsor,
        kind=ApplicationKind.RENEWAL,
        renewal_of=current,
    )

    proposed = [
        (p.role, p.person) for p in ProposedMembership.objects.filter(hit=hit, source_key=application.pk)
    ]
    assert (MembershipRole.EXECUTIVE_SPONSOR, new_sponsor) in proposed
    assert (MembershipRole.DIRECTOR, people["director"]) not in proposed
    assert (MembershipRole.MANAGEMENT_GROUP, people["jones"]) not in proposed
    assert len(proposed) == 7  # the sponsor, two management-group lines and four leads


def test_people_already_in_the_role_are_not_proposed_again(db, people):
    hit = f.HITFactory()
    f.MembershipFactory(hit=hit, person=people["director"], role=MembershipRole.DIRECTOR)
    group = WorkingGroup.objects.create(hit=hit, name="Crisis care")
    f.MembershipFactory(
        hit=hit,
        person=people["lee"],
        role=MembershipRole.WORKING_GROUP_LEAD,
        working_group=group,
        lead_side="academic",
    )
    drafts = [
        ProposalDraft(role=MembershipRole.DIRECTOR, name="Dana Director", person_id=people["director"].pk),
        ProposalDraft(
            role=MembershipRole.WORKING_GROUP_LEAD,
            name="Dee Lee",
            working_group="crisis care",
            lead_side="academic",
        ),
        ProposalDraft(role=MembershipRole.MANAGEMENT_GROUP, name="Dana Director"),
    ]

    membership_proposals_record(hit_id=hit.pk, source_key=1, source_label="Round", drafts=drafts)
    membership_proposals_record(hit_id=hit.pk, source_key=1, source_label="Round", drafts=drafts)

    assert _rows(hit) == [(MembershipRole.MANAGEMENT_GROUP, "Dana Director", "", people["director"], "", "")]


def _choices(hit, **people_by_name):
    """Tick every proposal; people_by_name picks the person of an unmatched one (None: untick)."""
    choices = []
    for p in ProposedMembership.objects.filter(hit=hit, status=ProposalStatus.PROPOSED):
        if p.name_as_written in people_by_name:
            person = people_by_name[p.name_as_written]
            choices.append(
                ProposalChoice(p.pk, include=person is not None, person_id=getattr(person, "pk", None))
            )
        else:
            choices.append(ProposalChoice(p.pk, include=True, person_id=p.person_id))
    return choices


def test_confirming_adds_the_members_and_groups_in_one_step(accredited, people, programme_manager):
    hit, _ = accredited
    khan = people["khan"][0]
    choices = _choices(hit, **{"Bob Unknown": None, "To be agreed": None, "Fay Khan": khan, "TBC": None})

    outcome = proposals_confirm(actor=programme_manager, hit_id=hit.pk, choices=choices)

    assert len(outcome.confirmed) == 6 and len(outcome.dismissed) == 3
    members = {
        (m.person, m.role, m.working_group.name if m.working_group else "", m.lead_side)
        for m in Membership.objects.filter(hit=hit).select_related("person", "working_group")
    }
    assert members == {
        (people["director"], MembershipRole.DIRECTOR, "", ""),
        (people["sponsor"], MembershipRole.EXECUTIVE_SPONSOR, "", ""),
        (people["jones"], MembershipRole.MANAGEMENT_GROUP, "", ""),
        (people["lee"], MembershipRole.WORKING_GROUP_LEAD, "Crisis care", "academic"),
        (people["green"], MembershipRole.WORKING_GROUP_LEAD, "Crisis care", "service"),
        (khan, MembershipRole.WORKING_GROUP_LEAD, "Carers' support", "academic"),
    }
    assert Membership.objects.get(hit=hit, person=people["jones"]).organisation == people["trust"]
    assert sorted(WorkingGroup.objects.filter(hit=hit).values_list("name", flat=True)) == [
        "Carers' support",
        "Crisis care",
    ]
    changes = MembershipChange.objects.filter(membership__hit=hit)
    assert changes.count() == 6
    assert {(c.change, c.actor, c.comment) for c in changes} == {
        (
            MembershipChangeKind.ADDED,
            programme_manager,
            f"From the accredited application: {accredited[1].round}, revision 1.",
        )
    }
    decided = ProposedMembership.objects.filter(hit=hit)
    assert {(p.status, p.decided_by) for p in decided} == {
        (ProposalStatus.CONFIRMED, programme_manager),
        (ProposalStatus.DISMISSED, programme_manager),
    }
    assert all(p.decided_at for p in decided)
    assert ProposedMembership.objects.get(hit=hit, name_as_written="Fay Khan").person == khan


def test_a_ticked_row_without_a_person_saves_nothing(accredited, programme_manager):
    hit, _ = accredited
    choices = _choices(hit, **{"Fay Khan": None})  # Bob Unknown, "To be agreed", "TBC" ticked with no one

    with pytest.raises(ValidationError) as refused:
        proposals_confirm(actor=programme_manager, hit_id=hit.pk, choices=choices)

    unmatched = ProposedMembership.objects.filter(
        hit=hit, name_as_written__in=["Bob Unknown", "To be agreed", "TBC"]
    )
    assert set(refused.value.message_dict) == {str(p.pk) for p in unmatched}
    assert not Membership.objects.filter(hit=hit).exists()
    assert not WorkingGroup.objects.filter(hit=hit).exists()
    assert set(ProposedMembership.objects.filter(hit=hit).values_list("status", flat=True)) == {
        ProposalStatus.PROPOSED
    }


def test_a_refusal_of_one_membership_names_its_row_and_saves_nothing(accredited, people, programme_manager):
    hit, _ = accredited
    # Someone else became the academic lead of "Crisis care" meanwhile.
    group = WorkingGroup.objects.create(hit=hit, name="Crisis care")
    f.MembershipFactory(
        hit=hit, role=MembershipRole.WORKING_GROUP_LEAD, working_group=group, lead_side="academic"
    )
    choices = _choices(hit, **{"Bob Unknown": None, "To be agreed": None, "Fay Khan": None, "TBC": None})

    with pytest.raises(ValidationError) as refused:
        proposals_confirm(actor=programme_manager, hit_id=hit.pk, choices=choices)

    lee = ProposedMembership.objects.get(hit=hit, name_as_written="Prof Dee Lee")
    assert list(refused.value.message_dict) == [str(lee.pk)]
    assert Membership.objects.filter(hit=hit).count() == 1


def test_submitting_twice_adds_no_one_twice(accredited, people, programme_manager):
    hit, _ = accredited
    choices = _choices(hit, **{"Bob Unknown": None, "To be agreed": None, "Fay Khan": None, "TBC": None})
    proposals_confirm(actor=programme_manager, hit_id=hit.pk, choices=choices)

    with pytest.raises(StaleState):
        proposals_confirm(actor=programme_manager, hit_id=hit.pk, choices=choices)

    assert Membership.objects.filter(hit=hit).count() == 5
    assert MembershipChange.objects.filter(membership__hit=hit).count() == 5


def test_only_who_manages_the_members_confirms(accredited, board_member, outsider):
    hit, _ = accredited
    choices = _choices(hit, **{"Bob Unknown": None, "To be agreed": None, "Fay Khan": None, "TBC": None})
    for user in (board_member, outsider):
        with pytest.raises(PermissionDenied):
            proposals_confirm(actor=user, hit_id=hit.pk, choices=choices)

    assert not Membership.objects.filter(hit=hit).exists()


def test_the_director_the_application_named_confirms_once_confirmed_as_director(accredited, people):
    """The HIT's director, once a member, may confirm the rest (the page is theirs)."""
    hit, _ = accredited
    user = f.UserFactory()
    people["director"].user = user
    people["director"].save()
    f.MembershipFactory(hit=hit, person=people["director"], role=MembershipRole.DIRECTOR)
    choices = [
        ProposalChoice(
            p.pk, include=p.person_id is not None and p.role != MembershipRole.DIRECTOR, person_id=p.person_id
        )
        for p in ProposedMembership.objects.filter(hit=hit, status=ProposalStatus.PROPOSED)
    ]

    outcome = proposals_confirm(actor=user, hit_id=hit.pk, choices=choices)

    assert len(outcome.confirmed) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("To be agreed", True),
        ("TBC", True),
        ("t.b.c.", True),
        ("Vacant", True),
        ("post vacant", True),
        ("to be appointed", True),
        ("", True),
        ("Ann Jones", False),
        ("Tobias Agreed", False),
    ],
)
def test_placeholders(text, expected):
    assert is_placeholder(text) is expected


def test_names_match_with_or_without_a_title():
    assert name_keys("  Dr  Ann   Jones ") == {"dr ann jones", "ann jones"}


def test_a_title_in_the_directory_still_matches(db):
    hit = f.HITFactory()
    titled = f.PersonFactory(full_name="Prof. Dee Lee")
    drafts = [
        ProposalDraft(role=MembershipRole.MANAGEMENT_GROUP, name="dee lee"),
        ProposalDraft(role=MembershipRole.MEMBER, name="Dr Dee Lee"),
    ]

    rows = membership_proposals_record(hit_id=hit.pk, source_key=1, source_label="Round", drafts=drafts)

    assert [row.person for row in rows] == [titled, titled]


def test_management_group_lines_name_the_organisation_several_ways():
    text = (
        "Ann Jones, North Bristol NHS Trust\n- Bob Smith (City Council)\nCath Patel - Carers' forum\nDev Rao\n"
        "Eve Ode, Avon Trust (illustrative)"
    )

    assert [(p.name, p.organisation) for p in governance.management_group(text)] == [
        ("Ann Jones", "North Bristol NHS Trust"),
        ("Bob Smith", "City Council"),
        ("Cath Patel", "Carers' forum"),
        ("Dev Rao", ""),
        # Brackets that belong to the organisation's name stay with it.
        ("Eve Ode", "Avon Trust (illustrative)"),
    ]


def test_erasing_a_person_removes_their_name_from_the_proposals(accredited, people, programme_manager):
    from hitportal.gdpr.services import person_erase

    hit, _ = accredited
    person_erase(actor=programme_manager, person_id=people["jones"].pk, reason="Requested by letter.")
    unmatched = f.PersonFactory(full_name="Bob Unknown")
    person_erase(actor=programme_manager, person_id=unmatched.pk, reason="Requested by letter.")

    names = list(ProposedMembership.objects.filter(hit=hit).values_list("name_as_written", flat=True))
    assert names[2:4] == ["Dr [name removed]", "[name removed]"]
    assert not any("Jones" in name or "Bob Unknown" in name for name in names)
