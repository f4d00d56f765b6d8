"""Maturity matrix and action plan pages (GitHub issue "Engagement", item 5)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from engagement.domain import matrix
from engagement.enums import MATURITY_ELEMENTS, ActionStatus, Dimension
from engagement.models import (
    ActionPlanItem,
    ActionStatement,
    MaturityAssessment,
    MaturityRating,
    ReadinessResult,
)
from tests import factories as f
from tests.factories import engagement as ef


def _url(name: str, hit, **kwargs) -> str:
    return reverse(f"engagement:{name}", kwargs={"hit_pk": hit.pk, **kwargs})


def _assessment(hit, levels: dict[str, int] | None = None, day: datetime.date | None = None, **kwargs):
    levels = levels or {}
    assessment = ef.MaturityAssessmentFactory(
        hit=hit, assessed_on=day or timezone.localdate(), participants="The management group", **kwargs
    )
    for code in MATURITY_ELEMENTS:
        ef.MaturityRatingFactory(
            assessment=assessment,
            element=code,
            level=levels.get(code, 2),
            rationale=f"Our reason for {code}.",
        )
    return assessment


def _post_data(**overrides) -> dict:
    data = {
        "assessed_on": timezone.localdate().isoformat(),
        "participants": "Dana Director; partner leads from the trust and the council",
    }
    for code in MATURITY_ELEMENTS:
        data[f"level_{code}"] = "2"
        data[f"rationale_{code}"] = f"What we saw for {code}."
    data.update(overrides)
    return data


def _field_error(html: str, field_id: str) -> str:
    """The text of the error block crispy renders next to a field (`<id>_error`)."""
    match = re.search(rf'id="{field_id}_error"[^>]*>(.*?)</div>', html, re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


# --- maturity-list -----------------------------------------------------------------------------------


def test_maturity_list_without_assessments_invites_the_first(client, hit, director):
    client.force_login(director)

    response = client.get(_url("maturity-list", hit))

    assert response.status_code == 200
    assert "No assessment has been recorded yet." in response.text
    assert _url("maturity-create", hit) in response.text


def test_maturity_list_shows_the_latest_profile_and_trend(client, hit, board_member):
    today = timezone.localdate()
    _assessment(hit, {"trust": 1, "communication": 3}, today - datetime.timedelta(days=90))
    latest = _assessment(
        hit, {"trust": 2, "communication": 1, "faith": 3, "clarity": 3, "sharedness": 3}, today
    )
    client.force_login(board_member)

    response = client.get(_url("maturity-list", hit))

    assert response.status_code == 200
    profile = response.context["latest"].profile
    assert (profile.median, list(profile.weakest), profile.weakest_level) == (2, ["communication"], 1)
    cells = {c.code: c.trend for c in response.context["latest"].cells}
    assert (cells["trust"], cells["communication"], cells["confidence"]) == ("up", "down", "same")
    assert response.context["history"][0].assessment == latest
    assert "Median level" in response.text
    assert "Interpersonal communication" in response.text
    # Read-only for a board member: no button to record one.
    assert _url("maturity-create", hit) not in response.text


@pytest.mark.parametrize("count", [1, 20])
def test_maturity_list_query_count_is_constant(client, hit, director, django_assert_max_num_queries, count):
    for n in range(count):
        _assessment(hit, {"trust": 1 + n % 3}, timezone.localdate() - datetime.timedelta(days=n))
    client.force_login(director)

    # Session, user, HIT, the user's roles (3), assessments, their ratings.
    with django_assert_max_num_queries(8):
        response = client.get(_url("maturity-list", hit))

    assert len(response.context["history"]) == count


# --- maturity-create ---------------------------------------------------------------------------------


def test_maturity_create_shows_every_definition_and_descriptor(client, hit, director):
    client.force_login(director)

    response = client.get(_url("maturity-create", hit))

    assert response.status_code == 200
    for element in matrix.ELEMENTS:
        assert escape(element.definition) in response.text
        for _level, _name, text in element.descriptors:
            assert escape(text) in response.text
    assert response.text.count('type="radio"') == 27
    assert "Indicative from survey" not in response.text


def test_maturity_create_saves_nine_ratings_and_redirects_to_the_assessment(client, hit, director):
    client.force_login(director)

    response = client.post(_url("maturity-create", hit), _post_data(level_trust="1", level_faith="3"))

    assessment = MaturityAssessment.objects.get(hit=hit)
    assert response.status_code == 302
    assert response.url == _url("maturity-detail", hit, pk=assessment.pk)
    levels = dict(assessment.ratings.values_list("element", "level"))
    assert levels == {**dict.fromkeys(MATURITY_ELEMENTS, 2), "trust": 1, "faith": 3}
    assert assessment.recorded_by == director


def test_maturity_create_without_a_rationale_shows_the_message_by_the_field(client, hit, director):
    client.force_login(director)

    response = client.post(_url("maturity-create", hit), _post_data(rationale_clarity=""))

    assert response.status_code == 200
    assert (
        _field_error(response.text, "id_rationale_clarity")
        == "Say why the group chose this level for Clarity of vision."
    )
    assert "There is a problem" in response.text
    assert MaturityAssessment.objects.count() == 0
    assert MaturityRating.objects.count() == 0


@pytest.mark.parametrize("forged", ["4", "0", "two", ""])
def test_maturity_create_with_a_forged_level_shows_the_message_by_the_field(client, hit, director, forged):
    client.force_login(director)

    response = client.post(_url("maturity-create", hit), _post_data(level_risk_tolerance=forged))

    expected = (
        "Choose a level for Risk tolerance." if forged == "" else "Choose level 1, 2 or 3 for Risk tolerance."
    )
    assert response.status_code == 200
    assert response.context["form"].errors["level_risk_tolerance"] == [expected]
    assert _field_error(response.text, "id_level_risk_tolerance") == expected
    # The summary's link has a target on the page.
    assert 'href="#id_level_risk_tolerance"' in response.text
    assert 'id="id_level_risk_tolerance"' in response.text
    assert MaturityAssessment.objects.count() == 0


@pytest.mark.parametrize("forged", ["capacity", "bogus"])
def test_maturity_create_with_a_forged_element_stores_nothing(client, hit, director, forged):
    client.force_login(director)

    response = client.post(
        _url("maturity-create", hit), _post_data(**{f"level_{forged}": "3", f"rationale_{forged}": "x"})
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"The page sent a rating for something that is not one of the nine elements (“{forged}”). "
        "Nothing was saved; reload the page and try again."
    ]
    assert MaturityAssessment.objects.count() == 0


def test_maturity_create_in_the_future_is_refused(client, hit, director):
    client.force_login(director)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(_url("maturity-create", hit), _post_data(assessed_on=tomorrow.isoformat()))

    assert response.context["form"].errors["assessed_on"] == ["The assessment date cannot be in the future."]
    assert MaturityAssessment.objects.count() == 0


def test_maturity_create_prefills_indicative_levels_from_the_stored_survey_results(client, hit, director):
    wave = ef.WaveFactory(hit=hit, title="Baseline", released=True)
    ef.ReadinessResultFactory(wave=wave, dimension=Dimension.TRUST, level=1, score=20.0)
    ef.ReadinessResultFactory(wave=wave, dimension=Dimension.CLARITY, level=3, score=80.0)
    ef.ReadinessResultFactory(
        wave=wave, dimension=Dimension.FAITH, n=2, suppressed=True, score=None, mean=None, sd=None, level=None
    )
    # Raw answers are never read to make the hint: only the stored results.
    ef.AnswerFactory(response__wave=wave, value=5)
    client.force_login(director)

    response = client.get(_url("maturity-create", hit))

    form = response.context["form"]
    assert form["level_trust"].initial == 1
    assert form["level_clarity"].initial == 3
    assert form["level_faith"].initial is None
    assert response.text.count("Indicative from survey") == 3  # the note, and trust and clarity
    assert "Baseline" in response.text
    assert response.context["hint"].levels == {"trust": 1, "clarity": 3}
    assert ReadinessResult.objects.filter(wave=wave).count() == 3  # nothing recomputed on load


def test_maturity_create_ignores_results_of_a_wave_still_open(client, hit, director):
    # Results stored for an open wave (none should be) are never read: they would give away answers.
    ef.ReadinessResultFactory(wave=ef.WaveFactory(hit=hit), dimension=Dimension.TRUST, level=1)
    client.force_login(director)

    response = client.get(_url("maturity-create", hit))

    assert response.context["hint"] is None
    assert response.context["form"]["level_trust"].initial is None


# --- maturity-detail ---------------------------------------------------------------------------------


def test_maturity_detail_shows_every_rating_rationale_and_the_profile(client, hit, teammate):
    assessment = _assessment(hit, {"sharedness": 1, "trust": 3})
    client.force_login(teammate)

    response = client.get(_url("maturity-detail", hit, pk=assessment.pk))

    assert response.status_code == 200
    for code in MATURITY_ELEMENTS:
        assert f"Our reason for {code}." in response.text
        assert matrix.element_name(code) in response.text
    assert matrix.BY_CODE["sharedness"].pathological in response.text
    assert list(response.context["row"].profile.weakest) == ["sharedness"]
    assert "The management group" in response.text


def test_maturity_detail_of_another_hits_assessment_is_404(client, hit, director):
    other = _assessment(f.HITFactory())
    client.force_login(director)

    response = client.get(_url("maturity-detail", hit, pk=other.pk))

    assert response.status_code == 404


# --- action-list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_action_list_query_count_is_constant(client, hit, director, django_assert_max_num_queries, count):
    statement = ActionStatement.objects.get(code="A2.5")
    for n in range(count):
        ef.ActionPlanItemFactory(hit=hit, title=f"Action {n}", statement=statement if n % 2 else None)
    client.force_login(director)

    # Session, user, HIT, the user's roles (3), the count for the pager, the page of items.
    with django_assert_max_num_queries(8):
        response = client.get(_url("action-list", hit))

    assert len(response.context["page"].object_list) == count


def test_action_list_shows_owner_due_date_status_and_overdue(client, hit, director):
    owner = f.PersonFactory(full_name="Olive Owner")
    due = timezone.localdate() - datetime.timedelta(days=5)
    ef.ActionPlanItemFactory(hit=hit, title="Late one", owner=owner, due_on=due)
    client.force_login(director)

    response = client.get(_url("action-list", hit))

    assert "Late one" in response.text
    assert "Olive Owner" in response.text
    assert date_format(due, "j M Y") in response.text
    assert "Overdue</span>" in response.text
    assert "Planned" in response.text


@pytest.mark.parametrize(
    ("status", "titles"),
    [
        ("", ["overdue", "planned", "in progress", "done"]),
        ("open", ["overdue", "planned", "in progress"]),
        ("overdue", ["overdue"]),
        ("done", ["done"]),
        ("in_progress", ["in progress"]),
    ],
)
def test_action_list_filters_by_status(client, hit, director, status, titles):
    today = timezone.localdate()
    ef.ActionPlanItemFactory(hit=hit, title="overdue", due_on=today - datetime.timedelta(days=3))
    ef.ActionPlanItemFactory(hit=hit, title="planned", due_on=today + datetime.timedelta(days=1))
    ef.ActionPlanItemFactory(
        hit=hit,
        title="in progress",
        due_on=today + datetime.timedelta(days=2),
        status=ActionStatus.IN_PROGRESS,
    )
    ef.ActionPlanItemFactory(
        hit=hit, title="done", due_on=today - datetime.timedelta(days=9), status=ActionStatus.DONE
    )
    ef.ActionPlanItemFactory(title="another HIT's")
    client.force_login(director)

    response = client.get(_url("action-list", hit), {"status": status})

    assert sorted(item.title for item in response.context["page"].object_list) == sorted(titles)


# --- action-create -----------------------------------------------------------------------------------


def test_action_create_recommends_the_f17_statements_for_the_weak_elements(client, hit, director):
    _assessment(hit, dict.fromkeys(MATURITY_ELEMENTS, 3) | {"communication": 1})
    client.force_login(director)

    response = client.get(_url("action-create", hit))

    recommendations = response.context["recommendations"]
    assert [(r["element"].code, [s.code for s in r["statements"]]) for r in recommendations] == [
        ("communication", ["A2.5", "A2.6"])
    ]
    assert f"{_url('action-create', hit)}?statement=A2.5&amp;element=communication" in response.text
    assert "Create action" in response.text


def test_action_create_recommends_level_2_elements_when_none_is_at_level_1(client, hit, director):
    _assessment(hit, dict.fromkeys(MATURITY_ELEMENTS, 3) | {"sharedness": 2, "legitimacy": 2})
    client.force_login(director)

    response = client.get(_url("action-create", hit))

    found = [
        (r["element"].code, [s.code for s in r["statements"]]) for r in response.context["recommendations"]
    ]
    assert found == [("legitimacy", ["A4.1", "A4.8", "A5.3"]), ("sharedness", ["A2.2", "A7.3"])]


def test_action_create_without_an_assessment_recommends_nothing(client, hit, director):
    client.force_login(director)

    response = client.get(_url("action-create", hit))

    assert response.context["recommendations"] == []
    assert "recorded a maturity assessment" in response.text


def test_action_create_prefills_the_title_from_the_statement(client, hit, director):
    client.force_login(director)

    response = client.get(_url("action-create", hit), {"statement": "A2.5", "element": "communication"})

    form = response.context["form"]
    statement = ActionStatement.objects.get(code="A2.5")
    assert form["title"].value() == statement.text
    assert form["statement"].value() == "A2.5"
    assert form["element"].value() == "communication"


def test_action_create_with_an_unknown_statement_is_not_prefilled(client, hit, director):
    client.force_login(director)

    response = client.get(_url("action-create", hit), {"statement": "Z9.9", "element": "nonsense"})

    form = response.context["form"]
    assert form["title"].value() is None
    assert form["element"].value() is None
    assert "There is no research statement Z9.9; the form was not prefilled." in response.text


def test_action_create_lists_current_members_first(client, hit, director, teammate):
    on_map = f.PersonFactory(full_name="Aaron Onmap")
    ef.StakeholderFactory(hit=hit, person=on_map, organisation=None)
    client.force_login(director)

    response = client.get(_url("action-create", hit))

    choices = response.context["form"].fields["owner"].choices
    assert choices == [
        ("", "Choose an owner"),
        (
            "Current members of the HIT",
            [(director.person.pk, "Dana Director"), (teammate.person.pk, "Terry Teammate")],
        ),
        ("Others on the stakeholder map", [(on_map.pk, "Aaron Onmap")]),
    ]


def test_action_create_saves_the_item(client, hit, director, teammate):
    client.force_login(director)
    due = timezone.localdate() + datetime.timedelta(days=14)

    response = client.post(
        _url("action-create", hit),
        {
            "title": "Monthly face-to-face partner meeting",
            "owner": str(teammate.person.pk),
            "due_on": due.isoformat(),
            "status": "planned",
            "statement": "A2.5",
            "element": "communication",
        },
    )

    assert response.status_code == 302
    assert response.url == _url("action-list", hit)
    item = ActionPlanItem.objects.get()
    assert (item.hit, item.owner, item.due_on, item.statement.code, item.element) == (
        hit,
        teammate.person,
        due,
        "A2.5",
        "communication",
    )


def test_action_create_due_in_the_past_shows_the_message_by_the_field(client, hit, director):
    client.force_login(director)

    response = client.post(
        _url("action-create", hit),
        {
            "title": "Late already",
            "owner": str(director.person.pk),
            "due_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "status": "planned",
        },
    )

    assert response.status_code == 200
    assert _field_error(response.text, "id_due_on") == "The due date cannot be in the past."
    assert ActionPlanItem.objects.count() == 0


def test_action_create_with_a_forged_owner_is_refused(client, hit, director, outsider):
    client.force_login(director)

    response = client.post(
        _url("action-create", hit),
        {
            "title": "Someone else's job",
            "owner": str(outsider.person.pk),
            "due_on": timezone.localdate().isoformat(),
            "status": "planned",
        },
    )

    assert response.context["form"].errors["owner"] == [
        "Choose an owner from the list: a member of the HIT or someone on its map."
    ]
    assert ActionPlanItem.objects.count() == 0


def test_action_create_with_a_forged_statement_is_refused(client, hit, director):
    client.force_login(director)

    response = client.post(
        _url("action-create", hit),
        {
            "title": "Forged",
            "owner": str(director.person.pk),
            "due_on": timezone.localdate().isoformat(),
            "status": "planned",
            "statement": "Z9.9",
        },
    )

    assert response.context["form"].errors["statement"] == ["Choose one of the listed statements."]
    assert ActionPlanItem.objects.count() == 0


# --- action-edit -------------------------------------------------------------------------------------


def test_action_edit_changes_status_and_due_date(client, hit, director):
    item = ef.ActionPlanItemFactory(hit=hit, owner=director.person)
    due = timezone.localdate() + datetime.timedelta(days=3)
    client.force_login(director)

    response = client.post(
        _url("action-edit", hit, pk=item.pk), {"status": "in_progress", "due_on": due.isoformat()}
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.status, item.due_on) == ("in_progress", due)


def test_action_edit_can_close_an_overdue_item_without_moving_its_date(client, hit, director):
    past = timezone.localdate() - datetime.timedelta(days=10)
    item = ef.ActionPlanItemFactory(hit=hit, owner=director.person, due_on=past)
    client.force_login(director)

    response = client.post(
        _url("action-edit", hit, pk=item.pk), {"status": "done", "due_on": past.isoformat()}
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.status, item.due_on) == ("done", past)


def test_action_edit_to_a_new_past_date_shows_the_message(client, hit, director):
    item = ef.ActionPlanItemFactory(hit=hit, owner=director.person)
    client.force_login(director)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = client.post(
        _url("action-edit", hit, pk=item.pk), {"status": "planned", "due_on": yesterday.isoformat()}
    )

    assert response.status_code == 200
    assert _field_error(response.text, "id_due_on") == "The due date cannot be in the past."
    item.refresh_from_db()
    assert item.due_on != yesterday


@pytest.mark.parametrize("method", ["get", "post"])
def test_action_edit_of_another_hits_item_is_404(client, hit, director, method):
    other = ef.ActionPlanItemFactory(title="Theirs")
    client.force_login(director)

    response = getattr(client, method)(
        _url("action-edit", hit, pk=other.pk), {"status": "done", "due_on": other.due_on.isoformat()}
    )

    other.refresh_from_db()
    assert response.status_code == 404
    assert other.status == "planned"
