"""Rounds and expressions of interest, through their pages."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accreditation.enums import ApplicationStatus, EOIStatus
from accreditation.models import (
    Application,
    ApplicationSection,
    EOIEvent,
    EOIPartner,
    ExpressionOfInterest,
    Round,
    StakeholderPlanRow,
)
from teams.enums import HITStatus, MembershipRole
from teams.models import HIT, Membership, MembershipChange, StakeholderCategory
from tests import factories as f
from tests.factories.accreditation_eoi import (
    EOIEventFactory,
    EOIPartnerFactory,
    ExpressionOfInterestFactory,
)

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def pm_client(client, programme_manager):
    client.force_login(programme_manager)
    return client


@pytest.fixture
def open_round(panel):
    """The open round `chair` chairs (RoundFactory: opened 10 days ago, EOIs for 30 more days)."""
    return panel.round


@pytest.fixture
def provider():
    return StakeholderCategory.objects.get(code="PROV")


@pytest.fixture
def public():
    return StakeholderCategory.objects.get(code="PUBLIC")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _eoi_post(**overrides: str) -> dict[str, str]:
    """The EOI form's POST data with three empty partner rows, as a new form sends it."""
    data = {
        "working_title": "",
        "problem": "",
        "boundaries": "",
        "proposed_director": "",
        "known_risks": "",
        "partners-TOTAL_FORMS": "3",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "1000",
        "intent": "draft",
    }
    for n in range(3):
        data |= {
            f"partners-{n}-organisation": "",
            f"partners-{n}-organisation_name": "",
            f"partners-{n}-category": "",
        }
    data.update(overrides)
    return data


def _complete_eoi_post(org_id: int, category_id: int, other_category_id: int, **overrides: str) -> dict:
    return _eoi_post(
        working_title="Frailty at home",
        problem="Avoidable admissions of older people with frailty.",
        boundaries="Acute, community and social care.",
        proposed_director="Dr Jo Bloggs, North Bristol NHS Trust",
        **{
            "partners-0-organisation": str(org_id),
            "partners-0-category": str(category_id),
            "partners-1-organisation_name": "Carers Support Centre",
            "partners-1-category": str(other_category_id),
        },
        **overrides,
    )


def _submitted_eoi(round, author, **kwargs):
    eoi = ExpressionOfInterestFactory(round=round, author=author, submitted=True, **kwargs)
    EOIPartnerFactory(eoi=eoi)
    EOIPartnerFactory(eoi=eoi, organisation=None, organisation_name="Carers Support Centre")
    return eoi


# --- Rounds ------------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_round_list_applicant_sees_open_rounds_with_eoi_link(client, applicant):
    open_round = f.RoundFactory(name="Spring 2026", guidance="Name your partners.")
    f.RoundFactory(name="Autumn 2026", opens_on=TODAY + datetime.timedelta(days=100))
    f.RoundFactory(name="Spring 2024", closed=True)
    client.force_login(applicant)

    response = client.get(reverse("accreditation:round-list"))

    assert [c.round.name for c in response.context["open_cards"]] == ["Spring 2026"]
    assert response.context["upcoming_cards"] == []
    assert response.context["past_cards"] == []
    assert response.context["can_manage"] is False
    assert reverse("accreditation:eoi-create", args=[open_round.pk]) in response.content.decode()
    assert "Name your partners." in response.content.decode()
    assert reverse("accreditation:round-create") not in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_round_list_programme_manager_sees_past_and_future_rounds(pm_client):
    f.RoundFactory(name="Spring 2026")
    f.RoundFactory(name="Autumn 2026", opens_on=TODAY + datetime.timedelta(days=100))
    f.RoundFactory(name="Spring 2024", closed=True)

    response = pm_client.get(reverse("accreditation:round-list"))

    assert [c.round.name for c in response.context["open_cards"]] == ["Spring 2026"]
    assert [c.round.name for c in response.context["upcoming_cards"]] == ["Autumn 2026"]
    assert [c.round.name for c in response.context["past_cards"]] == ["Spring 2024"]
    assert reverse("accreditation:round-create") in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_round_list_offers_no_eoi_link_after_the_eoi_deadline(client, applicant):
    late = f.RoundFactory(
        name="Late",
        opens_on=TODAY - datetime.timedelta(days=60),
        eoi_deadline=TODAY - datetime.timedelta(days=1),
    )
    client.force_login(applicant)

    response = client.get(reverse("accreditation:round-list"))

    card = response.context["open_cards"][0]
    assert card.phase == "applications"
    assert bool(card.eoi_verdict) is False
    assert reverse("accreditation:eoi-create", args=[late.pk]) not in response.content.decode()


