import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from teams.enums import Appointment, HITStatus
from teams.models import HITStatusChange, Organisation, Person
from tests import factories as f


@pytest.fixture
def pm_client(client, programme_manager):
    client.force_login(programme_manager)
    return client


# --- HITs -----------------------------------------------------------------------------------------


def test_hit_list_member_sees_only_own_hits(client, director, hit, other_hit):
    client.force_login(director)

    response = client.get(reverse("teams:hit-list"))

    assert [h.pk for h in response.context["page"]] == [hit.pk]
    assert response.context["title"] == "My HITs"


def test_hit_list_portfolio_role_sees_all(client, board_member, hit, other_hit):
    client.force_login(board_member)

    response = client.get(reverse("teams:hit-list"))

    assert {h.pk for h in response.context["page"]} == {hit.pk, other_hit.pk}


def test_hit_list_filters_by_status_and_search(pm_client, hit, other_hit):
    f.HITFactory(name="Stroke HIT", status=HITStatus.SET_UP)

    by_status = pm_client.get(reverse("teams:hit-list"), {"status": "set_up"})
    by_search = pm_client.get(reverse("teams:hit-list"), {"q": "pain"})

    assert [h.name for h in by_status.context["page"]] == ["Stroke HIT"]
    assert [h.name for h in by_search.context["page"]] == ["Pain HIT"]


@pytest.mark.parametrize("rows", [1, 30])
def test_hit_list_query_count_is_constant(pm_client, django_assert_max_num_queries, rows):
    f.HITFactory.create_batch(rows)

    # session + user + 3 role lookups + count + page
    with django_assert_max_num_queries(9):
        response = pm_client.get(reverse("teams:hit-list"))

    assert response.status_code == 200
    assert len(response.context["page"]) == rows


def test_hit_transition_via_page_records_change(pm_client, programme_manager, hit):
    response = pm_client.post(
        reverse("teams:hit-transition", args=[hit.pk]),
        {"action": "suspend", "expected_status": "active", "reason": "Paused for review"},
        follow=True,
    )

    hit.refresh_from_db()
    assert hit.status == HITStatus.SUSPENDED
    assert [str(m) for m in response.context["messages"]] == ["The HIT's status was changed."]
    assert HITStatusChange.objects.get().actor == programme_manager


def test_hit_transition_without_reason_shows_message_and_changes_nothing(pm_client, hit):
    response = pm_client.post(
        reverse("teams:hit-transition", args=[hit.pk]),
        {"action": "suspend", "expected_status": "active", "reason": ""},
        follow=True,
    )

    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE
    assert [str(m) for m in response.context["messages"]] == ["Give a reason for this change."]


