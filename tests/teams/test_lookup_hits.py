"""Choosing a HIT from a portfolio of hundreds (teams.forms.lookup.HITS): the report list's HIT filter
becomes the lookup's search box past ``DIRECTORY_SELECT_FULL_MAX`` HITs, ?hit=<id> still filters and
shows the chosen HIT by name, and the lookup view finds only the HITs its user may see."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.enums import ReportStatus
from teams.enums import HITStatus
from tests import factories as f
from tests.factories import reporting as rf


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_lists(settings):
    """The portfolio counts as large past three HITs; a narrowed list shows two."""
    settings.DIRECTORY_SELECT_FULL_MAX = 3
    settings.DIRECTORY_LOOKUP_LIMIT = 2


@pytest.fixture
def portfolio(hit, other_hit):
    """Dementia HIT and Pain HIT (conftest) and four more, each with an open progress report."""
    more = [
        f.HITFactory(name=name, status=HITStatus.ACTIVE) for name in ["Asthma", "Back care", "Cancer", "Zest"]
    ]
    for each in [hit, other_hit, *more]:
        rf.ProgressReportFactory(hit=each, status=ReportStatus.DRAFT)
    return {h.name: h for h in [hit, other_hit, *more]}


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def _labels(html: str, name: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", _select(html, name))


def _lookup(client, **params):
    return client.get(reverse("teams:directory-lookup", args=["hits"]), {"field": "hit", **params})


# --- The report list's filter ---------------------------------------------------------------------------


def test_few_hits_are_a_plain_list(client, programme_manager, portfolio):
    client.force_login(programme_manager)

    html = client.get(reverse("reporting:report-list")).content.decode()

    assert 'name="hit__q"' not in html
    assert len(_labels(html, "hit")) == len(portfolio) + 1


def test_many_hits_are_a_search_box_and_a_short_list(small_lists, client, programme_manager, portfolio):
    client.force_login(programme_manager)

    html = client.get(reverse("reporting:report-list")).content.decode()

    assert 'name="hit__q"' in html
    assert 'hx-get="/teams/lookup/hits/"' in html
    assert _labels(html, "hit") == ["Any HIT", "Asthma", "Back care"]


def test_a_hit_in_the_url_filters_and_is_shown_by_name(small_lists, client, programme_manager, portfolio):
    client.force_login(programme_manager)
    zest = portfolio["Zest"]

    response = client.get(reverse("reporting:report-list"), {"hit": zest.pk})

    assert [r.hit_id for r in response.context["page"].object_list] == [zest.pk]
    select = _select(response.content.decode(), "hit")
    assert f'<option value="{zest.pk}" selected>Zest</option>' in select


def test_a_hit_typed_without_javascript_filters(small_lists, client, programme_manager, portfolio):
    client.force_login(programme_manager)

    response = client.get(reverse("reporting:report-list"), {"hit__q": "zest"})

    assert [r.hit.name for r in response.context["page"].object_list] == ["Zest"]


def test_a_hit_the_user_may_not_see_is_refused_next_to_the_field(small_lists, client, director, portfolio):
    client.force_login(director)
    pain = portfolio["Pain HIT"]

    response = client.get(reverse("reporting:report-list"), {"hit": pain.pk})

    assert response.context["filter"].form.errors["hit"]
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Pain HIT" not in html
    assert all(r.hit_id == portfolio["Dementia HIT"].pk for r in response.context["page"].object_list)


def test_the_report_list_reads_the_same_number_of_queries_at_any_size(
    settings, client, programme_manager, portfolio
):
    client.force_login(programme_manager)
    url = reverse("reporting:report-list")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"hit": portfolio["Zest"].pk})
    settings.DIRECTORY_SELECT_FULL_MAX = 3
    settings.DIRECTORY_LOOKUP_LIMIT = 2
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"hit": portfolio["Zest"].pk})

    assert response.status_code == 200
    # The chosen HIT past the short list is read once more; nothing is counted.
    assert len(large.captured_queries) <= len(small.captured_queries) + 1
    assert not any("COUNT(" in q["sql"].upper() and '"teams_hit"' in q["sql"] for q in large.captured_queries)


# --- The lookup view ------------------------------------------------------------------------------------


def test_lookup_refuses_anonymous_users(client, portfolio):
    response = _lookup(client, hit__q="dementia")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_lookup_is_refused_to_those_with_no_hit_to_find(client, no_role_user, portfolio):
    client.force_login(no_role_user)

    assert _lookup(client, hit__q="dementia").status_code == 403


@pytest.mark.parametrize("persona", ["programme_manager", "board_member", "ppi_facilitator"])
def test_portfolio_roles_find_every_hit(client, request, persona, portfolio):
    client.force_login(request.getfixturevalue(persona))

    html = _lookup(client, hit__q="hit").content.decode()

    assert "Dementia HIT" in html
    assert "Pain HIT" in html


def test_a_hit_member_finds_only_their_own_hits(client, director, portfolio):
    client.force_login(director)

    found = _lookup(client, hit__q="hit").content.decode()
    nothing = _lookup(client, hit__q="pain").content.decode()
    listed = _lookup(client).content.decode()

    assert "Dementia HIT" in found
    assert "Pain HIT" not in found
    assert "Pain HIT" not in nothing
    assert (
        "No HIT in the directory matches"
        in _lookup(client, hit__q="pain", status="id_hit__status").content.decode()
    )
    assert "Zest" not in listed and "Asthma" not in listed


def test_a_hit_member_cannot_keep_another_hit_selected(client, director, portfolio):
    client.force_login(director)

    html = _lookup(client, hit=str(portfolio["Pain HIT"].pk)).content.decode()

    assert "Pain HIT" not in html


def test_hit_lookups_share_the_directory_limit(settings, client, programme_manager, portfolio):
    settings.DIRECTORY_LOOKUPS_PER_MINUTE = 2
    client.force_login(programme_manager)

    statuses = [_lookup(client, hit__q="hit").status_code for _ in range(2)]
    refused = _lookup(client, hit__q="hit")
    people = client.get(reverse("teams:directory-lookup", args=["people"]), {"field": "director"})

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert "Dementia" not in refused.content.decode()
    assert people.status_code == 429


def test_lookup_reads_a_fixed_number_of_queries(
    client, programme_manager, portfolio, django_assert_max_num_queries
):
    client.force_login(programme_manager)
    _lookup(client, hit__q="hit")

    with django_assert_max_num_queries(8):
        response = _lookup(client, hit__q="hit")

    assert response.status_code == 200


# --- Organisations for applicants ------------------------------------------------------------------------


def test_an_applicant_searches_organisations_but_not_people(client, applicant):
    f.OrganisationFactory(name="North Bristol Trust")
    client.force_login(applicant)

    organisations = client.get(
        reverse("teams:directory-lookup", args=["organisations"]),
        {"field": "partners-0-organisation", "partners-0-organisation__q": "bristol"},
    )
    people = client.get(reverse("teams:directory-lookup", args=["people"]), {"field": "director"})

    assert organisations.status_code == 200
    assert "North Bristol Trust" in organisations.content.decode()
    assert people.status_code == 403