def test_round_list_chair_sees_closed_round_they_chair_without_eoi_link(client, chair, panel):
    panel.round.opens_on = timezone.localdate() - datetime.timedelta(days=400)
    panel.round.eoi_deadline = panel.round.opens_on + datetime.timedelta(days=40)
    panel.round.application_deadline = panel.round.eoi_deadline + datetime.timedelta(days=60)
    panel.round.save()
    client.force_login(chair)

    response = client.get(reverse("accreditation:round-list"))

    assert [c.round for c in response.context["past_cards"]] == [panel.round]
    assert bool(response.context["past_cards"][0].eoi_verdict) is False


def test_round_list_refuses_reviewer_with_reason(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:round-list"))

    assert response.status_code == 403
    assert "Rounds and expressions of interest are for applicants" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_round_list_query_count_is_constant(pm_client, django_assert_max_num_queries, rows):
    f.RoundFactory.create_batch(rows)

    # session + user + 3 role lookups + rounds
    with django_assert_max_num_queries(6):
        response = pm_client.get(reverse("accreditation:round-list"))

    assert response.status_code == 200
    assert len(response.context["open_cards"]) == rows


def test_round_detail_of_a_closed_round_is_not_found_for_applicant(client, applicant):
    closed = f.RoundFactory(closed=True)
    client.force_login(applicant)

    response = client.get(reverse("accreditation:round-detail", args=[closed.pk]))

    assert response.status_code == 404


def test_round_detail_counts_eois_by_status_for_programme_manager(pm_client, open_round, applicant):
    ExpressionOfInterestFactory(round=open_round, author=applicant)
    ExpressionOfInterestFactory.create_batch(2, round=open_round, submitted=True)

    response = pm_client.get(reverse("accreditation:round-detail", args=[open_round.pk]))

    assert response.context["status_counts"] == [
        ("draft", "Draft", 1),
        ("submitted", "Submitted", 2),
        ("invited", "Invited to apply", 0),
        ("declined", "Declined", 0),
    ]


def test_round_detail_lists_the_applicants_own_eois_only(client, applicant, open_round):
    mine = ExpressionOfInterestFactory(round=open_round, author=applicant)
    ExpressionOfInterestFactory(round=open_round)
    client.force_login(applicant)

    response = client.get(reverse("accreditation:round-detail", args=[open_round.pk]))

    assert list(response.context["my_eois"]) == [mine]
    assert response.context["status_counts"] == []


def test_round_create_saves_and_redirects(pm_client):
    response = pm_client.post(
        reverse("accreditation:round-create"),
        {
            "name": "Spring 2027",
            "opens_on": "2027-01-04",
            "eoi_deadline": "2027-02-15",
            "application_deadline": "2027-04-30",
            "guidance": "Tell us who needs to be involved.",
            "reviewers_per_application": "3",
            "accreditation_term_years": "3",
        },
    )

    created = Round.objects.get(name="Spring 2027")
    assert response.url == reverse("accreditation:round-detail", args=[created.pk])
    assert created.eoi_deadline == datetime.date(2027, 2, 15)
    assert created.reviewers_per_application == 3


def test_round_create_deadlines_out_of_order_are_shown_next_to_their_fields(pm_client):
    response = pm_client.post(
        reverse("accreditation:round-create"),
        {
            "name": "Backwards",
            "opens_on": "2027-03-01",
            "eoi_deadline": "2027-02-01",
            "application_deadline": "2027-01-01",
            "reviewers_per_application": "2",
            "accreditation_term_years": "3",
        },
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors == {
        "eoi_deadline": ["The EOI deadline cannot be before the round opens."],
        "application_deadline": ["The application deadline cannot be before the EOI deadline."],
    }
    assert 'type="date"' in response.content.decode()
    assert Round.objects.filter(name="Backwards").exists() is False


def test_round_edit_changes_guidance(pm_client, open_round):
    response = pm_client.get(reverse("accreditation:round-edit", args=[open_round.pk]))
    data = {k: v for k, v in response.context["form"].initial.items() if k in response.context["form"].fields}
    data |= {
        "opens_on": open_round.opens_on.isoformat(),
        "eoi_deadline": open_round.eoi_deadline.isoformat(),
        "application_deadline": open_round.application_deadline.isoformat(),
        "guidance": "New guidance.",
    }

    pm_client.post(reverse("accreditation:round-edit", args=[open_round.pk]), data)

    open_round.refresh_from_db()
    assert open_round.guidance == "New guidance."


def test_round_create_refused_for_chair(client, chair):
    client.force_login(chair)

    response = client.post(reverse("accreditation:round-create"), {"name": "Sneaky"})

    assert response.status_code == 403
    assert Round.objects.filter(name="Sneaky").exists() is False


# --- Creating and editing an EOI ---------------------------------------------------------------------


def test_eoi_create_saves_a_draft_with_only_a_title(client, applicant, open_round):
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-create", args=[open_round.pk]), _eoi_post(working_title="Frailty")
    )

    eoi = ExpressionOfInterest.objects.get()
    assert response.url == reverse("accreditation:eoi-detail", args=[eoi.pk])
    assert (eoi.working_title, eoi.author, eoi.round, eoi.status) == (
        "Frailty",
        applicant,
        open_round,
        "draft",
    )
    assert eoi.partners.count() == 0
    assert EOIEvent.objects.count() == 0


def test_eoi_create_without_title_keeps_everything_typed(client, applicant, open_round, provider):
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-create", args=[open_round.pk]),
        _eoi_post(
            problem="Avoidable admissions.",
            **{
                "partners-0-organisation_name": "Carers Support Centre",
                "partners-0-category": str(provider.pk),
            },
        ),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "working_title": ["Give the expression of interest a working title."]
    }
    assert [p.message for p in response.context["problems"]] == [
        "Working title: Give the expression of interest a working title."
    ]
    assert "Avoidable admissions." in content
    assert 'value="Carers Support Centre"' in content
    assert ExpressionOfInterest.objects.count() == 0


