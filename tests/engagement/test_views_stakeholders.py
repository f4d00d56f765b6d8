"""The stakeholder map and coverage pages: writes through the services, bad input stores nothing,
rows of another HIT do not exist, and the coverage pages show stored scores without computing."""

from __future__ import annotations

import datetime
import json
import logging
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagement.enums import StakeholderSource
from engagement.models import CoverageScore, ScoreRequest, Stakeholder
from tests import factories as f
from tests.conftest import BROKER_DOWN
from tests.factories import engagement as ef

TODAY = timezone.localdate()
#: The stakeholder map's queries, whatever its size and page (see the test that asserts it).
EXPECTED_MAP_QUERIES = 8
#: ... and served from the cache: session, user, the HIT with its score, the version, the pending request.
CACHED_MAP_QUERIES = 5
# Frozen at today's date: memberships (and so access) start today.
NOW = timezone.now().replace(microsecond=0)


def _map_url(hit) -> str:
    return reverse("engagement:stakeholder-map", args=[hit.pk])


def _coverage_url(hit) -> str:
    return reverse("engagement:coverage-detail", args=[hit.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _json_script(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match is not None, f"no json_script element {element_id}"
    return json.loads(match.group(1))


def _payload(**overrides) -> dict:
    organisation = overrides.pop("organisation") if "organisation" in overrides else f.OrganisationFactory()
    data = {
        "person": "",
        "organisation": getattr(organisation, "pk", organisation),
        "category": ef.category("COMM").pk,
        "depth": "3",
        "role": "Co-chair of the steering group",
        "start_date": "2024-04-01",
        "end_date": "",
        "evidence": "Steering group terms of reference",
    }
    data.update(overrides)
    return data


# --- Create, edit, end -------------------------------------------------------------------------------


def test_create_stores_a_manual_row_and_requests_a_recompute(client, hit, director):
    client.force_login(director)
    organisation = f.OrganisationFactory(name="North Somerset ICB")

    response = client.post(
        reverse("engagement:stakeholder-create", args=[hit.pk]), _payload(organisation=organisation)
    )

    assert response.status_code == 302
    assert response.url == _map_url(hit)
    row = Stakeholder.objects.get()
    assert (row.hit, row.organisation, row.person, row.category.code, row.depth) == (
        hit,
        organisation,
        None,
        "COMM",
        3,
    )
    assert (row.source, row.start_date, row.end_date) == (
        StakeholderSource.MANUAL,
        datetime.date(2024, 4, 1),
        None,
    )
    assert ScoreRequest.objects.filter(hit=hit, kind="coverage").count() == 1


def test_create_then_commit_computes_the_coverage_in_the_worker(
    client, hit, director, django_capture_on_commit_callbacks
):
    client.force_login(director)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("engagement:stakeholder-create", args=[hit.pk]), _payload())

    score = CoverageScore.objects.get(hit=hit)
    assert score.category_depths["COMM"] == 3
    assert score.commissioner_in_leadership is True
    assert ScoreRequest.objects.count() == 0


def test_create_with_the_broker_down_saves_redirects_and_logs_the_lost_task(
    client, hit, director, broker, django_capture_on_commit_callbacks, caplog
):
    client.force_login(director)
    broker.refuse = BROKER_DOWN

    with (
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("engagement:stakeholder-create", args=[hit.pk]), _payload(), follow=True
        )

    assert response.redirect_chain == [(_map_url(hit), 302)]
    assert _messages(response) == [
        f"{Stakeholder.objects.get()} was saved. The coverage will be recalculated shortly."
    ]
    assert broker.published == [("engagement.compute_coverage", {"hit_id": hit.pk}, 1)]
    assert [record.getMessage().split(":")[0] for record in caplog.records] == [
        "Task engagement.compute_coverage could not be queued"
    ]
    # Still pending, so the page says "Recalculating" and engagement.resend_score_requests sends it again.
    assert ScoreRequest.objects.filter(hit=hit, kind="coverage").count() == 1


def test_create_with_a_person_and_no_organisation(client, hit, director):
    client.force_login(director)
    carer = f.PersonFactory(full_name="Carol Carer", is_public_member=True)

    client.post(
        reverse("engagement:stakeholder-create", args=[hit.pk]),
        _payload(person=carer.pk, organisation="", category=ef.category("PUBLIC").pk, depth="2"),
    )

    row = Stakeholder.objects.get()
    assert (row.person, row.organisation, row.depth) == (carer, None, 2)


def test_edit_changes_the_row(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit, depth=1, role="Invited to events")

    response = client.post(
        reverse("engagement:stakeholder-edit", args=[hit.pk, row.pk]),
        _payload(
            organisation=row.organisation, category=row.category_id, depth="2", role="Working group member"
        ),
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.depth, row.role, row.hit) == (2, "Working group member", hit)
    assert Stakeholder.objects.count() == 1


def test_edit_form_shows_the_row(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit, role="Invited to events")

    response = client.get(reverse("engagement:stakeholder-edit", args=[hit.pk, row.pk]))

    assert response.status_code == 200
    assert response.context["form"].instance == row
    assert "Invited to events" in response.content.decode()


def test_end_sets_today_and_keeps_the_row(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit)

    response = client.post(reverse("engagement:stakeholder-end", args=[hit.pk, row.pk]), follow=True)

    row.refresh_from_db()
    assert row.end_date == TODAY
    assert _messages(response) == [f"The involvement of {row} was ended. It stays in the history."]
    assert ScoreRequest.objects.filter(hit=hit).count() == 1


def test_end_on_a_given_day(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit, start_date=datetime.date(2024, 1, 1))

    client.post(reverse("engagement:stakeholder-end", args=[hit.pk, row.pk]), {"end_date": "2024-06-30"})

    row.refresh_from_db()
    assert row.end_date == datetime.date(2024, 6, 30)


def test_end_before_the_start_is_refused(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit, start_date=datetime.date(2024, 1, 1))

    response = client.post(
        reverse("engagement:stakeholder-end", args=[hit.pk, row.pk]), {"end_date": "2023-12-31"}, follow=True
    )

    row.refresh_from_db()
    assert row.end_date is None
    assert _messages(response) == ["The end date cannot be before the start date."]
    assert ScoreRequest.objects.count() == 0


def test_end_of_an_already_ended_row_is_refused(client, hit, director):
    client.force_login(director)
    ended = TODAY - datetime.timedelta(days=3)
    row = ef.StakeholderFactory(hit=hit, end_date=ended)

    response = client.post(reverse("engagement:stakeholder-end", args=[hit.pk, row.pk]), follow=True)

    row.refresh_from_db()
    assert row.end_date == ended
    assert _messages(response) == [
        f"{row} already ended on {ended:%d %B %Y}; edit the row to change the date."
    ]


# --- Bad input: a clear message next to the field, nothing stored -------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"depth": "7"}, "depth", "Choose a depth from 0 to 3."),
        ({"depth": "-1"}, "depth", "Choose a depth from 0 to 3."),
        ({"person": "", "organisation": ""}, "person", "Name a person or an organisation (or both)."),
        (
            {"start_date": "2024-04-01", "end_date": "2024-03-31"},
            "end_date",
            "The end date cannot be before the start date.",
        ),
        ({"category": ""}, "category", "This field is required."),
        ({"start_date": "not a date"}, "start_date", "Enter a valid date."),
    ],
)
def test_create_with_bad_input_stores_nothing(client, hit, director, overrides, field, message):
    client.force_login(director)

    response = client.post(reverse("engagement:stakeholder-create", args=[hit.pk]), _payload(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert "There is a problem" in response.content.decode()
    assert Stakeholder.objects.count() == 0
    assert ScoreRequest.objects.count() == 0


def test_create_with_an_inactive_category_stores_nothing(client, hit, director):
    client.force_login(director)
    category = f.StakeholderCategoryFactory(code="RETIRED", is_active=False)

    response = client.post(
        reverse("engagement:stakeholder-create", args=[hit.pk]), _payload(category=category.pk)
    )

    assert list(response.context["form"].errors) == ["category"]
    assert Stakeholder.objects.count() == 0


def test_edit_with_bad_input_changes_nothing(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit, depth=2, start_date=datetime.date(2024, 1, 1))

    response = client.post(
        reverse("engagement:stakeholder-edit", args=[hit.pk, row.pk]),
        _payload(organisation=row.organisation, depth="9", end_date="2023-01-01"),
    )

    assert set(response.context["form"].errors) == {"depth", "end_date"}
    row.refresh_from_db()
    assert (row.depth, row.end_date, row.category.code) == (2, None, "PROV")


# --- Rows of another HIT, rows from memberships -------------------------------------------------------


def test_edit_of_another_hits_row_is_not_found(client, hit, other_hit, director):
    client.force_login(director)
    foreign = ef.StakeholderFactory(hit=other_hit, depth=1, role="Theirs")

    get = client.get(reverse("engagement:stakeholder-edit", args=[hit.pk, foreign.pk]))
    post = client.post(
        reverse("engagement:stakeholder-edit", args=[hit.pk, foreign.pk]),
        _payload(organisation=foreign.organisation, depth="3", role="Mine now"),
    )
    end = client.post(reverse("engagement:stakeholder-end", args=[hit.pk, foreign.pk]))

    assert (get.status_code, post.status_code, end.status_code) == (404, 404, 404)
    foreign.refresh_from_db()
    assert (foreign.hit, foreign.depth, foreign.role, foreign.end_date) == (other_hit, 1, "Theirs", None)
    assert Stakeholder.objects.filter(hit=hit).count() == 0


def test_membership_row_is_read_only_here(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit, source=StakeholderSource.MEMBERSHIP, source_key="1", depth=3)

    edit = client.post(reverse("engagement:stakeholder-edit", args=[hit.pk, row.pk]), _payload(depth="1"))
    end = client.post(reverse("engagement:stakeholder-end", args=[hit.pk, row.pk]))
    page = client.get(_map_url(hit))

    assert (edit.status_code, end.status_code) == (403, 403)
    assert "change it there" in edit.content.decode()
    row.refresh_from_db()
    assert (row.depth, row.end_date) == (3, None)
    content = page.content.decode()
    assert reverse("engagement:stakeholder-edit", args=[hit.pk, row.pk]) not in content
    assert "Read-only here: change the membership on" in content


def test_application_row_is_read_only_here(client, hit, director):
    client.force_login(director)
    row = ef.StakeholderFactory(hit=hit, source=StakeholderSource.APPLICATION, source_key="9")

    response = client.get(reverse("engagement:stakeholder-edit", args=[hit.pk, row.pk]))
    page = client.get(_map_url(hit))

    assert response.status_code == 403
    assert "Read-only here: change it in the application's stakeholder table." in page.content.decode()


# --- Update from memberships --------------------------------------------------------------------------


def test_sync_mirrors_memberships_and_is_idempotent(client, hit, director, teammate):
    client.force_login(director)
    url = reverse("engagement:stakeholder-sync", args=[hit.pk])

    first = client.post(url, follow=True)
    rows_after_first = list(
        Stakeholder.objects.order_by("pk").values_list(
            "person__full_name", "depth", "source", "category__code"
        )
    )
    second = client.post(url, follow=True)

    assert _messages(first) == [
        "Updated from memberships: 2 rows changed. The coverage will be recalculated shortly."
    ]
    assert _messages(second) == ["The map already matches the HIT's memberships; nothing changed."]
    assert rows_after_first == [
        ("Dana Director", 3, "membership", "STAFF"),
        ("Terry Teammate", 2, "membership", "STAFF"),
    ]
    assert (
        list(
            Stakeholder.objects.order_by("pk").values_list(
                "person__full_name", "depth", "source", "category__code"
            )
        )
        == rows_after_first
    )


# --- The map page --------------------------------------------------------------------------------------


def test_map_groups_rows_by_category_and_shows_every_column(client, hit, director):
    client.force_login(director)
    person = f.PersonFactory(full_name="Gita GP")
    practice = f.OrganisationFactory(name="Riverside Practice")
    ef.StakeholderFactory(
        hit=hit,
        person=person,
        organisation=practice,
        category=ef.category("STAFF"),
        depth=2,
        role="Working group member",
        evidence="Minutes of 3 March",
    )
    ef.StakeholderFactory(hit=hit, category=ef.category("PROV"), depth=3)

    response = client.get(_map_url(hit))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index(">Providers <") < content.index(">Professionals and front-line staff <")
    for text in ["Gita GP", "Riverside Practice", "2 - member of a HIT group", "Working group member"]:
        assert text in content
    assert "Minutes of 3 March" in content
    assert "Entered on the map" in content


def test_map_hides_ended_rows_unless_asked(client, hit, director):
    client.force_login(director)
    ef.StakeholderFactory(hit=hit, role="Current adviser")
    ef.StakeholderFactory(hit=hit, role="Former adviser", end_date=TODAY - datetime.timedelta(days=1))

    default = client.get(_map_url(hit)).content.decode()
    with_ended = client.get(_map_url(hit), {"include_ended": "on"}).content.decode()

    assert "Current adviser" in default
    assert "Former adviser" not in default
    assert "Former adviser" in with_ended
    assert "Ended</span>" in with_ended


def test_map_filters_by_category(client, hit, director):
    client.force_login(director)
    ef.StakeholderFactory(hit=hit, category=ef.category("PROV"), role="Provider row")
    ef.StakeholderFactory(hit=hit, category=ef.category("COMM"), role="Commissioner row")

    response = client.get(_map_url(hit), {"category": ef.category("COMM").pk})

    content = response.content.decode()
    assert "Commissioner row" in content
    assert "Provider row" not in content
    assert "1 stakeholder matches the filter." in content


def test_map_shows_the_stored_coverage_summary_with_stressed_gaps(client, hit, director):
    client.force_login(director)
    ef.CoverageScoreFactory(
        hit=hit,
        degrees=240.0,
        breadth=4 / 6,
        weighted=0.5,
        leadership=1 / 6,
        ppi_depth=2,
        gaps=[
            {"code": "COMM", "name": "Commissioners", "stressed": True},
            {"code": "NONNHS", "name": "Non-NHS organisations", "stressed": False},
            {"code": "mental_health", "name": "Mental health providers", "stressed": True},
        ],
    )

    content = client.get(_map_url(hit)).content.decode()

    assert "240 of 360 degrees" in content
    assert "67% of categories have an active stakeholder" in content
    assert "2 of 3: public members inside HIT groups" in content
    assert "<strong>Commissioners</strong>" in content
    assert "<strong>Mental health providers</strong>" in content
    assert "<li>Non-NHS organisations</li>" in content
    assert "As of" in content


@pytest.mark.parametrize("rows", [1, 40])
def test_map_query_count_is_constant(client, hit, director, rows, django_assert_max_num_queries):
    client.force_login(director)
    ef.CoverageScoreFactory(hit=hit)
    for index in range(rows):
        ef.StakeholderFactory(
            hit=hit,
            person=f.PersonFactory(),
            category=ef.category(["PROV", "COMM", "STAFF", "PUBLIC"][index % 4]),
        )

    # Session, user, three role lookups, HIT with its score, the version of the map's tables (core.versions),
    # counts, rows, categories, pending request; from the cache, the last four are the version alone.
    with django_assert_max_num_queries(11):
        response = client.get(_map_url(hit))

    assert response.context["page"].paginator.count == rows


def _rows(hit, category: str, n: int, **extra) -> None:
    for _ in range(n):
        ef.StakeholderFactory(hit=hit, category=ef.category(category), **extra)


def test_the_map_is_paged_fifty_rows_a_page_with_each_categorys_count_in_all(client, hit, director):
    from engagement.views.stakeholders import PAGE_SIZE

    assert PAGE_SIZE == 50
    client.force_login(director)
    _rows(hit, "PROV", 30, role="Provider row")
    _rows(hit, "STAFF", 45, role="Staff row")

    first = client.get(_map_url(hit))
    second = client.get(_map_url(hit), {"page": 2})

    assert len(first.context["page"].object_list) == 50 and len(second.context["page"].object_list) == 25
    one, two = first.content.decode(), second.content.decode()
    assert "75 stakeholders currently involved." in one and "75 stakeholders currently involved." in two
    assert "page 1 of 2" in one and "page 2 of 2" in two
    # Providers are all on page 1; staff run over both pages, their heading counts them all.
    assert '>Providers <span class="fw-normal">(30)</span>' in one
    assert '>Professionals and front-line staff <span class="fw-normal">(45; 20 on this page)</span>' in one
    assert '>Professionals and front-line staff <span class="fw-normal">(45; 25 on this page)</span>' in two
    assert "Provider row" not in two


def test_the_filters_are_kept_across_pages(client, hit, director):
    client.force_login(director)
    commissioners = ef.category("COMM")
    _rows(hit, "COMM", 55, role="Commissioner row")
    _rows(hit, "PROV", 5, role="Provider row")
    _rows(hit, "COMM", 3, role="Ended commissioner", end_date=TODAY - datetime.timedelta(days=1))
    query = {"category": commissioners.pk, "include_ended": "on"}

    first = client.get(_map_url(hit), query)
    html = first.content.decode()
    links = re.findall(r'href="\?([^"]*page=2[^"]*)"', html)
    assert links, "a link to the second page"
    for link in links:
        link = link.replace("&amp;", "&")
        assert f"category={commissioners.pk}" in link and "include_ended=on" in link
    second = client.get(_map_url(hit) + "?" + links[0].replace("&amp;", "&"))

    assert "58 stakeholders match the filter." in html
    rows = second.context["page"].object_list
    assert len(rows) == 8 and {row.category_id for row in rows} == {commissioners.pk}
    assert "Provider row" not in second.content.decode()


@pytest.mark.parametrize(("rows", "page"), [(1, 1), (120, 1), (120, 3)])
def test_every_page_of_the_map_costs_the_same_queries(
    client, hit, director, rows, page, django_assert_num_queries
):
    client.force_login(director)
    ef.CoverageScoreFactory(hit=hit)
    categories = ["PROV", "COMM", "STAFF", "PUBLIC"]
    for index in range(rows):
        ef.StakeholderFactory(hit=hit, person=f.PersonFactory(), category=ef.category(categories[index % 4]))
    client.get(_map_url(hit))  # the roles are kept in the cache after the first request

    # The same for one row and for any page of 120: the counts by category (the total with them) and the
    # page's rows with their people, organisations and categories are one query each.
    with django_assert_num_queries(EXPECTED_MAP_QUERIES):
        response = client.get(_map_url(hit), {"page": page})
    with django_assert_num_queries(CACHED_MAP_QUERIES):
        again = client.get(_map_url(hit), {"page": page})

    assert response.context["page"].number == page
    assert _table(again) == _table(response)


def _table(response) -> str:
    """The count, rows and page links, without the per-response CSRF tokens and one-time keys."""
    html = response.content.decode()
    html = html[html.index('<p class="results-count">') : html.index("</main>")]
    return re.sub(r'name="(csrfmiddlewaretoken|form_key)" value="[^"]*"', r'name="\1"', html)


def test_the_cached_map_shows_an_edit_and_a_deletion_at_once(client, hit, director):
    client.force_login(director)
    gone = ef.StakeholderFactory(hit=hit, role="Soon gone")
    kept = ef.StakeholderFactory(hit=hit, role="Adviser")
    ef.StakeholderFactory(hit=hit, role="Newest")
    assert "Soon gone" in _table(client.get(_map_url(hit)))

    gone.delete()
    kept.role = "Chief adviser"
    kept.save()
    html = _table(client.get(_map_url(hit)))

    assert "Soon gone" not in html and "Chief adviser" in html and "2 stakeholders" in html


def test_the_cached_map_is_refused_to_another_hits_member_before_the_cache_is_read(
    client, hit, director, board_member
):
    ef.StakeholderFactory(hit=hit, role="Adviser")
    client.force_login(director)
    assert "Adviser" in client.get(_map_url(hit)).content.decode()  # now cached

    outsider = f.PersonFactory(user=f.UserFactory())
    f.MembershipFactory(hit=f.HITFactory(), person=outsider)
    for viewer in (outsider.user, board_member):
        client.force_login(viewer)
        response = client.get(_map_url(hit))
        assert response.status_code == 404 and "Adviser" not in response.content.decode()


# --- The coverage page ---------------------------------------------------------------------------------

DEPTHS = {"PROV": 3, "COMM": 2, "STAFF": 2, "PUBLIC": 1, "OPS": 0, "NONNHS": 0, "RESEARCH": 1}


def test_coverage_page_never_computes_on_load(client, hit, director):
    client.force_login(director)
    ef.StakeholderFactory(hit=hit, depth=3)

    response = client.get(_coverage_url(hit))

    assert response.status_code == 200
    assert "Not calculated yet." in response.content.decode()
    assert CoverageScore.objects.count() == 0
    assert ScoreRequest.objects.count() == 0
    assert response.context["radar_data"] is None


def test_coverage_page_shows_the_stored_score_and_the_chart_data(client, hit, director):
    client.force_login(director)
    ef.CoverageScoreFactory(hit=hit, degrees=360 * 5 / 7, breadth=5 / 7, category_depths=DEPTHS)

    response = client.get(_coverage_url(hit))

    content = response.content.decode()
    assert "covers 257 of 360 degrees" in content
    assert "5 of 7 stakeholder categories have an active stakeholder" in content
    assert "Not covered: Other public sector, Non-NHS organisations." in content
    radar = _json_script(response, "coverage-radar-data")
    assert radar["kind"] == "radar"
    assert (radar["min"], radar["max"], radar["step"]) == (0, 3, 1)
    assert radar["labels"] == [
        "Providers",
        "Commissioners",
        "Professionals and front-line staff",
        "Patients, service users, carers and the public",
        "Other public sector",
        "Non-NHS organisations",
        "Researchers and academia",
    ]
    assert radar["series"][0]["values"] == [3, 2, 2, 1, 0, 0, 1]
    assert 'data-chart="coverage-radar-data"' in content
    assert "<script>" not in content
    assert " style=" not in content


def test_coverage_table_lists_every_category_with_its_depth(client, hit, director):
    client.force_login(director)
    from teams.models import StakeholderCategory

    StakeholderCategory.objects.filter(code="RESEARCH").update(counts_toward_coverage=False)
    ef.CoverageScoreFactory(hit=hit, category_depths={k: v for k, v in DEPTHS.items() if k != "RESEARCH"})

    response = client.get(_coverage_url(hit))

    rows = {row["code"]: (row["depth"], row["counted"]) for row in response.context["category_rows"]}
    assert rows == {
        "PROV": (3, True),
        "COMM": (2, True),
        "STAFF": (2, True),
        "PUBLIC": (1, True),
        "OPS": (0, True),
        "NONNHS": (0, True),
        "RESEARCH": (None, False),
    }
    content = response.content.decode()
    assert "Not counted towards coverage" in content
    assert "3 - leadership or decision role" in content
    assert "Researchers and academia" not in json.dumps(_json_script(response, "coverage-radar-data"))


def test_coverage_history_chart_has_map_and_application_points(client, hit, director):
    client.force_login(director)
    ef.CoverageSnapshotFactory(
        hit=hit, taken_on=datetime.date(2024, 1, 5), label="application v1", breadth=2 / 7, weighted=0.2
    )
    ef.CoverageSnapshotFactory(
        hit=hit, taken_on=datetime.date(2024, 3, 1), label="application v2", breadth=4 / 7, weighted=0.35
    )
    ef.CoverageSnapshotFactory(
        hit=hit, taken_on=datetime.date(2024, 6, 1), label="map", breadth=1.0, weighted=0.6
    )

    response = client.get(_coverage_url(hit))

    history = _json_script(response, "coverage-history-data")
    assert history["kind"] == "line"
    assert history["labels"] == [
        "05 Jan 2024, application v1",
        "01 Mar 2024, application v2",
        "01 Jun 2024, map",
    ]
    assert history["series"][0]["values"] == [28.6, 57.1, 100.0]
    assert history["series"][1]["values"] == [20.0, 35.0, 60.0]
    content = response.content.decode()
    assert "3 snapshots from 5 January 2024 to 1 June 2024" in content
    assert "application v2" in content


@pytest.mark.parametrize("url_name", ["engagement:coverage-detail", "engagement:stakeholder-map"])
def test_pending_request_shows_the_recalculating_badge(client, hit, director, url_name):
    client.force_login(director)
    ef.CoverageScoreFactory(hit=hit)
    ef.ScoreRequestFactory(hit=hit, kind="coverage")

    content = client.get(reverse(url_name, args=[hit.pk])).content.decode()

    assert '<span class="badge text-bg-info">Recalculating</span>' in content


def test_no_badge_without_a_pending_request(client, hit, director):
    client.force_login(director)
    ef.CoverageScoreFactory(hit=hit)
    ef.ScoreRequestFactory(hit=hit, kind="readiness")

    content = client.get(_coverage_url(hit)).content.decode()

    assert "Recalculating</span>" not in content


def test_recalculate_now_requests_once_and_the_worker_stores_the_score(
    client, hit, director, django_capture_on_commit_callbacks
):
    client.force_login(director)
    ef.StakeholderFactory(hit=hit, category=ef.category("COMM"), depth=3)
    url = reverse("engagement:coverage-recalculate", args=[hit.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, follow=True)

    assert len(callbacks) == 1
    assert _messages(response) == ["A recalculation was requested. The figures update within a minute."]
    assert CoverageScore.objects.get(hit=hit).commissioner_in_leadership is True
    assert ScoreRequest.objects.count() == 0


def test_recalculate_while_pending_queues_nothing(client, hit, director, django_capture_on_commit_callbacks):
    client.force_login(director)

    with time_machine.travel(NOW, tick=False):
        ef.ScoreRequestFactory(hit=hit, kind="coverage")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(reverse("engagement:coverage-recalculate", args=[hit.pk]), follow=True)

    assert callbacks == []
    assert _messages(response) == ["A recalculation is already under way."]
    assert ScoreRequest.objects.count() == 1


def test_recalculate_sends_again_a_request_pending_past_the_debounce_window(
    client, hit, director, settings, django_capture_on_commit_callbacks
):
    settings.ENGAGEMENT_DEBOUNCE_SECONDS = 10
    client.force_login(director)
    ef.StakeholderFactory(hit=hit, category=ef.category("COMM"), depth=3)
    ef.ScoreRequestFactory(hit=hit, kind="coverage", requested_at=NOW - datetime.timedelta(seconds=11))

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("engagement:coverage-recalculate", args=[hit.pk]), follow=True)

    assert len(callbacks) == 1
    assert _messages(response) == [
        "The earlier recalculation had not finished, so it was asked for again. The figures update within a minute."
    ]
    assert CoverageScore.objects.get(hit=hit).commissioner_in_leadership is True
    assert ScoreRequest.objects.count() == 0


def test_recalculate_with_the_broker_down_says_so_and_keeps_the_request(
    transactional_db, client, hit, director, broker
):
    # Real commits: the view learns what the broker said before it writes the message.
    client.force_login(director)
    broker.refuse = BROKER_DOWN

    response = client.post(reverse("engagement:coverage-recalculate", args=[hit.pk]), follow=True)

    assert _messages(response) == [
        "The recalculation is recorded, but the portal's background service cannot be reached just now. "
        "The portal asks again by itself every few minutes; the figures update once it answers."
    ]
    assert ScoreRequest.objects.filter(hit=hit, kind="coverage").count() == 1


@pytest.mark.parametrize(("age", "disabled"), [(9, True), (11, False)])
def test_coverage_page_offers_recalculate_again_once_a_request_is_overdue(
    client, hit, director, settings, age, disabled
):
    settings.ENGAGEMENT_DEBOUNCE_SECONDS = 10
    client.force_login(director)
    ef.ScoreRequestFactory(hit=hit, kind="coverage", requested_at=NOW - datetime.timedelta(seconds=age))

    with time_machine.travel(NOW, tick=False):
        content = client.get(_coverage_url(hit)).content.decode()

    button = re.search(r"<button [^>]*>Recalculate now</button>", content).group(0)
    assert ("disabled" in button) is disabled
    assert ("has not finished yet" in content) is not disabled


@pytest.mark.parametrize("snapshots", [1, 30])
def test_coverage_query_count_is_constant(client, hit, director, snapshots, django_assert_max_num_queries):
    client.force_login(director)
    ef.CoverageScoreFactory(hit=hit, category_depths=DEPTHS)
    for day in range(snapshots):
        ef.CoverageSnapshotFactory(hit=hit, taken_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=day))

    # Session, user, three role lookups, HIT with its score, pending request, categories, snapshots.
    with django_assert_max_num_queries(9):
        response = client.get(_coverage_url(hit))

    assert len(response.context["snapshots"]) == snapshots


# --- The breadcrumb ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        _map_url,
        _coverage_url,
        lambda hit: reverse("engagement:stakeholder-create", args=[hit.pk]),
    ],
)
def test_the_breadcrumb_links_to_the_hit_for_who_may_open_it(client, hit, director, url):
    """Regression: the HIT's name in the breadcrumb of the map and coverage pages was not a link."""
    client.force_login(director)

    content = client.get(url(hit)).content.decode()

    hit_url = reverse("teams:hit-detail", args=[hit.pk])
    assert f'<li class="breadcrumb-item"><a href="{hit_url}">{hit.name}</a></li>' in content


def test_the_breadcrumb_names_the_hit_without_a_link_for_a_reviewer(client, hit, hit_reviewer):
    client.force_login(hit_reviewer)

    content = client.get(_coverage_url(hit)).content.decode()

    assert f'<li class="breadcrumb-item">{hit.name}</li>' in content
    assert reverse("teams:hit-detail", args=[hit.pk]) not in content
