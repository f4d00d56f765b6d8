"""Maturity matrix and action plan services and selectors (GitHub issue "Engagement", item 5)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from engagement.domain import matrix
from engagement.enums import MATURITY_ELEMENTS, ActionStatus, Dimension
from engagement.models import ActionPlanItem, ActionStatement, MaturityAssessment, MaturityRating
from engagement.selectors import maturity as selectors_maturity
from engagement.services import maturity as services_maturity
from tests import factories as f
from tests.factories import engagement as ef

# F17 (docs/domain.md R8.7), written out by hand so the seeded statements are checked against the brief.
F17 = {
    "trust": ["A1.1", "A2.1", "A2.2", "A2.3", "A2.4", "A2.5", "A2.6", "A2.7", "A7.1", "A7.2", "A7.3"],
    "faith": [
        "A1.1",
        "A1.2",
        "A1.3",
        "A4.1",
        "A4.2",
        "A4.3",
        "A4.4",
        "A4.5",
        "A4.6",
        "A4.7",
        "A4.8",
        "A8.1",
        "A8.2",
        "A8.3",
        "A8.4",
    ],
    "confidence": ["A3.1", "A5.1", "A5.2", "A5.3", "A6.1", "A6.2"],
    "cultural_integration": ["A1.3", "A9.1", "A9.2", "A9.3"],
    "legitimacy": ["A4.1", "A4.8", "A5.3"],
    "communication": ["A2.5", "A2.6"],
    "clarity": ["A4.2", "A4.5", "A4.6"],
    "sharedness": ["A2.2", "A7.3"],
    "risk_tolerance": ["A2.7", "A3.1", "A6.1"],
}


def _ratings(level: int = 2, **overrides) -> dict:
    ratings = {code: (level, f"Reason for {code}.") for code in MATURITY_ELEMENTS}
    ratings.update(overrides)
    return ratings


def _assessment(hit, levels: dict[str, int], day: datetime.date):
    assessment = ef.MaturityAssessmentFactory(hit=hit, assessed_on=day)
    for code in MATURITY_ELEMENTS:
        ef.MaturityRatingFactory(assessment=assessment, element=code, level=levels.get(code, 2))
    return assessment


# --- The matrix as data ------------------------------------------------------------------------------


def test_matrix_lists_the_nine_elements_in_the_enums_order():
    assert tuple(matrix.BY_CODE) == tuple(MATURITY_ELEMENTS)
    assert len(matrix.ELEMENTS) == 9


@pytest.mark.parametrize("element", matrix.ELEMENTS, ids=lambda e: e.code)
def test_matrix_element_has_a_definition_and_three_distinct_descriptors(element):
    texts = [text for _level, _name, text in element.descriptors]

    assert element.definition != ""
    assert [level for level, _name, _text in element.descriptors] == [1, 2, 3]
    assert [name for _level, name, _text in element.descriptors] == [
        "Pathological",
        "Bureaucratic",
        "Generative",
    ]
    assert all(texts)
    assert len(set(texts)) == 3


# --- Recording an assessment -------------------------------------------------------------------------


def test_maturity_assessment_create_stores_all_nine_ratings(hit, director):
    levels = dict(zip(MATURITY_ELEMENTS, [1, 2, 3, 1, 2, 3, 1, 2, 3], strict=True))

    assessment = services_maturity.maturity_assessment_create(
        actor=director,
        hit=hit,
        ratings={code: (level, f"Because of {code}.") for code, level in levels.items()},
        participants="  Dana Director, two partner leads  ",
        assessed_on=timezone.localdate() - datetime.timedelta(days=2),
    )

    stored = {r.element: (r.level, r.rationale) for r in assessment.ratings.all()}
    assert stored == {code: (level, f"Because of {code}.") for code, level in levels.items()}
    assert assessment.participants == "Dana Director, two partner leads"
    assert assessment.recorded_by == director
    assert assessment.assessed_on == timezone.localdate() - datetime.timedelta(days=2)


def test_maturity_assessment_create_defaults_the_date_to_today(hit, director):
    assessment = services_maturity.maturity_assessment_create(actor=director, hit=hit, ratings=_ratings())

    assert assessment.assessed_on == timezone.localdate()


def test_maturity_assessment_create_without_a_rationale_stores_nothing(hit, director):
    with pytest.raises(ValidationError) as exc:
        services_maturity.maturity_assessment_create(
            actor=director, hit=hit, ratings=_ratings(communication=(2, "   "))
        )

    assert exc.value.message_dict == {
        "rationale_communication": ["Say why the group chose this level for Interpersonal communication."]
    }
    assert MaturityAssessment.objects.count() == 0
    assert MaturityRating.objects.count() == 0


@pytest.mark.parametrize("level", [0, 4, "x", None])
def test_maturity_assessment_create_with_a_level_outside_1_to_3_stores_nothing(hit, director, level):
    with pytest.raises(ValidationError) as exc:
        services_maturity.maturity_assessment_create(
            actor=director, hit=hit, ratings=_ratings(trust=(level, "Forged."))
        )

    assert exc.value.message_dict == {"level_trust": ["Choose level 1, 2 or 3 for Trust."]}
    assert MaturityAssessment.objects.count() == 0


@pytest.mark.parametrize("forged", ["capacity", "bogus"])
def test_maturity_assessment_create_with_a_forged_element_stores_nothing(hit, director, forged):
    with pytest.raises(ValidationError) as exc:
        services_maturity.maturity_assessment_create(
            actor=director, hit=hit, ratings={**_ratings(), forged: (2, "Forged.")}
        )

    assert exc.value.message_dict == {
        "__all__": [f"These are not elements of the maturity matrix: {forged}."]
    }
    assert MaturityAssessment.objects.count() == 0


def test_maturity_assessment_create_with_an_element_missing_stores_nothing(hit, director):
    ratings = _ratings()
    del ratings["risk_tolerance"]

    with pytest.raises(ValidationError) as exc:
        services_maturity.maturity_assessment_create(actor=director, hit=hit, ratings=ratings)

    assert exc.value.message_dict == {"level_risk_tolerance": ["Choose a level for Risk tolerance."]}
    assert MaturityAssessment.objects.count() == 0


def test_maturity_assessment_create_in_the_future_stores_nothing(hit, director):
    with pytest.raises(ValidationError) as exc:
        services_maturity.maturity_assessment_create(
            actor=director,
            hit=hit,
            ratings=_ratings(),
            assessed_on=timezone.localdate() + datetime.timedelta(days=1),
        )

    assert exc.value.message_dict == {"assessed_on": ["The assessment date cannot be in the future."]}
    assert MaturityAssessment.objects.count() == 0


def test_maturity_assessment_create_saves_all_nine_or_none(hit, director, monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("the database refused the ratings")

    monkeypatch.setattr(MaturityRating.objects, "bulk_create", fail)

    with pytest.raises(IntegrityError):
        services_maturity.maturity_assessment_create(actor=director, hit=hit, ratings=_ratings())

    assert MaturityAssessment.objects.count() == 0
    assert MaturityRating.objects.count() == 0


@pytest.mark.parametrize("persona", ["board_member", "ppi_facilitator", "outsider"])
def test_maturity_assessment_create_by_a_non_editor_is_refused(hit, request, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services_maturity.maturity_assessment_create(actor=user, hit=hit, ratings=_ratings())

    assert MaturityAssessment.objects.count() == 0


def test_maturity_assessment_create_by_a_programme_manager_is_allowed(hit, programme_manager):
    services_maturity.maturity_assessment_create(actor=programme_manager, hit=hit, ratings=_ratings())

    assert MaturityRating.objects.filter(assessment__hit=hit).count() == 9


# --- Profile (F12), trend and weak elements ----------------------------------------------------------


def _levels(values: list[int]) -> dict[str, int]:
    return dict(zip(MATURITY_ELEMENTS, values, strict=True))


@pytest.mark.parametrize(
    ("values", "median", "weakest", "weakest_level"),
    [
        # All alike: every element is the weakest.
        ([2] * 9, 2, list(MATURITY_ELEMENTS), 2),
        # Sorted 1,2,2,2,3,3,3,3,3: the fifth value is 3.
        ([1, 2, 2, 2, 3, 3, 3, 3, 3], 3, ["trust"], 1),
        # Sorted 1,1,1,2,2,3,3,3,3: the fifth value is 2.
        ([3, 1, 3, 2, 1, 3, 2, 1, 3], 2, ["faith", "legitimacy", "sharedness"], 1),
        # Two distinct levels (an even number): four 1s and five 3s. The median is 3, not a 2 in between.
        ([1, 1, 1, 1, 3, 3, 3, 3, 3], 3, ["trust", "faith", "confidence", "cultural_integration"], 1),
        # Five 1s and four 3s: the median is 1.
        (
            [3, 1, 3, 1, 3, 1, 3, 1, 1],
            1,
            ["faith", "cultural_integration", "communication", "sharedness", "risk_tolerance"],
            1,
        ),
        # Two distinct levels, 2 and 3, four and five of them.
        ([3, 2, 3, 2, 3, 2, 3, 2, 3], 3, ["faith", "cultural_integration", "communication", "sharedness"], 2),
    ],
)
def test_profile_of_gives_the_hand_computed_median_and_weakest_elements(
    values, median, weakest, weakest_level
):
    profile = selectors_maturity.profile_of(_levels(values))

    assert profile.median == median
    assert profile.median in values  # the median of nine levels is always one of them
    assert list(profile.weakest) == weakest
    assert profile.weakest_level == weakest_level


def test_profile_of_names_the_levels_and_elements():
    profile = selectors_maturity.profile_of(_levels([3, 3, 3, 3, 3, 1, 3, 3, 3]))

    assert profile.median_name == "Generative"
    assert profile.weakest_names == ["Interpersonal communication"]
    assert profile.weakest_level_name == "Pathological"


def test_element_trend_compares_each_element_with_the_previous_assessment():
    current = {"trust": 2, "faith": 1, "confidence": 3}
    previous = {"trust": 1, "faith": 2, "confidence": 3}

    assert selectors_maturity.element_trend(current, previous) == {
        "trust": "up",
        "faith": "down",
        "confidence": "same",
    }
    assert selectors_maturity.element_trend(current, None) == {
        "trust": None,
        "faith": None,
        "confidence": None,
    }


@pytest.mark.parametrize(
    ("values", "weak"),
    [
        ([2, 1, 2, 3, 3, 1, 2, 2, 2], ["faith", "communication"]),
        ([2, 3, 2, 3, 3, 3, 3, 3, 3], ["trust", "confidence"]),
        ([3] * 9, []),
    ],
)
def test_weak_elements_are_level_1_or_else_level_2(values, weak):
    assert selectors_maturity.weak_elements(_levels(values)) == weak


def test_assessment_history_is_newest_first_with_trend_against_the_one_before(hit):
    today = timezone.localdate()
    first = _assessment(hit, {"trust": 1, "faith": 2}, today - datetime.timedelta(days=200))
    second = _assessment(hit, {"trust": 2, "faith": 2}, today - datetime.timedelta(days=100))
    third = _assessment(hit, {"trust": 2, "faith": 1}, today)
    _assessment(f.HITFactory(), {"trust": 3}, today)  # another HIT's

    history = selectors_maturity.assessment_history(hit=hit)

    assert [row.assessment for row in history] == [third, second, first]
    trends = [{c.code: c.trend for c in row.cells if c.code in ("trust", "faith")} for row in history]
    assert trends == [
        {"trust": "same", "faith": "down"},
        {"trust": "up", "faith": "same"},
        {"trust": None, "faith": None},
    ]
    assert [row.has_previous for row in history] == [True, True, False]


def test_assessment_for_hit_of_another_hit_is_404(hit):
    from django.http import Http404

    other = _assessment(f.HITFactory(), {}, timezone.localdate())

    with pytest.raises(Http404):
        selectors_maturity.assessment_for_hit(hit=hit, pk=other.pk)


def test_assessment_for_hit_compares_with_the_assessment_before_it(hit):
    today = timezone.localdate()
    _assessment(hit, {"clarity": 3}, today - datetime.timedelta(days=30))
    middle = _assessment(hit, {"clarity": 1}, today - datetime.timedelta(days=10))
    _assessment(hit, {"clarity": 2}, today)

    row = selectors_maturity.assessment_for_hit(hit=hit, pk=middle.pk)

    assert {c.code: c.trend for c in row.cells}["clarity"] == "down"


# --- Recommended statements (F17) --------------------------------------------------------------------


def test_recommended_statements_for_communication_are_a2_5_and_a2_6(db):
    found = selectors_maturity.recommended_statements(elements=["communication"])

    assert [s.code for s in found["communication"]] == ["A2.5", "A2.6"]


@pytest.mark.parametrize("element", MATURITY_ELEMENTS)
def test_recommended_statements_match_the_f17_mapping(db, element):
    found = selectors_maturity.recommended_statements(elements=[element])

    assert sorted(s.code for s in found[element]) == F17[element]


def test_the_statement_library_holds_the_35_statements_of_table_10(db):
    assert ActionStatement.objects.count() == 35


# --- Action plans ------------------------------------------------------------------------------------


def _member_person(user):
    return user.person


def test_action_item_create_stores_the_item(hit, director, teammate):
    statement = ActionStatement.objects.get(code="A2.5")
    due = timezone.localdate() + datetime.timedelta(days=30)

    item = services_maturity.action_item_create(
        actor=director,
        hit=hit,
        title="  Meet partners face to face each month ",
        owner=teammate.person,
        due_on=due,
        status=ActionStatus.IN_PROGRESS,
        statement=statement,
        element=Dimension.COMMUNICATION,
    )

    item.refresh_from_db()
    assert (item.hit, item.title, item.owner, item.due_on, item.status, item.statement, item.element) == (
        hit,
        "Meet partners face to face each month",
        teammate.person,
        due,
        ActionStatus.IN_PROGRESS,
        statement,
        "communication",
    )


def test_action_item_create_due_in_the_past_stores_nothing(hit, director):
    with pytest.raises(ValidationError) as exc:
        services_maturity.action_item_create(
            actor=director,
            hit=hit,
            title="Too late",
            owner=director.person,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )

    assert exc.value.message_dict == {"due_on": ["The due date cannot be in the past."]}
    assert ActionPlanItem.objects.count() == 0


def test_action_item_create_with_an_owner_unconnected_with_the_hit_stores_nothing(hit, director, outsider):
    with pytest.raises(ValidationError) as exc:
        services_maturity.action_item_create(
            actor=director,
            hit=hit,
            title="Someone else's",
            owner=outsider.person,
            due_on=timezone.localdate(),
        )

    assert exc.value.message_dict == {
        "owner": ["The owner must be a member of the HIT or on its stakeholder map."]
    }
    assert ActionPlanItem.objects.count() == 0


def test_action_item_create_by_a_board_member_is_refused(hit, director, board_member):
    with pytest.raises(PermissionDenied):
        services_maturity.action_item_create(
            actor=board_member, hit=hit, title="Not mine", owner=director.person, due_on=timezone.localdate()
        )

    assert ActionPlanItem.objects.count() == 0


def test_owner_choices_lists_current_members_first_then_people_on_the_map(hit, director, teammate, outsider):
    ended = f.PersonFactory(full_name="Ezra Ended")
    f.MembershipFactory(
        hit=hit,
        person=ended,
        start_date=timezone.localdate() - datetime.timedelta(days=90),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    on_map = f.PersonFactory(full_name="Mo Map")
    ef.StakeholderFactory(hit=hit, person=on_map, organisation=None)
    # A member who is also on the map is listed once, as a member.
    ef.StakeholderFactory(hit=hit, person=teammate.person, organisation=None)

    owners = selectors_maturity.owner_choices(hit=hit)

    assert [p.full_name for p in owners.members] == ["Dana Director", "Terry Teammate"]
    assert [p.full_name for p in owners.others] == ["Mo Map"]


def test_action_item_update_changes_status_and_due_date(hit, director):
    item = ef.ActionPlanItemFactory(hit=hit, owner=director.person)
    due = timezone.localdate() + datetime.timedelta(days=5)

    services_maturity.action_item_update(
        actor=director, hit=hit, item_id=item.pk, status=ActionStatus.DONE, due_on=due
    )

    item.refresh_from_db()
    assert (item.status, item.due_on) == (ActionStatus.DONE, due)


def test_action_item_update_keeps_an_unchanged_past_due_date(hit, director):
    past = timezone.localdate() - datetime.timedelta(days=3)
    item = ef.ActionPlanItemFactory(hit=hit, owner=director.person, due_on=past)

    services_maturity.action_item_update(
        actor=director, hit=hit, item_id=item.pk, status=ActionStatus.DONE, due_on=past
    )

    item.refresh_from_db()
    assert (item.status, item.due_on) == (ActionStatus.DONE, past)


def test_action_item_update_to_a_new_past_due_date_is_refused(hit, director):
    item = ef.ActionPlanItemFactory(hit=hit, owner=director.person)
    original = item.due_on

    with pytest.raises(ValidationError):
        services_maturity.action_item_update(
            actor=director,
            hit=hit,
            item_id=item.pk,
            status=ActionStatus.PLANNED,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )

    item.refresh_from_db()
    assert item.due_on == original


def test_action_item_update_of_another_hits_item_finds_nothing(hit, director):
    other = ef.ActionPlanItemFactory()

    with pytest.raises(ActionPlanItem.DoesNotExist):
        services_maturity.action_item_update(
            actor=director, hit=hit, item_id=other.pk, status=ActionStatus.DONE, due_on=other.due_on
        )


def test_action_items_derive_overdue_from_the_date_and_status(hit):
    day = datetime.date(2026, 3, 10)
    ef.ActionPlanItemFactory(hit=hit, title="late", due_on=datetime.date(2026, 3, 9))
    ef.ActionPlanItemFactory(
        hit=hit, title="late but done", due_on=datetime.date(2026, 3, 1), status=ActionStatus.DONE
    )
    ef.ActionPlanItemFactory(
        hit=hit, title="late but dropped", due_on=datetime.date(2026, 3, 1), status=ActionStatus.DROPPED
    )
    ef.ActionPlanItemFactory(hit=hit, title="due today", due_on=day, status=ActionStatus.IN_PROGRESS)

    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC), tick=False):
        flags = {item.title: item.is_overdue for item in selectors_maturity.action_items(hit=hit)}

    assert flags == {"late": True, "late but done": False, "late but dropped": False, "due today": False}


# --- Survey hint (F11, stored results only) ----------------------------------------------------------


def test_survey_hint_reads_the_latest_waves_overall_levels(hit):
    old = ef.WaveFactory(
        hit=hit,
        title="Baseline",
        opens_on=datetime.date(2025, 1, 1),
        closes_on=datetime.date(2025, 2, 1),
        released=True,
    )
    new = ef.WaveFactory(
        hit=hit,
        title="Follow-up",
        opens_on=datetime.date(2025, 6, 1),
        closes_on=datetime.date(2025, 7, 1),
        released=True,
    )
    ef.ReadinessResultFactory(wave=old, dimension=Dimension.TRUST, level=3)
    ef.ReadinessResultFactory(wave=new, dimension=Dimension.TRUST, level=1, score=20.0)
    ef.ReadinessResultFactory(
        wave=new, dimension=Dimension.FAITH, n=3, suppressed=True, score=None, mean=None, sd=None, level=None
    )
    ef.ReadinessResultFactory(wave=new, dimension=Dimension.CAPACITY, level=1)
    ef.ReadinessResultFactory(
        wave=new, group_type="role", group_key="clinical", dimension=Dimension.CLARITY, level=3
    )
    # A newer wave with no results yet does not hide the stored ones.
    ef.WaveFactory(
        hit=hit, title="Open now", opens_on=datetime.date(2025, 9, 1), closes_on=datetime.date(2025, 10, 1)
    )

    hint = selectors_maturity.survey_hint(hit=hit)

    assert hint.wave == new
    assert hint.levels == {"trust": 1}


def test_survey_hint_is_none_without_results(hit):
    ef.WaveFactory(hit=hit)

    assert selectors_maturity.survey_hint(hit=hit) is None
