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