def test_hit_transition_double_submit_second_is_refused(pm_client, hit):
    data = {"action": "suspend", "expected_status": "active", "reason": "Paused"}
    pm_client.post(reverse("teams:hit-transition", args=[hit.pk]), data, follow=True)

    response = pm_client.post(reverse("teams:hit-transition", args=[hit.pk]), data, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith("This HIT was already moved to suspended by Pat Manager")
    assert HITStatusChange.objects.count() == 1


def test_hit_detail_offers_actions_only_to_programme_manager(client, programme_manager, director, hit):
    client.force_login(director)
    as_director = client.get(reverse("teams:hit-detail", args=[hit.pk]))
    client.force_login(programme_manager)
    as_pm = client.get(reverse("teams:hit-detail", args=[hit.pk]))

    assert as_director.context["available_actions"] == []
    assert [t.action for t in as_pm.context["available_actions"]] == ["suspend"]


def test_hit_detail_names_working_groups_missing_a_lead(pm_client, hit):
    academic = f.MembershipFactory(hit=hit, academic_lead=True)
    f.MembershipFactory(hit=hit, service_lead=True, working_group=academic.working_group)
    lonely = f.MembershipFactory(hit=hit, academic_lead=True)

    response = pm_client.get(reverse("teams:hit-detail", args=[hit.pk]))

    assert response.context["missing_leads"] == [lonely.working_group.name]


# --- Directories ----------------------------------------------------------------------------------


def test_organisation_list_filters_by_partner_and_search(pm_client):
    partner = f.OrganisationFactory(name="North Bristol Trust", is_programme_partner=True)
    f.OrganisationFactory(name="Bristol Charity")

    by_partner = pm_client.get(reverse("teams:organisation-list"), {"is_programme_partner": "true"})
    by_search = pm_client.get(reverse("teams:organisation-list"), {"q": "charity"})

    assert [o.pk for o in by_partner.context["page"]] == [partner.pk]
    assert [o.name for o in by_search.context["page"]] == ["Bristol Charity"]


@pytest.mark.parametrize("rows", [1, 40])
def test_organisation_list_query_count_is_constant(pm_client, django_assert_max_num_queries, rows):
    for org in f.OrganisationFactory.create_batch(rows):
        f.AffiliationFactory(organisation=org)

    # session + user + 3 role lookups + count + page + 2 filter choice lists
    with django_assert_max_num_queries(10):
        response = pm_client.get(reverse("teams:organisation-list"))

    assert len(response.context["page"]) == rows
    assert {o.people_count for o in response.context["page"]} == {1}
    # Again: from the cache (session, user and the directory's version; the roles are cached too).
    with django_assert_max_num_queries(3):
        again = pm_client.get(reverse("teams:organisation-list"))
    assert _list(again) == _list(response)


@pytest.mark.parametrize("rows", [1, 40])
def test_person_list_query_count_is_constant(pm_client, django_assert_max_num_queries, rows):
    for person in f.PersonFactory.create_batch(rows):
        f.AffiliationFactory(person=person)
        f.AffiliationFactory(person=person, appointment=Appointment.ACADEMIC, job_title="Professor")

    # session + user + 3 role lookups + count + page + affiliations prefetch + filter choices (ids, rows)
    with django_assert_max_num_queries(11):
        response = pm_client.get(reverse("teams:person-list"))

    assert len(response.context["page"]) == rows
    # Again: from the cache (session, user and the directory's version; the roles are cached too).
    with django_assert_max_num_queries(3):
        again = pm_client.get(reverse("teams:person-list"))
    assert _list(again) == _list(response)


def test_person_list_filters_by_appointment_without_duplicates(pm_client):
    dual = f.PersonFactory(full_name="Dr Dual")
    f.AffiliationFactory(person=dual, appointment=Appointment.ACADEMIC, job_title="Reader")
    f.AffiliationFactory(person=dual, appointment=Appointment.ACADEMIC, job_title="Lecturer")
    f.AffiliationFactory(appointment=Appointment.SERVICE)

    response = pm_client.get(reverse("teams:person-list"), {"appointment": "academic"})

    assert [p.full_name for p in response.context["page"]] == ["Dr Dual"]


def test_organisation_create_bad_input_shows_error_and_stores_nothing(pm_client):
    org_type = f.OrganisationTypeFactory()

    response = pm_client.post(reverse("teams:organisation-create"), {"name": "", "org_type": org_type.pk})

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert Organisation.objects.filter(org_type=org_type).count() == 0


def test_organisation_cannot_sit_under_its_own_child(pm_client):
    parent = f.OrganisationFactory(name="University")
    child = f.OrganisationFactory(name="Faculty", parent=parent)

    response = pm_client.post(
        reverse("teams:organisation-edit", args=[parent.pk]),
        {"name": "University", "org_type": parent.org_type.pk, "parent": child.pk, "is_active": "on"},
    )

    assert response.context["form"].errors == {
        "parent": ["An organisation cannot sit under itself or one of its children."]
    }
    parent.refresh_from_db()
    assert parent.parent is None


def test_person_create_and_add_affiliation(pm_client):
    organisation = f.OrganisationFactory()

    created = pm_client.post(
        reverse("teams:person-create"), {"full_name": "Jo Bloggs", "email": "jo@example.org"}
    )
    person = Person.objects.get(email="jo@example.org")
    added = pm_client.post(
        reverse("teams:affiliation-create", args=[person.pk]),
        {"organisation": organisation.pk, "job_title": "GP", "appointment": "dual"},
    )

    assert created.url == reverse("teams:person-detail", args=[person.pk])
    assert added.url == reverse("teams:person-detail", args=[person.pk])
    assert list(person.affiliations.values_list("organisation", "job_title", "appointment")) == [
        (organisation.pk, "GP", "dual")
    ]


def test_affiliation_end_before_start_is_refused(pm_client):
    person = f.PersonFactory()
    organisation = f.OrganisationFactory()

    response = pm_client.post(
        reverse("teams:affiliation-create", args=[person.pk]),
        {
            "organisation": organisation.pk,
            "appointment": "service",
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
        },
    )

    assert response.context["form"].errors == {"end_date": ["The end date cannot be before the start date."]}
    assert person.affiliations.count() == 0


def _list(response) -> str:
    """The list between the page's heading and the end of its main part (the rest carries tokens)."""
    html = response.content.decode()
    return html[html.index("<h1") : html.index("</main>")]


def test_the_cached_people_list_shows_a_new_affiliation_and_a_renamed_person_at_once(pm_client):
    person = f.PersonFactory(full_name="Ada Early")
    url = reverse("teams:person-list")
    assert "Ada Early" in _list(pm_client.get(url))
    assert pm_client.get(url).context.get("page") is None  # served from the cache

    organisation = f.OrganisationFactory(name="Northern Trust")
    f.AffiliationFactory(person=person, organisation=organisation)
    assert "Northern Trust" in _list(pm_client.get(url))

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        person.full_name = "Ada Later"
        person.save()
        html = _list(pm_client.get(url))
    assert "Ada Later" in html and "Ada Early" not in html


def test_the_cached_organisation_list_shows_a_renamed_organisation_at_once(pm_client):
    organisation = f.OrganisationFactory(name="Old Trust")
    url = reverse("teams:organisation-list")
    assert "Old Trust" in _list(pm_client.get(url))

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        organisation.name = "New Trust"
        organisation.save()
        html = _list(pm_client.get(url))
    assert "New Trust" in html and "Old Trust" not in html


def test_each_filter_of_a_directory_list_is_cached_apart(pm_client):
    f.PersonFactory(full_name="Ada Early", is_public_member=True)
    f.PersonFactory(full_name="Bo Other", is_public_member=False)
    url = reverse("teams:person-list")
    pm_client.get(url)

    filtered = pm_client.get(url, {"is_public_member": "true"})

    assert [p.full_name for p in filtered.context["page"]] == ["Ada Early"]


def test_the_directory_lists_refuse_others_before_reading_the_cache(pm_client, client, board_member):
    f.PersonFactory(full_name="Ada Early")
    pm_client.get(reverse("teams:person-list"))
    client.force_login(board_member)

    response = client.get(reverse("teams:person-list"))

    assert response.status_code == 403 and "Ada Early" not in response.content.decode()


def test_a_deleted_person_other_than_the_newest_is_gone_from_the_cached_people_list_at_once(pm_client):
    gone = f.PersonFactory(full_name="Ada Early")
    f.PersonFactory(full_name="Bea Newest")
    url = reverse("teams:person-list")
    assert "Ada Early" in _list(pm_client.get(url))
    assert pm_client.get(url).context.get("page") is None  # served from the cache

    gone.delete()  # not the highest id, and no edit time moves
    html = _list(pm_client.get(url))

    assert "Ada Early" not in html and "Bea Newest" in html
