"""The collaboration life-cycle stage: the F15 suggestion, the assessment service and the pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reporting.domain import lifecycle
from reporting.models import StageAssessment
from reporting.services import stages as services
from teams.enums import LifecycleStage as Stage
from tests.factories import reporting as rf


def _ticks(stage: str, n: int) -> list[str]:
    return [b.code for b in lifecycle.behaviours_of(stage)[:n]]


def _all(stage: str) -> list[str]:
    return [b.code for b in lifecycle.behaviours_of(stage)]


def test_every_stage_has_behaviours_and_codes_are_unique():
    assert {b.stage for b in lifecycle.BEHAVIOURS} == set(Stage.values)
    assert len(lifecycle.BY_CODE) == len(lifecycle.BEHAVIOURS)


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        ([], None),
        # 3 of 6 contemplating behaviours is 0.5: not enough for any stage.
        (_ticks(Stage.CONTEMPLATING, 3), None),
        # 4 of 6 is 0.67.
        (_ticks(Stage.CONTEMPLATING, 4), Stage.CONTEMPLATING),
        # Connecting at 0.75 on top of contemplating.
        (_ticks(Stage.CONTEMPLATING, 4) + _ticks(Stage.CONNECTING, 3), Stage.CONNECTING),
        # Connecting at 0.5 stops the climb even though planning is fully ticked.
        (
            _ticks(Stage.CONTEMPLATING, 6) + _ticks(Stage.CONNECTING, 2) + _all(Stage.PLANNING),
            Stage.CONTEMPLATING,
        ),
        # A later stage alone is never suggested: every earlier stage must reach 0.6.
        (_all(Stage.IMPLEMENTATION), None),
        # Exactly 3 of 5 implementation behaviours (0.6) counts.
        (
            _all(Stage.CONTEMPLATING)
            + _all(Stage.CONNECTING)
            + _all(Stage.PLANNING)
            + _ticks(Stage.IMPLEMENTATION, 3),
            Stage.IMPLEMENTATION,
        ),
        (
            _all(Stage.CONTEMPLATING)
            + _all(Stage.CONNECTING)
            + _all(Stage.PLANNING)
            + _all(Stage.IMPLEMENTATION)
            + _ticks(Stage.MAINTENANCE, 3),
            Stage.MAINTENANCE,
        ),
        ([b.code for b in lifecycle.BEHAVIOURS], Stage.DISSOLUTION),
        (["no.such.code", *_ticks(Stage.CONTEMPLATING, 4)], Stage.CONTEMPLATING),
    ],
)
def test_f15_suggestion(ticked, expected):
    assert lifecycle.suggest_stage(ticked) == expected


def test_shares_are_exact():
    shares = lifecycle.shares(_ticks(Stage.IMPLEMENTATION, 3))

    assert shares[Stage.IMPLEMENTATION] == lifecycle.THRESHOLD
    assert shares[Stage.CONTEMPLATING] == 0


def test_assessment_records_suggestion_and_confirmed_stage_and_sets_the_hit(director, hit):
    ticked = _ticks(Stage.CONTEMPLATING, 4) + _ticks(Stage.CONNECTING, 3)

    assessment = services.stage_assessment_record(
        actor=director,
        hit_id=hit.pk,
        behaviours=ticked,
        confirmed_stage=Stage.PLANNING,
        note="We think we are further on.",
    )

    hit.refresh_from_db()
    assert (assessment.suggested_stage, assessment.confirmed_stage, assessment.assessed_by) == (
        Stage.CONNECTING,
        Stage.PLANNING,
        director,
    )
    assert assessment.behaviours == sorted(ticked)
    assert hit.stage == Stage.PLANNING


def test_assessment_keeps_history(programme_manager, hit):
    services.stage_assessment_record(
        actor=programme_manager, hit_id=hit.pk, behaviours=[], confirmed_stage=Stage.PLANNING
    )
    services.stage_assessment_record(
        actor=programme_manager, hit_id=hit.pk, behaviours=[], confirmed_stage=Stage.IMPLEMENTATION
    )

    assert list(StageAssessment.objects.order_by("pk").values_list("confirmed_stage", "suggested_stage")) == [
        (Stage.PLANNING, ""),
        (Stage.IMPLEMENTATION, ""),
    ]


def test_assessment_refuses_unknown_behaviours_and_stages(director, hit):
    with pytest.raises(ValidationError):
        services.stage_assessment_record(
            actor=director, hit_id=hit.pk, behaviours=["x"], confirmed_stage=Stage.PLANNING
        )
    with pytest.raises(ValidationError):
        services.stage_assessment_record(
            actor=director, hit_id=hit.pk, behaviours=[], confirmed_stage="launch"
        )

    assert StageAssessment.objects.count() == 0


def test_assessment_is_for_members_and_programme_managers(board_member, outsider, hit):
    for actor in (board_member, outsider):
        with pytest.raises(PermissionDenied):
            services.stage_assessment_record(
                actor=actor, hit_id=hit.pk, behaviours=[], confirmed_stage=Stage.PLANNING
            )


def test_hit_stage_set_updates_only_the_stage(hit, programme_manager):
    hit.name = "Renamed in memory only"

    services.hit_stage_set(actor=programme_manager, hit_id=hit.pk, stage=Stage.MAINTENANCE)

    hit.refresh_from_db()
    assert (hit.stage, hit.name) == (Stage.MAINTENANCE, "Dementia HIT")


# --- Pages -------------------------------------------------------------------------------------------


def test_suggest_stores_nothing_and_preselects_the_suggestion(client, director, hit):
    client.force_login(director)
    ticked = _ticks(Stage.CONTEMPLATING, 4) + _ticks(Stage.CONNECTING, 3)

    response = client.post(
        reverse("reporting:stage-assess", args=[hit.pk]), {"behaviours": ticked, "step": "suggest"}
    )

    assert response.status_code == 200
    assert "Suggested stage: <strong>Connecting</strong>" in response.content.decode()
    assert response.context["form"]["confirmed_stage"].value() == Stage.CONNECTING
    assert StageAssessment.objects.count() == 0


def test_confirm_stores_and_redirects_to_the_history(client, director, hit):
    client.force_login(director)

    response = client.post(
        reverse("reporting:stage-assess", args=[hit.pk]),
        {
            "behaviours": _ticks(Stage.CONTEMPLATING, 4),
            "confirmed_stage": Stage.CONNECTING,
            "step": "confirm",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("reporting:stage-history", args=[hit.pk])
    assert "The life-cycle stage was confirmed as connecting." in response.content.decode()
    hit.refresh_from_db()
    assert hit.stage == Stage.CONNECTING


def test_confirm_without_a_stage_shows_the_error_and_stores_nothing(client, director, hit):
    client.force_login(director)

    response = client.post(
        reverse("reporting:stage-assess", args=[hit.pk]), {"behaviours": [], "step": "confirm"}
    )

    assert response.status_code == 200
    assert "Choose the stage you confirm." in response.content.decode()
    assert StageAssessment.objects.count() == 0


def test_history_lists_assessments(client, board_member, hit):
    rf.StageAssessmentFactory(hit=hit, behaviours=_ticks(Stage.CONTEMPLATING, 2), note="First look")
    client.force_login(board_member)

    response = client.get(reverse("reporting:stage-history", args=[hit.pk]))

    content = response.content.decode()
    assert "First look" in content
    assert "2 ticked" in content
    assert "Assess the stage again" not in content