def test_eoi_create_with_2_mb_in_a_field_shows_the_limit_next_to_it_and_stores_nothing(
    client, applicant, open_round
):
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-create", args=[open_round.pk]),
        _eoi_post(working_title="Frailty", problem="x" * 2_097_152, boundaries="Acute and community care."),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "problem": ["Ensure this value has at most 10000 characters (it has 2097152)."]
    }
    assert 'value="Frailty"' in content
    assert "Acute and community care.</textarea>" in content
    assert 'maxlength="10000"' in content
    assert ExpressionOfInterest.objects.count() == 0


def test_eoi_create_partner_rows_need_one_organisation_and_a_category(
    client, applicant, open_round, provider
):
    organisation = f.OrganisationFactory()
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-create", args=[open_round.pk]),
        _eoi_post(
            working_title="Frailty",
            **{
                "partners-0-organisation": str(organisation.pk),
                "partners-0-organisation_name": "Also typed",
                "partners-0-category": str(provider.pk),
                "partners-1-organisation_name": "Carers Support Centre",
                "partners-2-category": str(provider.pk),
            },
        ),
    )

    assert [p.message for p in response.context["problems"]] == [
        "Partner 1, Or its name, if it is not in the directory: Choose an organisation from the directory "
        "or type a name, not both.",
        "Partner 2, Stakeholder category: Choose the stakeholder category this partner belongs to.",
        "Partner 3, Organisation in the directory: Choose an organisation from the directory or type its name.",
    ]
    assert ExpressionOfInterest.objects.count() == 0


