"""Data protection requests: export everything held about a person, or erase them (hitportal/gdpr/services.py)."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from engagement.models import Answer, CoverageScore, Invitation, ReadinessResult, Response
from hitportal.audit import selectors as audit
from hitportal.gdpr import services as services_gdpr
from teams.enums import MembershipRole, ProgrammeRole
from teams.models import GdprAction, Membership, Person, RoleChange, User
from teams.services.members import membership_change_record
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories import teams_lifecycle as lf
from tests.factories.accreditation import PanelSeatEventFactory
from tests.factories.accreditation_applications import (
    ApplicationFactory,
    ApplicationSectionFactory,
    RevisionFactory,
)
from tests.factories.accreditation_eoi import ExpressionOfInterestFactory
from tests.factories.accreditation_panel import ConditionFactory, ReviewAssignmentFactory, submitted_review
from tests.factories.teams import PASSWORD

NAME = "Jane Smith"


@pytest.fixture
def jane(hit):
    """A person the portal knows a lot about: an account, a HIT role, reviews, PPI mentions..."""
    user = f.UserFactory(email="jane.smith@example.org", full_name=NAME)
    person = f.PersonFactory(user=user, full_name=NAME, email="jane@nbt.example.org")
    f.AffiliationFactory(person=person, job_title="Consultant geriatrician")
    f.MembershipFactory(hit=hit, person=person, role=MembershipRole.DIRECTOR)
    ef.StakeholderFactory(
        hit=hit, person=person, organisation=None, evidence=f"{NAME} chairs the group.", role="Chair", depth=3
    )
    ExpressionOfInterestFactory(author=user, working_title="Falls at home", proposed_director=f"{NAME}, NBT")
    assignment = ReviewAssignmentFactory(reviewer=user, declared_none=True)
    review = submitted_review(assignment, scores=2, summary="Convincing plan.")
    review.scores.update(comment="Good evidence.")
    ef.InvolvementActivityFactory(
        hit=hit, named_with_consent=f"Raj Patel, {NAME}; Ann Lee", description=f"Workshop led by {NAME}."
    )
    ef.InvolvementActivityFactory(hit=hit, named_with_consent="Raj Patel")
    lf.SponsorInteractionFactory(hit=hit, sponsor=person, note=f"Call with {NAME} about funding.")
    lf.MeetingFactory(hit=hit, notes=f"{NAME} presented the pathway.")
    ef.ActionPlanItemFactory(hit=hit, owner=person, title="Hold a joint away day")
    ConditionFactory(owner=person, decision__application__hit=hit, text="Agree terms of reference.")
    ef.InvitationFactory(wave__hit=hit, email="Jane.Smith@example.org")
    ef.PublicReviewFactory(hit=hit, reviewer=user, comments="Carers are on every group.")
    application = ApplicationFactory(hit=hit, director=person)
    ApplicationSectionFactory(
        application=application,
        key="governance",
        data={"management_group": f"{NAME}, acute trust\nB Smith, council", "steering_cadence": "quarterly"},
    )
    RevisionFactory(application=application, governance={"director": NAME, "host_unit": "Research"})
    Token.objects.create(user=user)
    return person


def _scores_and_answers(hit) -> dict:
    """Row counts and values of the stored aggregates and the anonymous survey answers."""
    return {
        "coverage": list(
            CoverageScore.objects.values_list("hit_id", "breadth", "degrees", "weighted", "ppi_depth")
        ),
        "results": list(
            ReadinessResult.objects.values_list("wave_id", "dimension", "n", "score", "mean", "sd")
        ),
        "responses": list(Response.objects.values_list("pk", "wave_id", "organisation_id", "role_group")),
        "answers": list(Answer.objects.values_list("response_id", "item_id", "value")),
    }


@pytest.fixture
def aggregates(hit):
    ef.CoverageScoreFactory(hit=hit)
    wave = ef.WaveFactory(hit=hit, released=True)
    ef.ReadinessResultFactory(wave=wave)
    for value in (2, 4, 5):
        ef.AnswerFactory(
            response=ef.ResponseFactory(wave=wave), item__instrument=wave.instrument, value=value
        )
    return _scores_and_answers(hit)


# --- Export ------------------------------------------------------------------------------------------


def test_export_holds_everything_about_the_person(jane, programme_manager):
    data = services_gdpr.person_data_export(actor=programme_manager, person_id=jane.pk)

    assert data["person"]["full_name"] == NAME
    assert data["person"]["email"] == "jane@nbt.example.org"
    assert [a["job_title"] for a in data["affiliations"]] == ["Consultant geriatrician"]
    assert [(m["hit"], m["role"]) for m in data["hit_memberships"]] == [("Dementia HIT", "Director")]
    assert [s["evidence"] for s in data["stakeholder_map_entries"]] == [f"{NAME} chairs the group."]
    assert data["user_account"]["email"] == "jane.smith@example.org"
    assert data["user_account"]["last_login"] is None
    assert [e["working_title"] for e in data["expressions_of_interest"]] == ["Falls at home"]
    review = data["review_assignments"][0]["review"]
    assert (review["summary"], {s["comment"] for s in review["scores"]}) == (
        "Convincing plan.",
        {"Good evidence."},
    )
    assert [e["named_with_consent"] for e in data["ppi_log_entries_naming_them"]] == [
        f"Raj Patel, {NAME}; Ann Lee"
    ]
    assert [i["note"] for i in data["sponsor_interactions"]] == [f"Call with {NAME} about funding."]
    assert [i["title"] for i in data["action_plan_items_owned"]] == ["Hold a joint away day"]
    assert [c["condition"] for c in data["conditions_owned"]] == ["Agree terms of reference."]
    assert [i["hit"] for i in data["survey_invitations"]] == ["Dementia HIT"]
    assert [r["comments"] for r in data["public_reviews_written"]] == ["Carers are on every group."]
    assert [a["named_as"] for a in data["applications_naming_them"]] == ["director"]


def test_export_never_contains_the_password_hash_or_survey_use(jane, programme_manager):
    data = services_gdpr.person_data_export(actor=programme_manager, person_id=jane.pk)

    text = json.dumps(data, default=str)
    assert jane.user.password not in text
    assert "password" not in text
    assert "used" not in data["survey_invitations"][0]


def test_export_is_recorded(jane, programme_manager):
    services_gdpr.person_data_export(actor=programme_manager, person_id=jane.pk)

    assert list(GdprAction.objects.values_list("person_number", "action", "actor", "reason")) == [
        (jane.pk, "export", programme_manager.pk, "")
    ]


def test_export_of_a_person_without_account_has_empty_account_sections(programme_manager):
    person = f.PersonFactory(full_name="Raj Patel")

    data = services_gdpr.person_data_export(actor=programme_manager, person_id=person.pk)

    assert (data["user_account"], data["expressions_of_interest"], data["review_assignments"]) == (
        None,
        [],
        [],
    )


def test_export_by_someone_else_is_refused(jane, board_member):
    with pytest.raises(
        PermissionDenied, match=r"^Only programme managers handle data protection requests\.$"
    ):
        services_gdpr.person_data_export(actor=board_member, person_id=jane.pk)


def test_export_view_downloads_json_that_no_cache_keeps(client, jane, programme_manager):
    client.force_login(programme_manager)

    response = client.get(reverse("gdpr:person-export", args=[jane.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="person-{jane.pk}-data-')
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["person"]["full_name"] == NAME


@pytest.mark.parametrize("copies", [1, 3])
def test_person_data_query_count_does_not_grow_with_records(hit, django_assert_num_queries, copies):
    user = f.UserFactory(full_name=NAME)
    person = f.PersonFactory(user=user, full_name=NAME)
    for n in range(copies):
        other = f.HITFactory()
        f.MembershipFactory(hit=other, person=person)
        ef.InvolvementActivityFactory(hit=other, named_with_consent=NAME)
        submitted_review(ReviewAssignmentFactory(reviewer=user, declared_none=True))
        ExpressionOfInterestFactory(author=user)
        ef.ActionPlanItemFactory(hit=other, owner=person)
        f.AffiliationFactory(person=person, job_title=f"Post {n}")
        membership_change_record(actor=None, membership=person.memberships.last(), change="added")
        RoleChange.objects.create(user=user, role=ProgrammeRole.BOARD_MEMBER, change="granted")
        PanelSeatEventFactory(user=user)
    person = Person.objects.select_related("user").get(pk=person.pk)

    # 16, and one each for the membership changes, the programme role changes and the panel seat events
    with django_assert_num_queries(19):
        data = services_gdpr.person_data(person=person)

    assert len(data["review_assignments"]) == copies


# --- Erase -------------------------------------------------------------------------------------------


def _erase(client, person, **data):
    return client.post(reverse("gdpr:person-erase", args=[person.pk]), data)


def test_erase_anonymises_the_person_and_closes_the_account(client, jane, programme_manager):
    user_pk = jane.user.pk
    client.force_login(programme_manager)

    response = _erase(client, jane, reason="Erasure requested by email on 1 March.", confirm="on")

    assert response.status_code == 302
    assert response.url == reverse("teams:person-detail", args=[jane.pk])
    jane.refresh_from_db()
    user = User.objects.get(pk=user_pk)
    assert (jane.full_name, jane.email, jane.affiliations.count()) == (f"Erased person #{jane.pk}", "", 0)
    assert (user.full_name, user.email, user.is_active, user.is_staff, user.last_login) == (
        f"Erased person #{jane.pk}",
        f"erased-{user_pk}@invalid",
        False,
        False,
        None,
    )
    assert user.has_usable_password() is False
    assert Token.objects.filter(user=user).exists() is False
    assert client.login(email="jane.smith@example.org", password=PASSWORD) is False


def test_erase_keeps_history_attributed_to_the_anonymised_person(jane, programme_manager):
    review_user = jane.user

    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    membership = Membership.objects.get(person=jane)
    assert (membership.role, membership.person.full_name) == ("director", f"Erased person #{jane.pk}")
    review = review_user.assignments.get().review
    assert (review.summary, set(review.scores.values_list("score", "comment"))) == (
        "Convincing plan.",
        {(2, "Good evidence.")},
    )
    assert User.objects.get(pk=review.assignment.reviewer_id).full_name == f"Erased person #{jane.pk}"
    assert jane.conditions.get().text == "Agree terms of reference."
    assert jane.action_items.get().title == "Hold a joint away day"
    assert review_user.eois.get().working_title == "Falls at home"


def test_erase_removes_the_name_from_free_text(jane, programme_manager, hit):
    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    activities = list(
        hit.involvement_activities.order_by("pk").values_list("named_with_consent", "description")
    )
    assert activities == [("Raj Patel, Ann Lee", "Workshop led by [name removed]."), ("Raj Patel", "")]
    assert jane.stakeholder_links.get().evidence == "[name removed] chairs the group."
    assert jane.sponsor_interactions.get().note == "Call with [name removed] about funding."
    assert hit.meetings.get().notes == "[name removed] presented the pathway."
    assert jane.user.eois.get().proposed_director == "[name removed], NBT"
    application = jane.directed_applications.get()
    assert application.sections.get(key="governance").data["management_group"] == (
        "[name removed], acute trust\nB Smith, council"
    )
    assert application.revisions.get().governance == {"director": "[name removed]", "host_unit": "Research"}


def test_erase_removes_the_name_from_the_comments_of_recorded_changes(jane, programme_manager, hit):
    from accreditation.models import PanelSeatEvent
    from teams.enums import MembershipChangeKind
    from teams.models import HITStatusChange, MembershipChange
    from tests.factories.accreditation import PanelSeatEventFactory

    membership = jane.memberships.get()
    MembershipChange.objects.create(
        membership=membership,
        change=MembershipChangeKind.ADDED,
        role=membership.role,
        comment=f"{NAME} takes over from the interim director.",
    )
    other = f.MembershipFactory(hit=hit)
    MembershipChange.objects.create(
        membership=other, change=MembershipChangeKind.ADDED, role=other.role, comment=f"Proposed by {NAME}."
    )
    kept = MembershipChange.objects.create(
        membership=other,
        change=MembershipChangeKind.ENDED,
        role=other.role,
        comment="Moved to another trust.",
    )
    f.HITStatusChangeFactory(hit=hit, comment=f"Agreed with {NAME} at the steering group.")
    PanelSeatEventFactory(user=jane.user, comment=f"{NAME} stepped down for a conflict.")

    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    assert sorted(MembershipChange.objects.exclude(pk=kept.pk).values_list("comment", flat=True)) == [
        "Proposed by [name removed].",
        "[name removed] takes over from the interim director.",
    ]
    assert MembershipChange.objects.get(pk=kept.pk).comment == "Moved to another trust."
    assert HITStatusChange.objects.get(hit=hit).comment == "Agreed with [name removed] at the steering group."
    assert PanelSeatEvent.objects.get().comment == "[name removed] stepped down for a conflict."


def test_erase_replaces_survey_invitation_addresses(jane, programme_manager):
    invitation = Invitation.objects.get()

    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    assert Invitation.objects.get().email == f"erased-invitation-{invitation.pk}@invalid"


def test_erase_leaves_scores_and_anonymous_survey_answers_intact(jane, programme_manager, hit, aggregates):
    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    assert _scores_and_answers(hit) == aggregates
    assert len(aggregates["answers"]) == 3


def test_erase_renames_admin_log_entries_about_the_person(jane, programme_manager):
    for model, pk in ((Person, jane.pk), (User, jane.user.pk)):
        LogEntry.objects.create(
            user=programme_manager,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(pk),
            object_repr=NAME,
            action_flag=CHANGE,
        )

    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    assert set(LogEntry.objects.values_list("object_repr", flat=True)) == {f"Erased person #{jane.pk}"}


def test_erase_is_recorded_and_shown_in_the_audit_log(jane, programme_manager):
    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested by letter.")

    assert list(GdprAction.objects.values_list("person_number", "action", "actor", "reason")) == [
        (jane.pk, "erase", programme_manager.pk, "Requested by letter.")
    ]
    entries = audit.audit_page_entries(
        audit.audit_entries(user=programme_manager, filters=audit.AuditFilter(kind="gdpr"))
    )
    assert [(e.what, e.who, e.detail) for e in entries] == [
        ("Person erased", "Pat Manager", "Requested by letter.")
    ]


def test_erased_person_is_signed_out_everywhere(client, jane, programme_manager):
    client.force_login(jane.user)

    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"reason": "Requested."}, {"confirm": ["Tick the box to confirm the erasure."]}),
        (
            {"confirm": "on"},
            {"reason": ["Give the reason for the erasure (for example the request's date)."]},
        ),
        (
            {"confirm": "on", "reason": "   "},
            {"reason": ["Give the reason for the erasure (for example the request's date)."]},
        ),
        (
            {"confirm": "on", "reason": "x" * 2001},
            {"reason": ["Ensure this value has at most 2000 characters (it has 2001)."]},
        ),
    ],
)
def test_erase_without_tick_or_reason_shows_the_problem_and_changes_nothing(
    client, jane, programme_manager, data, errors
):
    client.force_login(programme_manager)

    response = _erase(client, jane, **data)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert next(iter(errors.values()))[0].replace("'", "&#x27;") in response.content.decode()
    jane.refresh_from_db()
    assert (jane.full_name, jane.user.is_active, GdprAction.objects.count()) == (NAME, True, 0)


def test_erase_service_needs_a_reason(jane, programme_manager):
    with pytest.raises(ValidationError) as caught:
        services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason=" ")

    assert caught.value.message_dict == {
        "reason": ["Give the reason for the erasure (for example the request's date)."]
    }


def test_erase_of_yourself_is_refused(client, programme_manager):
    me = f.PersonFactory(user=programme_manager, full_name="Pat Manager")
    client.force_login(programme_manager)

    response = _erase(client, me, reason="Testing.", confirm="on")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You cannot erase yourself; ask another programme manager."
    ]
    me.refresh_from_db()
    assert me.full_name == "Pat Manager"


def test_erase_of_a_person_with_a_short_name_leaves_free_text_alone(hit, programme_manager):
    person = f.PersonFactory(full_name="Al")
    ef.InvolvementActivityFactory(hit=hit, named_with_consent="Al, Alice", description="Al and Alice")

    services_gdpr.person_erase(actor=programme_manager, person_id=person.pk, reason="Requested.")

    assert hit.involvement_activities.values_list("named_with_consent", "description").get() == (
        "Al, Alice",
        "Al and Alice",
    )


# --- The page ----------------------------------------------------------------------------------------


def test_the_page_counts_agree_with_the_export_for_every_kind_of_record(
    client, jane, programme_manager, django_assert_max_num_queries
):
    """The page counts each kind of record without reading it (services_gdpr.person_record_counts);
    for a person with records of every kind the counts are the export's, and none is zero."""
    from hitportal.gdpr.views import HELD_RECORDS

    other = f.PersonFactory(full_name="Someone Else")  # their records must not be counted for Jane
    ef.ActionPlanItemFactory(owner=other)
    ApplicationFactory(director=other)
    counts = services_gdpr.person_record_counts(person=jane)
    data = services_gdpr.person_data(person=jane)
    assert {key: len(data[key]) for key, _label in HELD_RECORDS} == counts
    assert all(counts.values()), counts
    assert counts["applications_naming_them"] == 1 and counts["action_plan_items_owned"] == 1

    client.force_login(programme_manager)
    # session, user, 3 role lookups, the person, a count per kind of record (12), the PPI log's
    # candidates, the current roles and the requests: whatever the number of records.
    with django_assert_max_num_queries(23):
        response = client.get(reverse("gdpr:person-data", args=[jane.pk]))
    assert dict(response.context["held"]) == {label: counts[key] for key, label in HELD_RECORDS}
    assert response.context["has_account"] is True


