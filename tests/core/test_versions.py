"""Lists rendered once per version of what they show (core.versions): every change shows on the next request,
one viewer's rendering is never served to another, and a rendering from the cache costs a fixed number
of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import versions
from teams.enums import MembershipRole
from teams.models import HIT, RoleAssignment
from tests import factories as f
from tests.factories import reporting as report_factories


def _hit_list(client) -> str:
    response = client.get(reverse("teams:hit-list"))
    assert response.status_code == 200
    return response.content.decode()


def test_an_edit_shows_on_the_next_request(client, programme_manager, hit):
    client.force_login(programme_manager)
    assert "Dementia HIT" in _hit_list(client)
    assert "Dementia HIT" in _hit_list(client)  # from the cache

    hit.name = "Memory HIT"
    hit.save()

    page = _hit_list(client)
    assert "Memory HIT" in page
    assert "Dementia HIT" not in page


def test_a_deletion_shows_on_the_next_request(client, programme_manager, hit, other_hit):
    client.force_login(programme_manager)
    assert "Pain HIT" in _hit_list(client)

    # Not the newest row: its highest id does not move, only its token does.
    assert other_hit.pk > hit.pk
    HIT.objects.filter(pk=hit.pk).delete()

    assert "Dementia HIT" not in _hit_list(client)


def test_a_bulk_update_shows_once_bumped(client, programme_manager, hit):
    client.force_login(programme_manager)
    assert "Dementia HIT" in _hit_list(client)

    HIT.objects.filter(pk=hit.pk).update(name="Renamed in bulk")  # sends no signal
    versions.bump(HIT)

    assert "Renamed in bulk" in _hit_list(client)


def test_a_new_row_shows_even_without_a_signal(client, programme_manager, hit):
    client.force_login(programme_manager)
    assert "Bulk HIT" not in _hit_list(client)

    HIT.objects.bulk_create([HIT(name="Bulk HIT", slug="bulk")])  # its id is the new highest

    assert "Bulk HIT" in _hit_list(client)


def test_a_change_inside_a_transaction_bumps_again_at_commit(hit):
    before = versions.fingerprint([HIT])
    with transaction.atomic():
        hit.name = "Renamed"
        hit.save()
        inside = versions.fingerprint([HIT])
        hit.save()
    # One callback for the test's transaction however many saves (the test never commits: run it here).
    pending = [
        func for _ids, func, _robust in connection.run_on_commit if isinstance(func, versions.PendingBumps)
    ]
    assert len(pending) == 1
    pending[0]()
    assert before != inside != versions.fingerprint([HIT])


def test_a_sign_in_changes_no_version(hit, programme_manager):
    before = versions.fingerprint([HIT, type(programme_manager)])
    programme_manager.save(update_fields=["last_login"])
    assert versions.fingerprint([HIT, type(programme_manager)]) == before


def test_one_viewers_list_is_never_served_to_another(client, director, hit, other_hit):
    other_director = f.UserFactory()
    person = f.PersonFactory(
        user=other_director, full_name=other_director.full_name, email=other_director.email
    )
    f.MembershipFactory(hit=other_hit, person=person, role=MembershipRole.DIRECTOR)

    client.force_login(director)
    mine = _hit_list(client)
    client.force_login(other_director)
    theirs = _hit_list(client)

    assert "Dementia HIT" in mine and "Pain HIT" not in mine
    assert "Pain HIT" in theirs and "Dementia HIT" not in theirs


def test_a_new_role_shows_at_once(client, director, other_hit):
    client.force_login(director)
    assert "Pain HIT" not in _hit_list(client)

    f.MembershipFactory(hit=other_hit, person=director.person, role=MembershipRole.MEMBER)
    director.refresh_from_db()  # the session's next request loads the user again

    assert "Pain HIT" in _hit_list(client)


def test_the_csrf_token_and_one_time_keys_are_the_viewers_own(client, programme_manager, hit):
    report_factories.ProgressReportFactory(hit=hit)
    client.force_login(programme_manager)
    first = client.get(reverse("reporting:report-list")).content.decode()
    second = client.get(reverse("reporting:report-list")).content.decode()  # from the cache

    for page in (first, second):
        assert versions.CSRF_PLACEHOLDER not in page
        assert versions.FORM_KEY_PLACEHOLDER not in page
        assert re.search(r'name="csrfmiddlewaretoken" value="\w{20,}"', page)
    keys = [re.findall(r'name="form_key" value="([\w-]+)"', page) for page in (first, second)]
    assert keys[0] and keys[1] and set(keys[0]).isdisjoint(keys[1])


def test_nothing_is_kept_while_the_shared_cache_is_away(client, programme_manager, hit, monkeypatch):
    monkeypatch.setattr(versions, "shared_cache_answers", lambda: False)
    rendered = []
    original = versions.cached_render

    def counting(request, *, render, **kwargs):
        def counted(extra):
            rendered.append(1)
            return render(extra)

        return original(request, render=counted, **kwargs)

    monkeypatch.setattr("teams.views.hits.cached_render", counting)
    client.force_login(programme_manager)
    _hit_list(client)
    _hit_list(client)

    assert len(rendered) == 2


def test_an_untracked_source_is_refused(rf_request):
    with pytest.raises(ValueError, match="not tracked"):
        versions.cached_render(
            rf_request, name="x", scope="s", sources=[RoleAssignment], render=lambda extra: ""
        )


@pytest.fixture
def rf_request(db, rf):
    return rf.get("/")


# --- A rendering from the cache costs the same few queries, whatever the list holds ---------------------

CACHED_HIT = 3  # session + user (the roles are in the cache) + the tables' versions


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize(
    "url_name",
    ["teams:hit-list", "reporting:report-list", "accreditation:eoi-list", "accreditation:condition-list"],
)
def test_a_cached_list_costs_a_fixed_number_of_queries(
    client, programme_manager, django_assert_num_queries, url_name, rows
):
    for _ in range(rows):
        report_factories.ProgressReportFactory(hit=f.HITFactory())
    client.force_login(programme_manager)
    client.get(reverse(url_name))

    with django_assert_num_queries(CACHED_HIT):
        response = client.get(reverse(url_name))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_a_cached_round_board_costs_a_fixed_number_of_queries(
    chair, panel, client, django_assert_num_queries, rows
):
    from tests.factories.accreditation_panel import PanelApplicationFactory

    for _ in range(rows):
        PanelApplicationFactory(round=panel.round)
    client.force_login(chair)
    url = reverse("accreditation:round-board", args=[panel.round.pk])
    client.get(url)

    with django_assert_num_queries(CACHED_HIT + 1):  # and the round, for its heading and the permission
        response = client.get(url)

    assert response.status_code == 200


def test_a_recompute_of_the_stored_scores_changes_their_version(hit):
    from engagement.models import CoverageScore
    from engagement.services.scores import coverage_compute

    coverage_compute(hit_ids=[hit.pk])
    before = versions.fingerprint([CoverageScore])

    coverage_compute(hit_ids=[hit.pk])  # an upsert of the same row: no signal, no new id

    assert versions.fingerprint([CoverageScore]) != before


def test_a_new_release_never_serves_the_old_rendering(client, programme_manager, hit, settings):
    client.force_login(programme_manager)
    _hit_list(client)
    settings.LIST_CACHE_RELEASE = "next"
    versions.release.cache_clear()
    try:
        with CaptureQueriesContext(connection) as queries:
            _hit_list(client)
    finally:
        versions.release.cache_clear()

    assert len(queries) > CACHED_HIT  # rendered again: the HITs were read


def test_a_made_up_query_string_is_rendered_and_not_kept(client, programme_manager, hit):
    client.force_login(programme_manager)
    url = reverse("teams:hit-list")
    for query in ({"made_up": "1"}, {"status": "active"}):
        client.get(url, query)
        with CaptureQueriesContext(connection) as again:
            response = client.get(url, query)
        assert "Dementia HIT" in response.content.decode()
        if "made_up" in query:
            assert len(again) > CACHED_HIT  # rendered again: the count and the page of HITs
        else:
            assert len(again) == CACHED_HIT