def test_eoi_create_refuses_the_same_partner_twice(client, applicant, open_round, provider, public):
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-create", args=[open_round.pk]),
        _eoi_post(
            working_title="Frailty",
            **{
                "partners-0-organisation_name": "Carers Centre",
                "partners-0-category": str(provider.pk),
                "partners-1-organisation_name": "carers centre",
                "partners-1-category": str(public.pk),
            },
        ),
    )

    assert [p.message for p in response.context["problems"]] == [
        "Partners: carers centre is listed more than once."
    ]
    assert ExpressionOfInterest.objects.count() == 0


def test_eoi_create_saves_directory_and_free_text_partners(client, applicant, open_round, provider, public):
    organisation = f.OrganisationFactory(name="North Bristol NHS Trust")
    client.force_login(applicant)

    client.post(
        reverse("accreditation:eoi-create", args=[open_round.pk]),
        _complete_eoi_post(organisation.pk, provider.pk, public.pk),
    )

    partners = list(EOIPartner.objects.values_list("organisation_id", "organisation_name", "category_id"))
    assert partners == [(organisation.pk, "", provider.pk), (None, "Carers Support Centre", public.pk)]
    assert ExpressionOfInterest.objects.get().status == EOIStatus.DRAFT


@time_machine.travel(TODAY, tick=False)
def test_eoi_create_refused_after_the_eoi_deadline(client, applicant):
    late = f.RoundFactory(
        opens_on=TODAY - datetime.timedelta(days=60), eoi_deadline=TODAY - datetime.timedelta(days=1)
    )
    client.force_login(applicant)

    response = client.get(reverse("accreditation:eoi-create", args=[late.pk]))

    assert response.status_code == 403
    assert (
        f"The deadline for expressions of interest to {late.name} was 1 March 2026."
        in response.content.decode()
    )


def test_eoi_edit_shows_saved_partners_and_replaces_them(client, applicant, open_round, provider):
    eoi = ExpressionOfInterestFactory(round=open_round, author=applicant)
    kept = EOIPartnerFactory(eoi=eoi, category=provider)
    EOIPartnerFactory(eoi=eoi, category=provider)
    client.force_login(applicant)
    page = client.get(reverse("accreditation:eoi-edit", args=[eoi.pk]))
    data = _eoi_post(
        working_title="Renamed",
        **{
            "partners-TOTAL_FORMS": "2",
            "partners-INITIAL_FORMS": "2",
            "partners-0-organisation": str(kept.organisation_id),
            "partners-0-category": str(provider.pk),
            "partners-1-organisation": str(eoi.partners.last().organisation_id),
            "partners-1-category": str(provider.pk),
            "partners-1-DELETE": "on",
        },
    )

    client.post(reverse("accreditation:eoi-edit", args=[eoi.pk]), data)

    eoi.refresh_from_db()
    assert len(page.context["formset"].forms) == 4  # two saved partners and two empty rows
    assert eoi.working_title == "Renamed"
    assert list(eoi.partners.values_list("organisation_id", flat=True)) == [kept.organisation_id]


def test_eoi_edit_refused_once_submitted(client, applicant, open_round):
    eoi = ExpressionOfInterestFactory(round=open_round, author=applicant, submitted=True)
    client.force_login(applicant)

    response = client.get(reverse("accreditation:eoi-edit", args=[eoi.pk]))

    assert response.status_code == 403
    assert "already submitted; it can no longer be edited" in response.content.decode()


def test_eoi_edit_second_post_after_submit_explains_and_changes_nothing(client, applicant, open_round):
    eoi = ExpressionOfInterestFactory(
        round=open_round, author=applicant, submitted=True, working_title="Sent"
    )
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-edit", args=[eoi.pk]), _eoi_post(working_title="Changed"), follow=True
    )

    eoi.refresh_from_db()
    assert _messages(response) == [
        "This expression of interest was already submitted; it can no longer be edited."
    ]
    assert eoi.working_title == "Sent"