def test_gdpr_page_counts_what_is_held_and_warns_of_current_roles(client, jane, programme_manager, hit):
    f.RoleAssignmentFactory(user=jane.user, role=ProgrammeRole.BOARD_MEMBER)
    client.force_login(programme_manager)

    response = client.get(reverse("gdpr:person-data", args=[jane.pk]))

    content = response.content.decode()
    held = dict(response.context["held"])
    assert (held["PPI log entries naming them"], held["Review assignments and reviews"]) == (1, 1)
    assert response.context["current_roles"] == [
        "Director of Dementia HIT (its only current director; the HIT is active)",
        "Board member (programme-wide)",
    ]
    assert "Director of Dementia HIT (its only current director; the HIT is active)" in content
    assert f'href="{reverse("gdpr:person-export", args=[jane.pk])}"' in content
    assert f'action="{reverse("gdpr:person-erase", args=[jane.pk])}"' in content


def test_gdpr_page_does_not_flag_a_director_who_shares_the_role(client, jane, programme_manager, hit):
    f.MembershipFactory(hit=hit, role=MembershipRole.DIRECTOR)
    client.force_login(programme_manager)

    response = client.get(reverse("gdpr:person-data", args=[jane.pk]))

    assert response.context["current_roles"] == ["Director of Dementia HIT"]


