import pytest
from django.urls import reverse

from teams.enums import HITStatus, MembershipRole
from tests import factories as f


def test_home_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_home_user_without_role_sees_no_data(client, no_role_user, hit):
    client.force_login(no_role_user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.context["roles"].is_empty
    data_keys = {
        "status_counts",
        "setup_hits",
        "my_hits",
        "my_panels",
        "open_rounds",
        "hits_without_ppi_lead",
    }
    assert data_keys & set(response.context.keys()) == set()
    assert hit.name not in response.content.decode()


def test_home_programme_manager_sees_attention_items(client, programme_manager, hit):
    waiting = f.HITFactory(name="Stroke HIT", status=HITStatus.SET_UP)
    f.MembershipFactory(hit=hit, role=MembershipRole.DIRECTOR)
    lonely = f.MembershipFactory(hit=hit, academic_lead=True)
    client.force_login(programme_manager)

    response = client.get(reverse("home"))

    assert response.context["setup_hits"] == [waiting]
    assert response.context["hits_without_director"] == [waiting]
    assert response.context["groups_missing_leads"] == [(hit, [lonely.working_group.name])]
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert counts["active"] == 1
    assert counts["set_up"] == 1


def test_home_ppi_facilitator_sees_hits_without_ppi_lead(client, ppi_facilitator, hit, other_hit):
    f.MembershipFactory(hit=hit, role=MembershipRole.PPI_LEAD)
    client.force_login(ppi_facilitator)

    response = client.get(reverse("home"))

    assert response.context["hits_without_ppi_lead"] == [other_hit]


def test_home_director_sees_own_hit_and_its_gaps(client, director, hit, other_hit):
    lonely = f.MembershipFactory(hit=hit, service_lead=True)
    f.MembershipFactory(hit=other_hit, academic_lead=True)
    client.force_login(director)

    response = client.get(reverse("home"))

    assert response.context["my_hits"] == [(hit, ["Director"])]
    assert response.context["my_groups_missing_leads"] == [(hit, [lonely.working_group.name])]


def test_home_reviewer_sees_panels(client, reviewer, panel):
    client.force_login(reviewer)

    response = client.get(reverse("home"))

    assert [m.panel for m in response.context["my_panels"]] == [panel]


def test_home_applicant_sees_open_rounds_only(client, applicant):
    open_round = f.RoundFactory(name="Open round")
    f.RoundFactory(name="Past round", closed=True)
    client.force_login(applicant)

    response = client.get(reverse("home"))

    assert response.context["open_rounds"] == [open_round]


@pytest.mark.parametrize("rows", [1, 25])
def test_home_programme_manager_query_count_is_constant(
    client, programme_manager, django_assert_max_num_queries, rows
):
    for hit in f.HITFactory.create_batch(rows, status=HITStatus.SET_UP):
        f.MembershipFactory(hit=hit, academic_lead=True)
    client.force_login(programme_manager)

    # session, user, 3 role lookups, a fixed number per attention item, and reporting's panels
    # (flags, overdue reports, set-up checklists: 17 queries whatever the number of HITs)
    with django_assert_max_num_queries(38):
        response = client.get(reverse("home"))

    assert len(response.context["groups_missing_leads"]) == rows


def test_home_chair_sees_eois_applications_and_conflicts(client, chair, panel, hit):
    from accreditation.models import Application, ExpressionOfInterest, ReviewAssignment

    eoi = ExpressionOfInterest.objects.create(
        round=panel.round, author=chair, working_title="Falls", status="submitted"
    )
    application = Application.objects.create(hit=hit, round=panel.round, status="under_review")
    conflicted = ReviewAssignment.objects.create(
        application=application, reviewer=f.UserFactory(), flagged_organisations="North Trust"
    )
    client.force_login(chair)

    response = client.get(reverse("home"))

    assert response.context["eois_to_decide"] == [eoi]
    assert response.context["applications_for_panel"] == [application]
    assert response.context["conflicts_waiting"] == [conflicted]
    assert reverse("accreditation:round-board", args=[panel.round_id]) in response.content.decode()


def test_home_reviewer_sees_assignments_until_review_submitted(client, reviewer, panel, hit):
    from accreditation.models import Application, Review, ReviewAssignment

    application = Application.objects.create(hit=hit, round=panel.round, status="under_review")
    assignment = ReviewAssignment.objects.create(
        application=application, reviewer=reviewer, declaration="none"
    )
    client.force_login(reviewer)

    before = client.get(reverse("home")).context["my_assignments"]
    Review.objects.create(assignment=assignment, revision_number=1, status="submitted")
    after = client.get(reverse("home")).context["my_assignments"]

    assert before == [assignment]
    assert after == []


def test_home_director_sees_applications_in_progress(client, director, hit, panel):
    from accreditation.models import Application

    application = Application.objects.create(hit=hit, round=panel.round)
    client.force_login(director)

    response = client.get(reverse("home"))

    assert response.context["my_applications"] == [application]


# --- A HIT member's accreditation and reports --------------------------------------------------------------


def _accredited(hit, *, ends_in_days: int):
    import datetime

    from django.utils import timezone

    from tests.factories.accreditation_panel import (
        AccreditationFactory,
        DecisionFactory,
        PanelApplicationFactory,
    )

    decision = DecisionFactory(application=PanelApplicationFactory(hit=hit, accredited=True))
    return AccreditationFactory(
        decision=decision, valid_until=timezone.localdate() + datetime.timedelta(days=ends_in_days)
    )


def test_home_director_sees_the_renewal_and_the_conditions_she_owns(client, director, hit, other_hit):
    from tests.factories.accreditation_panel import ConditionFactory

    accreditation = _accredited(hit, ends_in_days=100)
    _accredited(other_hit, ends_in_days=100)
    mine = ConditionFactory(decision=accreditation.decision, owner=director.person, overdue=True)
    teams = ConditionFactory(decision=accreditation.decision)
    ConditionFactory(decision=accreditation.decision, closed=True)
    ConditionFactory()  # another HIT's
    client.force_login(director)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert [a.hit for a in response.context["my_renewals"]] == [hit]
    assert "Start the renewal from the accredited application" in html
    assert response.context["my_conditions"] == [mine, teams]
    assert reverse("accreditation:condition-close", args=[mine.pk]) in html
    assert reverse("accreditation:condition-close", args=[teams.pk]) not in html
    assert "Overdue" in html


def test_home_member_sees_conditions_but_leaves_the_renewal_to_the_director(client, teammate, hit):
    from tests.factories.accreditation_panel import ConditionFactory

    accreditation = _accredited(hit, ends_in_days=30)
    condition = ConditionFactory(decision=accreditation.decision)
    client.force_login(teammate)

    html = client.get(reverse("home")).content.decode()

    assert "The director starts the renewal." in html
    assert "Start the renewal" not in html
    assert condition.text in html
    assert reverse("accreditation:condition-close", args=[condition.pk]) not in html


def test_home_renewal_is_not_shown_while_the_accreditation_has_long_to_run(client, director, hit):
    _accredited(hit, ends_in_days=400)
    client.force_login(director)

    response = client.get(reverse("home"))

    assert response.context["my_renewals"] == []
    assert "No condition of your HITs' accreditation is open." in response.content.decode()


def test_home_member_sees_the_open_report_of_each_of_their_hits(client, director, hit, other_hit):
    import datetime

    from django.utils import timezone

    from tests.factories import reporting as rf

    today = timezone.localdate()
    late = rf.ProgressReportFactory(hit=hit, due_on=today - datetime.timedelta(days=3))
    rf.ProgressReportFactory(hit=hit, accepted=True, due_on=today - datetime.timedelta(days=200))
    rf.ProgressReportFactory(hit=other_hit, due_on=today)
    client.force_login(director)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.context["my_reports"] == [late]
    assert reverse("reporting:report-detail", args=[late.pk]) in html
    assert "with your team to write and submit" in html and "Overdue" in html


def test_home_member_without_an_open_report_is_told_when_the_next_opens(client, director, hit):
    client.force_login(director)

    html = client.get(reverse("home")).content.decode()

    assert "None of your HITs has a progress report open." in html


@pytest.mark.parametrize("rows", [1, 6])
def test_home_director_query_count_is_constant(db, client, django_assert_max_num_queries, rows):
    from tests.factories import reporting as rf
    from tests.factories.accreditation_panel import ConditionFactory

    user = f.UserFactory()
    person = f.PersonFactory(user=user, email=user.email)
    for _ in range(rows):
        hit = f.HITFactory(status=HITStatus.ACTIVE)
        f.MembershipFactory(hit=hit, person=person, role=MembershipRole.DIRECTOR)
        accreditation = _accredited(hit, ends_in_days=60)
        ConditionFactory(decision=accreditation.decision, owner=person)
        rf.ProgressReportFactory(hit=hit)
    client.force_login(user)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("home"))

    assert len(response.context["my_reports"]) == rows
    assert len(response.context["my_conditions"]) == rows