def test_eoi_save_and_submit_with_gaps_keeps_the_draft_and_shows_every_problem(
    client, applicant, open_round, provider
):
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-create", args=[open_round.pk]),
        _eoi_post(
            working_title="Frailty",
            problem="Avoidable admissions.",
            intent="submit",
            **{
                "partners-0-organisation_name": "Carers Support Centre",
                "partners-0-category": str(provider.pk),
            },
        ),
    )

    eoi = ExpressionOfInterest.objects.get()
    content = response.content.decode()
    assert response.status_code == 200
    assert (eoi.status, eoi.problem, eoi.partners.count()) == (EOIStatus.DRAFT, "Avoidable admissions.", 1)
    assert [p.message for p in response.context["problems"]] == [
        "Boundaries it crosses: Fill in boundaries it crosses.",
        "Proposed director: Fill in proposed director.",
        "Partners: Name at least two partner organisations.",
    ]
    assert _messages(response) == [
        "Your draft was saved, but it cannot be submitted yet. Fix the problems below."
    ]
    # The page now edits the saved draft, so saving again does not create a second one.
    assert f'action="{reverse("accreditation:eoi-edit", args=[eoi.pk])}"' in content
    assert 'value="Carers Support Centre"' in content
    assert EOIEvent.objects.count() == 0


def test_eoi_save_and_submit_complete_submits_and_tells_the_chair(
    client, applicant, chair, open_round, provider, public, django_capture_on_commit_callbacks
):
    organisation = f.OrganisationFactory()
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accreditation:eoi-create", args=[open_round.pk]),
            _complete_eoi_post(organisation.pk, provider.pk, public.pk, intent="submit"),
            follow=True,
        )

    eoi = ExpressionOfInterest.objects.get()
    assert eoi.status == EOIStatus.SUBMITTED
    assert _messages(response) == [
        "Your expression of interest was submitted. The panel chair has been told."
    ]
    assert list(EOIEvent.objects.values_list("action", "actor")) == [("submit", applicant.pk)]
    assert [m.to for m in mail.outbox] == [[chair.email]]


# --- Transitions -------------------------------------------------------------------------------------


def test_eoi_transition_submit_incomplete_lists_each_problem(client, applicant, open_round):
    eoi = ExpressionOfInterestFactory(round=open_round, author=applicant, boundaries="", proposed_director="")
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-transition", args=[eoi.pk]),
        {"action": "submit", "expected_status": "draft", "comment": ""},
        follow=True,
    )

    eoi.refresh_from_db()
    html = response.content.decode()
    edit = reverse("accreditation:eoi-edit", args=[eoi.pk])
    # Regression: each problem was a banner of its own; now one error summary lists them.
    assert _messages(response) == []
    assert html.count('id="error-summary"') == 1
    assert [(p.message, p.href) for p in response.context["problems"]] == [
        ("Boundaries it crosses: Fill in boundaries it crosses.", f"{edit}#id_boundaries"),
        ("Proposed director: Fill in proposed director.", f"{edit}#id_proposed_director"),
        ("Partners: Name at least two partner organisations.", f"{edit}#partners-heading"),
    ]
    assert eoi.status == EOIStatus.DRAFT
    assert eoi.boundaries == ""
    assert EOIEvent.objects.count() == 0


def test_eoi_transition_submit_after_the_deadline_is_refused(client, applicant, open_round):
    eoi = ExpressionOfInterestFactory(round=open_round, author=applicant)
    EOIPartnerFactory.create_batch(2, eoi=eoi)
    day_after = open_round.eoi_deadline + datetime.timedelta(days=1)

    with time_machine.travel(datetime.datetime.combine(day_after, datetime.time(12)), tick=False):
        client.force_login(applicant)  # sessions last hours, not weeks
        response = client.post(
            reverse("accreditation:eoi-transition", args=[eoi.pk]),
            {"action": "submit", "expected_status": "draft"},
            follow=True,
        )

    eoi.refresh_from_db()
    assert [p.message for p in response.context["problems"]] == [
        f"The deadline for expressions of interest to {open_round.name} was "
        f"{date_format(open_round.eoi_deadline, 'j F Y')}."
    ]
    assert eoi.status == EOIStatus.DRAFT