def test_gdpr_page_lists_earlier_requests(client, jane, programme_manager):
    services_gdpr.person_data_export(actor=programme_manager, person_id=jane.pk)
    client.force_login(programme_manager)

    response = client.get(reverse("gdpr:person-data", args=[jane.pk]))

    assert [r.action for r in response.context["requests"]] == ["export"]
    assert "Data exported" in response.content.decode()


def test_person_page_links_to_data_protection(client, jane, programme_manager):
    client.force_login(programme_manager)

    content = client.get(reverse("teams:person-detail", args=[jane.pk])).content.decode()

    assert f'href="{reverse("gdpr:person-data", args=[jane.pk])}"' in content


def test_erase_then_the_person_page_shows_the_anonymised_name(client, jane, programme_manager):
    client.force_login(programme_manager)

    response = _erase(client, jane, reason="Requested.", confirm="on")
    page = client.get(response.url)

    content = page.content.decode()
    assert f"Erased person #{jane.pk} was erased." in content
    assert NAME not in content
    assert "jane@nbt.example.org" not in content


def test_erase_keeps_dates_of_memberships(jane, programme_manager, hit):
    before = list(Membership.objects.filter(person=jane).values_list("start_date", "end_date"))

    services_gdpr.person_erase(actor=programme_manager, person_id=jane.pk, reason="Requested.")

    assert list(Membership.objects.filter(person=jane).values_list("start_date", "end_date")) == before
