"""The set-up checklist: each item failing alone, all holding, the guard of "activate" (its answer to
teams.signals.hit_transition_requested, sent by teams.services.hit_transition) and the setup pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reporting import receivers as checklist
from teams.enums import HITStatus, LeadSide, MembershipRole
from teams.models import HIT, HITStatusChange, Membership
from teams.services import hits as team_services
from teams.signals import hit_transition_requested
from teams.workflow import HIT_WORKFLOW
from tests import factories as f
from tests.factories import reporting as rf
from tests.factories.accreditation_panel import ConditionFactory
from tests.factories.engagement import PublicReviewFactory


@pytest.fixture
def set_up_hit(db):
    return f.HITFactory(name="Maternity HIT", status=HITStatus.SET_UP)


@pytest.fixture
def ready(set_up_hit):
    return rf.setup_ready_hit(set_up_hit)


def _missing(hit) -> list[str]:
    return [item.key for item in checklist.checklist_for(hit).missing]


def test_all_items_hold(set_up_hit, ready):
    result = checklist.checklist_for(set_up_hit)

    assert result.holds
    assert [item.key for item in result.items] == [
        checklist.SPONSOR,
        checklist.MANAGEMENT,
        checklist.WORKING_GROUPS,
        checklist.PPI,
        checklist.CONDITIONS,
    ]
    assert result.done_count == 5


def test_sponsor_not_confirmed_fails_alone(set_up_hit, ready):
    application = ready["application"]
    application.sponsor_confirmed_at = None
    application.save(update_fields=["sponsor_confirmed_at"])

    assert _missing(set_up_hit) == [checklist.SPONSOR]
    item = checklist.checklist_for(set_up_hit).missing[0]
    assert "has not confirmed" in item.message and "director asks the sponsor" in item.message


def test_a_changed_sponsor_needs_a_new_confirmation(set_up_hit, ready):
    application = ready["application"]
    application.executive_sponsor = f.PersonFactory()
    application.save(update_fields=["executive_sponsor"])

    assert _missing(set_up_hit) == [checklist.SPONSOR]


def test_no_accredited_application_fails_the_sponsor_item(set_up_hit, ready):
    ready["accreditation"].delete()

    item = checklist.checklist_for(set_up_hit).missing[0]
    assert (item.key, item.message.startswith("There is no accredited application")) == (
        checklist.SPONSOR,
        True,
    )


def test_the_hit_page_and_the_checklist_agree_on_the_sponsor(client, set_up_hit, ready, programme_manager):
    """Regression: the HIT page said "Executive sponsor: Not recorded" (no sponsor membership) while
    the checklist said the sponsor confirmed (on the accredited application). Both now read the HIT's
    current executive sponsor, and the checklist asks that this person confirmed."""
    Membership.objects.filter(hit=set_up_hit, role=MembershipRole.EXECUTIVE_SPONSOR).delete()
    client.force_login(programme_manager)

    page = client.get(reverse("teams:hit-detail", args=[set_up_hit.pk])).content.decode()
    item = checklist.checklist_for(set_up_hit).items[0]

    assert '<dd class="col-sm-9">Not recorded</dd>' in page
    assert (item.key, item.ok) == (checklist.SPONSOR, False)
    assert item.message == (
        "No executive sponsor is recorded on the HIT. The accredited application names "
        f"{ready['sponsor'].full_name}, who confirmed; the HIT's director adds them as the HIT's "
        "executive sponsor (a programme manager can too)."
    )


def test_a_current_sponsor_who_did_not_confirm_fails_the_sponsor_item(set_up_hit, ready):
    Membership.objects.filter(hit=set_up_hit, role=MembershipRole.EXECUTIVE_SPONSOR).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    newcomer = f.MembershipFactory(hit=set_up_hit, sponsor=True, person__full_name="Nia Newcomer")

    item = checklist.checklist_for(set_up_hit).items[0]

    assert (item.ok, item.message) == (
        False,
        f"{newcomer.person.full_name}, the HIT's executive sponsor, has not confirmed on the accredited "
        "application (it was confirmed by "
        f"{ready['sponsor'].full_name}). The HIT's director asks the sponsor to confirm; a programme "
        "manager can help if the sponsor changed.",
    )


def test_the_hit_page_names_the_sponsor_the_checklist_says_confirmed(
    client, set_up_hit, ready, programme_manager
):
    client.force_login(programme_manager)

    page = client.get(reverse("teams:hit-detail", args=[set_up_hit.pk])).content.decode()
    item = checklist.checklist_for(set_up_hit).items[0]

    assert f'<dd class="col-sm-9">{ready["sponsor"].full_name}' in page
    assert (item.ok, item.message) == (True, f"{ready['sponsor'].full_name} confirmed their sponsorship.")


def test_management_group_from_one_organisation_fails_alone(set_up_hit, ready):
    first, second = ready["managers"]
    Membership.objects.filter(pk=second.pk).update(organisation=first.organisation)

    assert _missing(set_up_hit) == [checklist.MANAGEMENT]
    assert "draws on one organisation" in checklist.checklist_for(set_up_hit).missing[0].message


def test_a_management_member_who_left_does_not_count(set_up_hit, ready):
    second = ready["managers"][1]
    Membership.objects.filter(pk=second.pk).update(end_date=timezone.localdate() - datetime.timedelta(days=1))

    assert _missing(set_up_hit) == [checklist.MANAGEMENT]


def test_a_working_group_without_a_service_lead_fails_alone(set_up_hit, ready):
    service = ready["leads"][1]
    Membership.objects.filter(pk=service.pk).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )

    assert _missing(set_up_hit) == [checklist.WORKING_GROUPS]
    assert "Crisis care (no service lead)" in checklist.checklist_for(set_up_hit).missing[0].message


def test_a_second_working_group_with_no_leads_fails(set_up_hit, ready):
    f.WorkingGroupFactory(hit=set_up_hit, name="Carers")

    item = checklist.checklist_for(set_up_hit).missing[0]
    assert "Carers (no academic or service lead)" in item.message


def test_no_working_group_at_all_fails(set_up_hit, ready):
    ready["group"].delete()

    assert _missing(set_up_hit) == [checklist.WORKING_GROUPS]


def test_no_public_review_fails_alone(set_up_hit, ready):
    ready["review"].delete()

    assert _missing(set_up_hit) == [checklist.PPI]


def test_the_latest_public_review_decides(set_up_hit, ready):
    PublicReviewFactory(
        hit=set_up_hit,
        arrangements_adequate=False,
        reviewed_on=timezone.localdate() + datetime.timedelta(days=1),
    )

    assert _missing(set_up_hit) == [checklist.PPI]
    assert "not yet adequate" in checklist.checklist_for(set_up_hit).missing[0].message


def test_an_open_condition_fails_alone(set_up_hit, ready):
    ConditionFactory(decision=ready["condition"].decision, text="Sign the data-sharing agreement.")

    assert _missing(set_up_hit) == [checklist.CONDITIONS]
    assert "Sign the data-sharing agreement." in checklist.checklist_for(set_up_hit).missing[0].message


def test_checklists_for_many_hits_take_five_queries(db, django_assert_num_queries):
    hits = [f.HITFactory(status=HITStatus.SET_UP) for _ in range(4)]
    for hit in hits[:2]:
        rf.setup_ready_hit(hit)

    with django_assert_num_queries(5):
        results = checklist.checklists_for([h.pk for h in hits])

    assert [results[h.pk].holds for h in hits] == [True, True, False, False]


# --- The guard of "activate" -------------------------------------------------------------------------


def _answers(hit, action: str) -> dict:
    """What each receiver of the signal answers for `action` from set-up."""
    transition = HIT_WORKFLOW.get(action, HITStatus.SET_UP)
    return dict(hit_transition_requested.send(sender=HIT, hit=hit, transition=transition))


def test_the_checklist_answers_the_signal_for_activate_with_what_is_missing(set_up_hit):
    missing = checklist.checklist_for(set_up_hit).missing

    answer = _answers(set_up_hit, "activate")[checklist.activation_guard]

    assert len(missing) == 4  # all but the conditions, of which there are none
    assert answer == [f"{item.label}: {item.message}" for item in missing]


def test_the_checklist_has_nothing_to_say_about_other_moves(set_up_hit):
    assert _answers(set_up_hit, "begin_closure")[checklist.activation_guard] == []


def test_activate_succeeds_when_the_checklist_holds(set_up_hit, ready, programme_manager):
    team_services.hit_transition(actor=programme_manager, hit_id=set_up_hit.pk, action="activate")

    set_up_hit.refresh_from_db()
    assert set_up_hit.status == HITStatus.ACTIVE
    change = HITStatusChange.objects.get(hit=set_up_hit)
    assert (change.action, change.from_status, change.to_status, change.actor) == (
        "activate",
        "set_up",
        "active",
        programme_manager,
    )


def test_activate_is_refused_with_the_missing_items_and_changes_nothing(set_up_hit, ready, programme_manager):
    ready["review"].delete()
    ConditionFactory(decision=ready["condition"].decision)

    with pytest.raises(ValidationError) as exc:
        team_services.hit_transition(actor=programme_manager, hit_id=set_up_hit.pk, action="activate")

    assert [m.split(":")[0] for m in exc.value.messages] == [
        "PPI arrangements reviewed by the public review group",
        "Accreditation conditions closed",
    ]
    set_up_hit.refresh_from_db()
    assert set_up_hit.status == HITStatus.SET_UP
    assert not HITStatusChange.objects.filter(hit=set_up_hit).exists()


def test_a_replayed_history_skips_the_guard_only_when_asked(set_up_hit, programme_manager):
    with pytest.raises(ValidationError):
        team_services.hit_transition(actor=programme_manager, hit_id=set_up_hit.pk, action="activate")

    hit = team_services.hit_transition(
        actor=programme_manager, hit_id=set_up_hit.pk, action="activate", check_guards=False
    )

    assert hit.status == HITStatus.ACTIVE
    assert checklist.activation_guard in _answers(hit, "activate")  # still connected for everyone else


def test_other_transitions_are_not_guarded(set_up_hit, programme_manager):
    team_services.hit_transition(
        actor=programme_manager,
        hit_id=set_up_hit.pk,
        action="begin_closure",
        reason="Lost funding",
        closure_reason="capacity_lost",
    )

    set_up_hit.refresh_from_db()
    assert set_up_hit.status == HITStatus.CLOSING


# --- Pages -------------------------------------------------------------------------------------------


def test_setup_page_lists_items_with_what_is_missing(client, set_up_hit, ready, programme_manager):
    ready["review"].delete()
    client.force_login(programme_manager)

    response = client.get(reverse("reporting:setup-checklist", args=[set_up_hit.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "4 of 5 items hold." in content
    assert "A lay reviewer records the review" in content
    assert reverse("reporting:setup-activate", args=[set_up_hit.pk]) in content


def test_setup_activate_refused_shows_the_missing_items(client, set_up_hit, ready, programme_manager):
    Membership.objects.filter(pk=ready["leads"][0].pk).delete()
    client.force_login(programme_manager)

    response = client.post(
        reverse("reporting:setup-activate", args=[set_up_hit.pk]), {"expected_status": "set_up"}, follow=True
    )

    content = response.content.decode()
    assert "The HIT stays in set-up until every item of its checklist holds:" in content
    assert "Crisis care (no academic lead)" in content
    set_up_hit.refresh_from_db()
    assert set_up_hit.status == HITStatus.SET_UP


def test_setup_activate_moves_the_hit_to_active(client, set_up_hit, ready, programme_manager):
    client.force_login(programme_manager)

    response = client.post(
        reverse("reporting:setup-activate", args=[set_up_hit.pk]), {"expected_status": "set_up"}
    )

    assert response.status_code == 302
    set_up_hit.refresh_from_db()
    assert set_up_hit.status == HITStatus.ACTIVE


def test_setup_activate_twice_the_second_is_told_it_already_moved(
    client, set_up_hit, ready, programme_manager
):
    client.force_login(programme_manager)
    url = reverse("reporting:setup-activate", args=[set_up_hit.pk])
    client.post(url, {"expected_status": "set_up"})

    response = client.post(url, {"expected_status": "set_up"}, follow=True)

    assert "This HIT was already moved to active by Pat Manager" in response.content.decode()
    assert HITStatusChange.objects.filter(hit=set_up_hit, action="activate").count() == 1


def test_the_hit_page_activate_goes_through_the_same_guard(client, set_up_hit, programme_manager):
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:hit-transition", args=[set_up_hit.pk]),
        {"action": "activate", "expected_status": "set_up"},
        follow=True,
    )

    assert "Executive sponsor confirmed: There is no accredited application" in response.content.decode()
    set_up_hit.refresh_from_db()
    assert set_up_hit.status == HITStatus.SET_UP


def test_wg_lead_helper_is_consistent(set_up_hit, ready):
    leads = Membership.objects.filter(hit=set_up_hit, role=MembershipRole.WORKING_GROUP_LEAD)
    assert sorted(leads.values_list("lead_side", flat=True)) == [LeadSide.ACADEMIC, LeadSide.SERVICE]