def test_eoi_transition_double_submit_second_gets_a_clear_message(client, applicant, open_round):
    eoi = ExpressionOfInterestFactory(round=open_round, author=applicant)
    EOIPartnerFactory.create_batch(2, eoi=eoi)
    client.force_login(applicant)
    data = {"action": "submit", "expected_status": "draft", "comment": ""}
    client.post(reverse("accreditation:eoi-transition", args=[eoi.pk]), data, follow=True)

    response = client.post(reverse("accreditation:eoi-transition", args=[eoi.pk]), data, follow=True)

    messages = _messages(response)
    assert len(messages) == 1
    assert messages[0].startswith(f"This expression of interest was already submitted by {applicant} on ")
    assert EOIEvent.objects.count() == 1


def test_eoi_transition_invite_creates_hit_director_and_application(
    client, chair, applicant, open_round, django_capture_on_commit_callbacks
):
    eoi = _submitted_eoi(open_round, applicant, working_title="Frailty at home")
    client.force_login(chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accreditation:eoi-transition", args=[eoi.pk]),
            {"action": "invite", "expected_status": "submitted", "comment": "A strong start."},
            follow=True,
        )

    eoi.refresh_from_db()
    hit = HIT.objects.get()
    application = Application.objects.get()
    assert eoi.status == EOIStatus.INVITED
    assert (eoi.hit, hit.name, hit.status) == (hit, "Frailty at home", HITStatus.PROPOSED)
    assert list(Membership.objects.values_list("hit", "person__user", "role")) == [
        (hit.pk, applicant.pk, MembershipRole.DIRECTOR)
    ]
    assert list(MembershipChange.objects.values_list("membership__hit", "change", "role", "actor")) == [
        (hit.pk, "added", MembershipRole.DIRECTOR, chair.pk)
    ]
    assert (application.hit, application.round, application.status) == (
        hit,
        open_round,
        ApplicationStatus.DRAFT,
    )
    assert list(
        StakeholderPlanRow.objects.order_by("pk").values_list("organisation__name", "stakeholder", "category")
    ) == [
        (p.organisation.name if p.organisation else None, p.organisation_name, p.category_id)
        for p in eoi.partners.all()
    ]
    assert ApplicationSection.objects.get(application=application).data["problem"] == eoi.problem
    assert _messages(response) == [
        "Frailty at home was invited to apply: Frailty at home was created with an application draft."
    ]
    assert response.context["application"] == application
    assert response.context["application_url"] == reverse(
        "accreditation:application-detail", args=[application.pk]
    )
    assert reverse("teams:hit-detail", args=[hit.pk]) in response.content.decode()
    assert list(EOIEvent.objects.values_list("action", "from_status", "to_status", "comment")) == [
        ("invite", "submitted", "invited", "A strong start.")
    ]


def test_eoi_transition_decline_needs_a_note(client, chair, applicant, open_round):
    eoi = _submitted_eoi(open_round, applicant)
    client.force_login(chair)

    response = client.post(
        reverse("accreditation:eoi-transition", args=[eoi.pk]),
        {"action": "decline", "expected_status": "submitted", "comment": "  "},
        follow=True,
    )

    eoi.refresh_from_db()
    assert [(p.message, p.href) for p in response.context["problems"]] == [
        ("Note: Write a note to the applicant explaining the decision.", "#id_decline_comment")
    ]
    assert 'id="id_decline_comment"' in response.content.decode()
    assert eoi.status == EOIStatus.SUBMITTED
    assert EOIEvent.objects.count() == 0


@pytest.mark.parametrize("action", ["invite", "decline"])
def test_eoi_transition_forged_decision_by_the_author_is_refused(client, applicant, open_round, action):
    eoi = _submitted_eoi(open_round, applicant)
    client.force_login(applicant)

    response = client.post(
        reverse("accreditation:eoi-transition", args=[eoi.pk]),
        {"action": action, "expected_status": "submitted", "comment": "I accept myself."},
    )

    eoi.refresh_from_db()
    assert response.status_code == 403
    assert eoi.status == EOIStatus.SUBMITTED
    assert (EOIEvent.objects.count(), HIT.objects.count(), Application.objects.count()) == (0, 0, 0)