def test_home_ppi_facilitator_sees_the_support_queue_and_quiet_hits(client, ppi_facilitator, hit, other_hit):
    from engagement.enums import SupportStatus
    from reporting.services.flags import hit_flags_recompute
    from tests.factories import engagement as ef

    waiting = ef.SupportRequestFactory(hit=hit, topic="Recruiting young carers")
    ef.SupportRequestFactory(hit=hit, topic="Already helped", status=SupportStatus.CLOSED)
    ef.InvolvementActivityFactory(hit=hit)  # logged a week ago: not quiet
    client.force_login(ppi_facilitator)
    assert "not computed yet" in client.get(reverse("home")).content.decode()
    hit_flags_recompute()  # the worker's run: the page reads what it stored

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.context["support_queue"] == [waiting]
    assert "Already helped" not in html
    assert [row.pk for row in response.context["ppi_quiet_hits"]] == [other_hit.pk]
    assert "HITs with no PPI logged for 90 days (1)" in html and "not computed yet" not in html
    assert 'id="ppi-quiet-as-of"' in html
    assert reverse("engagement:ppi-caseload") in html


def test_home_member_sees_the_action_plan_items_they_own(client, sponsor, hit, other_hit):
    import datetime

    from django.utils import timezone

    from engagement.enums import ActionStatus
    from tests.factories import engagement as ef

    mine = ef.ActionPlanItemFactory(
        hit=hit, owner=sponsor.person, due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    ef.ActionPlanItemFactory(hit=hit, owner=sponsor.person, status=ActionStatus.DONE, title="Finished")
    ef.ActionPlanItemFactory(hit=hit, title="Someone else's")
    client.force_login(sponsor)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.context["my_actions"] == [mine]
    assert reverse("engagement:action-edit", args=[hit.pk, mine.pk]) in html
    assert "Overdue" in html and "Finished" not in html and "Someone else" not in html
