"""Choosing a person or an organisation from a large directory (teams.forms.lookup): the search box, the
narrowed list, what was typed resolved without JavaScript, and the lookup view htmx asks."""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accreditation.domain.sections import GovernanceForm
from accreditation.forms.applications import StakeholderRowForm
from accreditation.models import StakeholderPlanRow
from engagement.models import Stakeholder
from teams.forms import lookup
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories.accreditation_applications import ApplicationFactory


@pytest.fixture(autouse=True)
def _fresh_counts():
    """Lookup counts live in the cache, keyed by user id; ids repeat from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_lists(settings):
    """A directory counts as large past two entries; a narrowed list shows three."""
    settings.DIRECTORY_SELECT_FULL_MAX = 2
    settings.DIRECTORY_LOOKUP_LIMIT = 3


@pytest.fixture
def people(db):
    names = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Grace Kelly", "Mary Seacole", "Zed Last"]
    return {name: f.PersonFactory(full_name=name) for name in names}


def _option_labels(html: str, select_name: str) -> list[str]:
    import re

    select = re.search(rf'<select name="{select_name}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


# --- The widget ---------------------------------------------------------------------------------------


def test_a_small_directory_is_a_plain_list_of_everyone(settings, people):
    settings.DIRECTORY_SELECT_FULL_MAX = 300

    html = str(GovernanceForm(strict=False)["director"])

    assert 'type="search"' not in html
    assert len(_option_labels(html, "director")) == len(people) + 1  # with the empty choice


@pytest.mark.parametrize("size, large", [(2, False), (3, True), (6, True)])
def test_first_rows_read_a_large_directory_only_as_far_as_its_list(
    small_lists, people, size, large, django_assert_num_queries
):
    """The ids say whether the directory is past the plain list; a large one is read as far as the
    search box's list shows (limit + 1 rows, the last saying "more"), never every row up to the
    threshold; a small one whole. Two queries either way."""
    from teams.models import Person

    queryset = Person.objects.filter(pk__in=[p.pk for p in list(people.values())[:size]]).order_by(
        "full_name"
    )
    with django_assert_num_queries(2):
        rows = lookup.first_rows(queryset)
    assert lookup.is_large(rows) is large
    expected = list(queryset)[: 3 + 1] if large else list(queryset)
    assert rows == expected
    assert lookup.is_large(list(queryset)) is large  # a list a caller read itself: by its length


def test_a_large_directory_gets_a_search_box_and_a_short_list(small_lists, people):
    html = str(GovernanceForm(strict=False)["director"])

    assert 'name="director__q"' in html
    assert 'hx-get="/teams/lookup/people/"' in html
    assert _option_labels(html, "director") == ["---------", "Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert "The list shows the first 3 people: type part of a name to find others." in html
    assert 'aria-label="Search more than 2 people in the directory"' in html


def test_the_current_choice_stays_in_the_short_list(small_lists, people):
    chosen = people["Zed Last"]

    html = str(GovernanceForm(initial={"director": chosen.pk}, strict=False)["director"])

    labels = _option_labels(html, "director")
    assert labels[1] == "Zed Last"
    assert f'<option value="{chosen.pk}" selected>Zed Last</option>' in html


def test_one_match_for_what_was_typed_is_taken(small_lists, people):
    form = GovernanceForm(data={"director__q": "seacole", "executive_sponsor__q": "grace hop"}, strict=False)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["director"] == people["Mary Seacole"]
    assert form.cleaned_data["executive_sponsor"] == people["Grace Hopper"]


def test_a_choice_from_the_list_wins_over_what_was_typed(small_lists, people):
    form = GovernanceForm(data={"director": people["Alan Turing"].pk, "director__q": "seacole"}, strict=False)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["director"] == people["Alan Turing"]


def test_several_matches_ask_for_a_choice_and_the_list_shows_them(small_lists, people):
    form = GovernanceForm(data={"director__q": "grace"}, strict=False)

    assert not form.is_valid()
    assert form.errors["director"] == ["Several people match “grace”: choose one from the list."]
    html = str(form["director"])
    assert _option_labels(html, "director") == ["---------", "Grace Hopper", "Grace Kelly"]
    assert 'value="grace"' in html  # what was typed is kept
    assert "2 people match “grace”: choose from the list." in html


def test_no_match_says_so_next_to_the_field(small_lists, people):
    form = GovernanceForm(data={"director__q": "nobody like this"}, strict=False)

    assert not form.is_valid()
    assert form.errors["director"] == [
        "No person in the directory matches “nobody like this”. Change the search."
    ]
    assert "No person in the directory matches “nobody like this”." in str(form["director"])


def test_every_word_typed_must_match(small_lists, people):
    form = GovernanceForm(data={"director__q": "grace kel"}, strict=False)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["director"] == people["Grace Kelly"]


def test_what_was_typed_is_resolved_within_the_fields_own_choices(small_lists, db):
    active = f.OrganisationFactory(name="Riverside Trust")
    f.OrganisationFactory(name="Riverside Council", is_active=False)
    f.OrganisationFactory(name="Hillside Trust")
    category = f.StakeholderCategoryFactory()

    form = StakeholderRowForm(
        data={
            "organisation__q": "riverside",
            "category": category.pk,
            "role": "r",
            "outcome": "o",
            "depth": 1,
        }
    )

    assert form.is_valid(), form.errors  # the switched-off council is not a choice, so one match
    assert form.cleaned_data["organisation"] == active


# --- Through the pages ----------------------------------------------------------------------------------


def test_governance_saved_from_what_was_typed(small_lists, client, director, hit, people):
    application = ApplicationFactory(hit=hit)
    client.force_login(director)
    url = reverse("accreditation:application-section", args=[application.pk, "governance"])

    response = client.post(url, {"director__q": "lovelace", "executive_sponsor__q": "turing"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.director == people["Ada Lovelace"]
    assert application.executive_sponsor == people["Alan Turing"]


def test_an_ambiguous_search_saves_nothing_and_keeps_what_was_typed(
    small_lists, client, director, hit, people
):
    application = ApplicationFactory(hit=hit)
    previous = application.director_id
    client.force_login(director)
    url = reverse("accreditation:application-section", args=[application.pk, "governance"])

    response = client.post(url, {"director__q": "grace", "reporting_line": "The trust board"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Several people match “grace”: choose one from the list." in html
    assert 'value="The trust board"' in html
    application.refresh_from_db()
    assert application.director_id == previous
    assert not application.sections.filter(key="governance").exists()


def test_stakeholder_row_added_from_what_was_typed(small_lists, client, director, hit):
    application = ApplicationFactory(hit=hit)
    for name in ("North Trust", "South Trust", "East Council"):
        f.OrganisationFactory(name=name)
    category = f.StakeholderCategoryFactory()
    client.force_login(director)

    response = client.post(
        reverse("accreditation:stakeholder-table", args=[application.pk]),
        {
            "organisation__q": "east",
            "category": category.pk,
            "role": "Runs it",
            "outcome": "Less harm",
            "depth": 2,
        },
    )

    assert response.status_code == 302
    row = StakeholderPlanRow.objects.get(application=application)
    assert row.organisation.name == "East Council"


# --- The lookup view ------------------------------------------------------------------------------------


def _lookup(client, directory: str, **params):
    return client.get(reverse("teams:directory-lookup", args=[directory]), params)


def test_lookup_sends_the_matching_options(small_lists, client, director, people):
    client.force_login(director)

    response = _lookup(client, "people", field="director", director__q="grace", status="id_director__status")

    html = response.content.decode()
    assert response.status_code == 200
    assert [p.full_name for p in response.context["options"]] == ["Grace Hopper", "Grace Kelly"]
    assert '<option value="">Choose from the 2 shown</option>' in html
    assert 'id="id_director__status"' in html and 'hx-swap-oob="true"' in html
    assert "2 people match “grace”: choose from the list." in html


def test_lookup_keeps_the_current_choice_selected_when_nothing_is_typed(
    small_lists, client, director, people
):
    chosen = people["Zed Last"]
    client.force_login(director)

    response = _lookup(client, "people", field="director", director=str(chosen.pk), director__q="")

    assert response.context["options"][0] == chosen
    assert f'<option value="{chosen.pk}" selected>Zed Last</option>' in response.content.decode()


def test_lookup_of_organisations_leaves_out_switched_off_ones(small_lists, client, director):
    f.OrganisationFactory(name="Harbour Trust")
    f.OrganisationFactory(name="Harbour Council", is_active=False)
    client.force_login(director)

    response = _lookup(client, "organisations", field="organisation", organisation__q="harbour")

    assert [o.name for o in response.context["options"]] == ["Harbour Trust"]


def test_lookup_with_no_match_says_so(small_lists, client, director, people):
    client.force_login(director)

    response = _lookup(client, "people", field="director", director__q="qqq", status="id_director__status")

    html = response.content.decode()
    assert '<option value="">No matches: change the search</option>' in html
    assert "No person in the directory matches “qqq”." in html


def test_lookup_accepts_only_a_widgets_own_status_id(small_lists, client, director, people):
    client.force_login(director)

    response = _lookup(client, "people", field="director", director__q="grace", status="main-content")

    assert "hx-swap-oob" not in response.content.decode()


def test_lookup_of_an_unknown_directory_is_not_found(client, director):
    client.force_login(director)

    assert _lookup(client, "users", field="x").status_code == 404


@pytest.mark.parametrize("persona", ["no_role_user", "board_member", "applicant", "reviewer"])
def test_lookup_is_refused_to_those_without_a_form_that_names_people(client, persona, request, people):
    client.force_login(request.getfixturevalue(persona))

    response = _lookup(client, "people", field="director", director__q="grace")

    assert response.status_code == 403
    # The people searched for, by whole name: the signed-in user's own (random) name may hold "Grace".
    assert b"Grace Hopper" not in response.content
    assert b"Grace Kelly" not in response.content


def test_lookup_uses_a_fixed_number_of_queries(small_lists, client, director, django_assert_max_num_queries):
    for n in range(40):
        f.PersonFactory(full_name=f"Grace Number {n:02d}")
    client.force_login(director)

    with django_assert_max_num_queries(8):
        response = _lookup(
            client,
            "people",
            field="director",
            director__q="grace",
            director="1",
            status="id_director__status",
        )

    assert len(response.context["options"]) == 3
    assert "More than 3 people match “grace”: the list shows the first 3." in response.content.decode()


# --- Names only; a whole email address for programme managers (finding: addresses rebuilt letter by letter)


@pytest.fixture
def ada(db):
    return f.PersonFactory(
        full_name="Ada Lovelace", email="ada.lovelace@engine.example", is_public_member=True
    )


def _people_found(client, query: str) -> list[str]:
    response = _lookup(client, "people", field="director", director__q=query)
    assert response.status_code == 200
    return [person.full_name for person in response.context["options"]]


@pytest.mark.parametrize(
    "query", ["ada.lovelace@", "ada.lovelace@engine", "@engine.example", "engine.example", "e.example"]
)
def test_lookup_by_part_of_an_email_finds_nobody_for_a_member(client, director, ada, query):
    client.force_login(director)

    assert _people_found(client, query) == []


def test_lookup_matches_a_member_by_name_and_never_by_address(client, director, ada):
    f.PersonFactory(full_name="Zed Nobody", email="zed@ada-lovelace.example")
    client.force_login(director)

    found = _people_found(client, "lovelace")

    assert found == ["Ada Lovelace"]  # not Zed, whose address holds the name


def test_lookup_by_a_whole_email_finds_nobody_for_a_member(client, director, ada):
    client.force_login(director)

    assert _people_found(client, "ada.lovelace@engine.example") == []


def test_lookup_by_a_whole_email_finds_the_person_for_a_programme_manager(client, programme_manager, ada):
    client.force_login(programme_manager)

    assert _people_found(client, " Ada.Lovelace@Engine.example ") == ["Ada Lovelace"]


@pytest.mark.parametrize("query", ["ada.lovelace@engine", "lovelace@engine.example", "engine.example"])
def test_lookup_by_part_of_an_email_finds_nobody_for_a_programme_manager(
    client, programme_manager, ada, query
):
    client.force_login(programme_manager)

    assert _people_found(client, query) == []


@pytest.mark.parametrize("persona", ["director", "programme_manager"])
def test_lookup_options_are_labelled_without_email_addresses(client, request, ada, persona):
    client.force_login(request.getfixturevalue(persona))

    response = _lookup(client, "people", field="director", director__q="ada", status="id_director__status")

    html = response.content.decode()
    assert f'<option value="{ada.pk}">Ada Lovelace</option>' in html
    assert "engine.example" not in html


def test_typed_part_of_an_email_finds_nobody_without_javascript(
    small_lists, client, director, hit, ada, people
):
    application = ApplicationFactory(hit=hit)
    client.force_login(director)
    url = reverse("accreditation:application-section", args=[application.pk, "governance"])

    response = client.post(url, {"director__q": "ada.lovelace@engine"})

    assert response.status_code == 200
    assert response.context["form"].errors["director"] == [
        "No person in the directory matches “ada.lovelace@engine”. Change the search."
    ]


def test_typed_whole_email_finds_nobody_for_a_member_without_javascript(
    small_lists, client, director, hit, ada, people
):
    client.force_login(director)

    response = client.post(
        reverse("engagement:stakeholder-create", args=[hit.pk]), _stakeholder(person__q=ada.email)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["person"] == [
        f"No person in the directory matches “{ada.email}”. Change the search."
    ]
    assert Stakeholder.objects.count() == 0


def test_typed_whole_email_finds_the_person_for_a_programme_manager_without_javascript(
    small_lists, client, programme_manager, hit, ada, people
):
    client.force_login(programme_manager)

    response = client.post(
        reverse("engagement:stakeholder-create", args=[hit.pk]),
        _stakeholder(person__q="ADA.LOVELACE@engine.example"),
    )

    assert response.status_code == 302
    assert Stakeholder.objects.get().person == ada


def test_typed_part_of_an_email_finds_nobody_for_a_programme_manager_without_javascript(
    small_lists, client, programme_manager, hit, ada, people
):
    client.force_login(programme_manager)

    response = client.post(
        reverse("engagement:stakeholder-create", args=[hit.pk]), _stakeholder(person__q="ada.lovelace@")
    )

    assert response.context["form"].errors["person"] == [
        "No person in the directory matches “ada.lovelace@”. Change the search."
    ]
    assert Stakeholder.objects.count() == 0


def test_a_form_not_told_who_searches_matches_names_only(small_lists, ada, people):
    form = GovernanceForm(data={"director__q": ada.email}, strict=False)

    assert form.errors["director"] == [
        f"No person in the directory matches “{ada.email}”. Change the search."
    ]


def test_person_list_search_matches_a_whole_email_and_not_a_part(client, programme_manager, ada):
    client.force_login(programme_manager)
    url = reverse("teams:person-list")

    whole = client.get(url, {"q": "ada.lovelace@engine.example"})
    part = client.get(url, {"q": "lovelace@engine"})

    assert [p.full_name for p in whole.context["page"]] == ["Ada Lovelace"]
    assert list(part.context["page"]) == []


def _stakeholder(**overrides) -> dict:
    data = {
        "person": "",
        "organisation": "",
        "category": ef.category("PUBLIC").pk,
        "depth": "1",
        "role": "Patient representative",
        "start_date": "2024-04-01",
        "end_date": "",
        "evidence": "Minutes",
    }
    data.update(overrides)
    return data


# --- A limit per user -------------------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(settings):
    settings.DIRECTORY_LOOKUPS_PER_MINUTE = 3


def test_lookup_over_the_limit_is_refused_with_a_message_the_widget_shows(
    three_a_minute, client, director, people, caplog
):
    client.force_login(director)
    caplog.set_level(logging.WARNING, logger="teams.forms.lookup")

    statuses = [
        _lookup(
            client, "people", field="director", director__q="grace", status="id_director__status"
        ).status_code
        for _ in range(3)
    ]
    refused = _lookup(client, "people", field="director", director__q="grace", status="id_director__status")
    again = _lookup(client, "people", field="director", director__q="grace", status="id_director__status")

    assert statuses == [200, 200, 200]
    assert (refused.status_code, again.status_code) == (429, 429)
    assert refused["Retry-After"] == "60"
    assert refused["HX-Reswap"] == "none"
    assert refused.content.decode() == (
        '<div id="id_director__status" class="form-text text-danger" role="status" aria-live="polite" '
        f'hx-swap-oob="true">{lookup.THROTTLED_MESSAGE}</div>\n'
    )
    assert "Grace" not in refused.content.decode()
    # Logged once, when the limit was crossed, not at every refusal.
    assert [r.getMessage() for r in caplog.records if r.name == "teams.forms.lookup"] == [
        f"Directory searches refused for user {director.pk}: over 3 a minute"
    ]


def test_lookup_limit_resets_after_the_minute(three_a_minute, client, director, people):
    client.force_login(director)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            _lookup(client, "people", field="director", director__q="grace")
        refused = _lookup(client, "people", field="director", director__q="grace")
        traveller.shift(datetime.timedelta(seconds=61))
        allowed = _lookup(client, "people", field="director", director__q="grace")

    assert (refused.status_code, allowed.status_code) == (429, 200)


def test_lookup_limit_is_per_user(three_a_minute, client, director, teammate, people):
    client.force_login(director)
    for _ in range(4):
        _lookup(client, "people", field="director", director__q="grace")

    client.force_login(teammate)
    response = _lookup(client, "people", field="director", director__q="grace")

    assert response.status_code == 200


def test_typed_search_counts_towards_the_same_limit(
    three_a_minute, small_lists, client, director, hit, people
):
    application = ApplicationFactory(hit=hit)
    client.force_login(director)
    for _ in range(3):
        _lookup(client, "people", field="director", director__q="grace")
    url = reverse("accreditation:application-section", args=[application.pk, "governance"])

    response = client.post(url, {"director__q": "seacole", "reporting_line": "The trust board"})

    assert response.status_code == 200
    assert response.context["form"].errors["director"] == [lookup.THROTTLED_MESSAGE]
    html = response.content.decode()
    assert 'value="The trust board"' in html
    assert "Seacole" not in html
    application.refresh_from_db()
    assert not application.sections.filter(key="governance").exists()


def test_a_typed_search_counts_once_for_its_form(three_a_minute, small_lists, director, people):
    form = GovernanceForm(data={"director__q": "grace"}, strict=False)
    lookup.search_as(form, director)

    form.is_valid()
    html = str(form["director"])  # the page that explains "several match" lists them again

    assert _option_labels(html, "director") == ["---------", "Grace Hopper", "Grace Kelly"]
    assert cache.get(f"core:ratelimit:directory-lookup:{director.pk}") == 1