def test_eoi_transition_forged_expected_status_by_a_teammate_is_not_found(
    client, teammate, applicant, open_round
):
    eoi = _submitted_eoi(open_round, applicant)
    client.force_login(teammate)

    response = client.post(
        reverse("accreditation:eoi-transition", args=[eoi.pk]),
        {"action": "invite", "expected_status": "submitted"},
    )

    eoi.refresh_from_db()
    assert response.status_code == 404
    assert eoi.status == EOIStatus.SUBMITTED


def test_eoi_transition_unknown_action_changes_nothing(client, chair, applicant, open_round):
    eoi = _submitted_eoi(open_round, applicant)
    client.force_login(chair)

    response = client.post(
        reverse("accreditation:eoi-transition", args=[eoi.pk]),
        {"action": "accredit", "expected_status": "submitted"},
        follow=True,
    )

    eoi.refresh_from_db()
    assert _messages(response) == ["That change could not be made: the form was incomplete."]
    assert eoi.status == EOIStatus.SUBMITTED


# --- Detail and list ---------------------------------------------------------------------------------


def test_eoi_detail_offers_the_chair_invite_and_decline_and_the_author_nothing(
    client, chair, applicant, open_round
):
    eoi = _submitted_eoi(open_round, applicant)
    EOIEventFactory(eoi=eoi, comment="Ready for the panel.")
    client.force_login(chair)
    as_chair = client.get(reverse("accreditation:eoi-detail", args=[eoi.pk]))
    client.force_login(applicant)
    as_author = client.get(reverse("accreditation:eoi-detail", args=[eoi.pk]))

    assert [t.action for t in as_chair.context["available_actions"]] == ["invite", "decline"]
    assert as_author.context["available_actions"] == []
    assert bool(as_author.context["edit_verdict"]) is False
    history = as_chair.context["events"]
    assert [(e.action_label, e.from_label, e.to_label, e.comment) for e in history] == [
        ("Submit", "Draft", "Submitted", "Ready for the panel.")
    ]
    assert "Carers Support Centre" in as_chair.content.decode()


def test_eoi_detail_offers_the_author_submit_and_edit_on_a_draft(client, applicant, open_round):
    eoi = ExpressionOfInterestFactory(round=open_round, author=applicant)
    client.force_login(applicant)

    response = client.get(reverse("accreditation:eoi-detail", args=[eoi.pk]))

    assert [t.action for t in response.context["available_actions"]] == ["submit"]
    assert bool(response.context["edit_verdict"]) is True
    assert reverse("accreditation:eoi-edit", args=[eoi.pk]) in response.content.decode()


def test_eoi_list_author_sees_own_chair_sees_round_pm_sees_all(
    client, applicant, chair, programme_manager, open_round
):
    mine = ExpressionOfInterestFactory(round=open_round, author=applicant)
    in_chaired_round = ExpressionOfInterestFactory(round=open_round, submitted=True)
    elsewhere = ExpressionOfInterestFactory()

    def listed(user):
        client.force_login(user)
        return {e.pk for e in client.get(reverse("accreditation:eoi-list")).context["page"]}

    assert listed(applicant) == {mine.pk}
    assert listed(chair) == {mine.pk, in_chaired_round.pk}
    assert listed(programme_manager) == {mine.pk, in_chaired_round.pk, elsewhere.pk}


def test_eoi_list_filters_by_round_status_and_title(pm_client, open_round):
    ExpressionOfInterestFactory(round=open_round, working_title="Frailty at home")
    ExpressionOfInterestFactory(round=open_round, working_title="Child injury", submitted=True)
    ExpressionOfInterestFactory(working_title="Pain in the community")

    by_round = pm_client.get(reverse("accreditation:eoi-list"), {"round": open_round.pk})
    by_status = pm_client.get(reverse("accreditation:eoi-list"), {"status": "submitted"})
    by_title = pm_client.get(reverse("accreditation:eoi-list"), {"q": "PAIN"})

    assert sorted(e.working_title for e in by_round.context["page"]) == ["Child injury", "Frailty at home"]
    assert [e.working_title for e in by_status.context["page"]] == ["Child injury"]
    assert [e.working_title for e in by_title.context["page"]] == ["Pain in the community"]


def test_eoi_list_filter_cannot_widen_what_the_author_sees(client, applicant, open_round):
    ExpressionOfInterestFactory(round=open_round, working_title="Someone else's")
    client.force_login(applicant)

    response = client.get(reverse("accreditation:eoi-list"), {"round": open_round.pk, "q": "else"})

    assert list(response.context["page"]) == []


@pytest.mark.parametrize("rows", [1, 30])
def test_eoi_list_query_count_is_constant(pm_client, django_assert_max_num_queries, rows):
    round = f.RoundFactory()
    for _ in range(rows):
        _submitted_eoi(round, f.UserFactory())

    # session + user + 3 role lookups + the tables' versions (core.versions) + count + page + the round
    # filter's choices
    with django_assert_max_num_queries(9):
        response = pm_client.get(reverse("accreditation:eoi-list"))

    assert response.status_code == 200
    assert len(response.context["page"]) == rows


def test_eoi_list_paginates_by_fifty(pm_client):
    ExpressionOfInterestFactory.create_batch(51, round=f.RoundFactory())

    first = pm_client.get(reverse("accreditation:eoi-list"))
    second = pm_client.get(reverse("accreditation:eoi-list"), {"page": 2})

    assert (len(first.context["page"]), len(second.context["page"])) == (50, 1)


# --- Emails ------------------------------------------------------------------------------------------


def test_eoi_submitted_email_tells_the_chair(
    client, applicant, chair, open_round, django_capture_on_commit_callbacks
):
    applicant.full_name = "Alex Applicant"
    eoi = ExpressionOfInterestFactory(round=open_round, author=applicant, working_title="Frailty at home")
    EOIPartnerFactory.create_batch(2, eoi=eoi)
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accreditation:eoi-transition", args=[eoi.pk]),
            {"action": "submit", "expected_status": "draft"},
        )

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    path = reverse("accreditation:eoi-detail", args=[eoi.pk])
    assert email.subject == f"New expression of interest to {open_round.name}: Frailty at home"
    assert email.to == [chair.email]
    assert "Working title: Frailty at home" in email.body
    assert f"From: Alex Applicant <{applicant.email}>" in email.body
    assert f"Round: {open_round.name}" in email.body
    assert path in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="http://127.0.0.1:8000{path}">' in html
    assert "Frailty at home" in html


def test_eoi_invited_email_gives_the_author_the_next_step(
    client, chair, applicant, open_round, django_capture_on_commit_callbacks
):
    eoi = _submitted_eoi(open_round, applicant, working_title="Frailty & falls")
    client.force_login(chair)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accreditation:eoi-transition", args=[eoi.pk]),
            {"action": "invite", "expected_status": "submitted", "comment": "Bring the GPs in early."},
        )

    email = mail.outbox[0]
    assert len(mail.outbox) == 1
    assert email.subject == "Invited to apply: Frailty & falls"
    assert email.to == [applicant.email]
    assert "has been accepted, and you are invited to send a full application" in email.body
    assert "Bring the GPs in early." in email.body
    assert "we have created Frailty & falls with you as its director" in email.body
    assert f"submit it by {date_format(open_round.application_deadline, 'j F Y')}" in email.body
    assert reverse("accreditation:application-detail", args=[Application.objects.get().pk]) in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Frailty &amp; falls" in html
    assert "Next step:" in html


def test_eoi_declined_email_carries_the_note(
    client, chair, applicant, open_round, django_capture_on_commit_callbacks
):
    eoi = _submitted_eoi(open_round, applicant, working_title="Frailty at home")
    client.force_login(chair)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accreditation:eoi-transition", args=[eoi.pk]),
            {"action": "decline", "expected_status": "submitted", "comment": "It overlaps the Dementia HIT."},
        )

    email = mail.outbox[0]
    assert email.subject == "Your expression of interest was declined: Frailty at home"
    assert email.to == [applicant.email]
    assert "has been declined" in email.body
    assert "It overlaps the Dementia HIT." in email.body
    assert "Next step" not in email.body
    assert reverse("accreditation:eoi-detail", args=[eoi.pk]) in email.body
    html, mimetype = email.alternatives[0]
    assert (mimetype, "It overlaps the Dementia HIT." in html) == ("text/html", True)
