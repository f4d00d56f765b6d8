"""Reviewer calibration (docs/domain.md section 7.5): z-scores against each reviewer's own mean and SD
in the round, hand-worked, and the chair's raw and calibrated order on the round board."""

from __future__ import annotations

import math
from unittest import mock

import pytest
from django.urls import reverse

from accreditation.domain import review_stats
from accreditation.domain.criteria import criteria_for
from accreditation.enums import Recommendation
from accreditation.models import Review, RoundCalibration
from accreditation.selectors.rounds import review_totals
from accreditation.services.calibration import (
    all_calibrations_recompute,
    calibration_recompute_request,
    round_calibration_recompute,
)
from accreditation.services.reviews import ScoreInput, review_save
from accreditation.tasks import recompute_all_calibrations
from tests.factories import PanelMemberFactory
from tests.factories.accreditation_panel import (
    PanelApplicationFactory,
    ReviewAssignmentFactory,
    submitted_review,
)

A, B, C, D, E, F = 1, 2, 3, 4, 5, 6
HARSH, GENEROUS, FEW, FLAT = 11, 12, 13, 14

# Harsh: 10, 20, 30 (mean 20, SD 10): z -1, 0, 1. Generous: 40, 44, 36 (mean 40, SD sqrt(32 / 2) = 4):
# z 0, 1, -1. Few: two reviews only, raw mean only.
TOTALS = [
    (HARSH, A, 10.0),
    (HARSH, B, 20.0),
    (HARSH, C, 30.0),
    (GENEROUS, A, 40.0),
    (GENEROUS, B, 44.0),
    (GENEROUS, C, 36.0),
    (FEW, A, 50.0),
    (FEW, B, 5.0),
]


def test_z_scores_against_each_reviewers_own_mean_and_sd():
    z = review_stats.reviewer_z_scores(TOTALS)

    assert z == {
        (HARSH, A): pytest.approx(-1.0),
        (HARSH, B): pytest.approx(0.0),
        (HARSH, C): pytest.approx(1.0),
        (GENEROUS, A): pytest.approx(0.0),
        (GENEROUS, B): pytest.approx(1.0),
        (GENEROUS, C): pytest.approx(-1.0),
    }


def test_calibrated_score_is_the_mean_of_the_z_scores_and_the_raw_mean_counts_everyone():
    results = review_stats.calibrate(TOTALS)

    # Raw: A (10 + 40 + 50) / 3, B (20 + 44 + 5) / 3 = 23, C (30 + 36) / 2 = 33.
    assert results[A].raw == pytest.approx(100 / 3)
    assert results[B].raw == pytest.approx(23.0)
    assert results[C].raw == pytest.approx(33.0)
    # Calibrated: A (-1 + 0) / 2, B (0 + 1) / 2, C (1 - 1) / 2.
    assert results[A].calibrated == pytest.approx(-0.5)
    assert results[B].calibrated == pytest.approx(0.5)
    assert results[C].calibrated == pytest.approx(0.0)
    assert (results[A].reviews, results[A].calibrated_reviews) == (3, 2)
    assert review_stats.order(results, calibrated=False) == [A, C, B]
    assert review_stats.order(results, calibrated=True) == [B, C, A]


def test_a_reviewer_with_zero_sd_gives_z_scores_of_zero():
    z = review_stats.reviewer_z_scores([(FLAT, D, 30.0), (FLAT, E, 30.0), (FLAT, F, 30.0)])

    assert z == {(FLAT, D): 0.0, (FLAT, E): 0.0, (FLAT, F): 0.0}


def test_fewer_than_three_reviews_are_not_calibrated():
    results = review_stats.calibrate([(FEW, A, 50.0), (FEW, B, 5.0)])

    assert results[A].calibrated is None
    assert review_stats.order(results, calibrated=True) == [A, B]  # uncalibrated last, by id
    assert review_stats.calibrate([]) == {}


# --- The round board ------------------------------------------------------------------------------------


@pytest.fixture
def scored_round(panel, django_capture_on_commit_callbacks):
    harsh = PanelMemberFactory(panel=panel, user__full_name="Harsh Reviewer").user
    generous = PanelMemberFactory(panel=panel, user__full_name="Generous Reviewer").user
    applications = {
        name: PanelApplicationFactory(round=panel.round, hit__name=name)
        for name in ("Alpha", "Beta", "Gamma")
    }
    # One score for every criterion: totals are k x the score. Harsh 1, 2, 3 (z -1, 0, 1); generous
    # 3, 3, 0 (mean 2k, SD sqrt(3) k: z 1/sqrt(3), 1/sqrt(3), -2/sqrt(3)).
    # Each submission asks the worker (eager here) to store the round's calibration after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer, scores in ((harsh, (1, 2, 3)), (generous, (3, 3, 0))):
            for application, score in zip(applications.values(), scores, strict=True):
                submitted_review(
                    ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True),
                    score,
                )
    return applications


def test_the_chair_sees_raw_and_calibrated_order_side_by_side(client, chair, panel, scored_round):
    client.force_login(chair)

    response = client.get(reverse("accreditation:round-board", args=[panel.round.pk]))

    rows = response.context["order_rows"]
    # Raw means: Alpha 2k, Beta 2.5k, Gamma 1.5k. Calibrated: Alpha (-1 + 1/sqrt3) / 2 = -0.211,
    # Beta (0 + 1/sqrt3) / 2 = 0.289, Gamma (1 - 2/sqrt3) / 2 = -0.077.
    assert [r["raw"].hit.name for r in rows] == ["Beta", "Alpha", "Gamma"]
    assert [r["calibrated"].hit.name for r in rows] == ["Beta", "Gamma", "Alpha"]
    assert rows[1]["calibrated_score"].calibrated == pytest.approx((1 - 2 / math.sqrt(3)) / 2)
    html = response.content.decode()
    assert "Raw and calibrated order" in html
    assert "the decisions stay with the panel" in html


def test_the_board_without_reviews_says_so(client, chair, panel):
    PanelApplicationFactory(round=panel.round)
    round_calibration_recompute(round_id=panel.round.pk)
    client.force_login(chair)

    response = client.get(reverse("accreditation:round-board", args=[panel.round.pk]))

    assert "No submitted reviews yet." in response.content.decode()


def test_a_round_never_computed_says_so_rather_than_showing_no_order(client, chair, panel):
    PanelApplicationFactory(round=panel.round)
    client.force_login(chair)

    html = client.get(reverse("accreditation:round-board", args=[panel.round.pk])).content.decode()

    assert 'id="calibration-pending"' in html
    assert "No submitted reviews yet." not in html


# --- Stored by the worker: the board only reads ----------------------------------------------------------


def test_the_board_reads_the_stored_calibration_and_says_as_of_when(client, chair, panel, scored_round):
    stored = RoundCalibration.objects.get(round=panel.round)
    client.force_login(chair)

    response = client.get(reverse("accreditation:round-board", args=[panel.round.pk]))

    assert response.context["calibration_computed_at"] == stored.computed_at
    assert 'id="calibration-as-of"' in response.content.decode()
    # What the board shows is the stored row: change it and the page follows, no recompute on load.
    RoundCalibration.objects.filter(pk=stored.pk).update(results=[])
    assert client.get(reverse("accreditation:round-board", args=[panel.round.pk])).context["order_rows"] == []


def test_submitting_a_review_through_the_service_stores_the_rounds_calibration(
    panel, django_capture_on_commit_callbacks
):
    application = PanelApplicationFactory(round=panel.round)
    reviewer = PanelMemberFactory(panel=panel).user
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
    scores = [ScoreInput(criterion=c.code, score=2) for c in criteria_for(is_lay=False)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        review_save(
            actor=reviewer,
            assignment_id=assignment.pk,
            scores=scores,
            recommendation=Recommendation.values[0],
            summary="Sound plan.",
            submit=True,
        )

    assert len(callbacks) == 1  # one task queued after the commit
    stored = RoundCalibration.objects.get(round=panel.round)
    (row,) = stored.results
    assert row["application"] == application.pk
    assert row["raw"] == pytest.approx(2.0 * len(scores))
    assert (row["reviews"], row["calibrated_reviews"], row["calibrated"]) == (1, 0, None)


def test_a_draft_saved_again_asks_for_no_recompute(panel, django_capture_on_commit_callbacks):
    application = PanelApplicationFactory(round=panel.round)
    reviewer = PanelMemberFactory(panel=panel).user
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review_save(
            actor=reviewer,
            assignment_id=assignment.pk,
            scores=[ScoreInput(criterion=criteria_for(is_lay=False)[0].code, score=1)],
            recommendation="",
            summary="",
            submit=False,
        )

    assert callbacks == []


def test_unchanged_totals_write_nothing_and_changed_totals_write_anew(panel, scored_round):
    stored = RoundCalibration.objects.get(round=panel.round)

    again = round_calibration_recompute(round_id=panel.round.pk)

    assert again.computed_at == stored.computed_at  # same fingerprint: left as it was
    Review.objects.filter(assignment__application=scored_round["Alpha"]).delete()
    changed = round_calibration_recompute(round_id=panel.round.pk)
    assert changed.inputs_fingerprint != stored.inputs_fingerprint
    assert scored_round["Alpha"].pk not in {row["application"] for row in changed.results}


def test_a_removed_review_and_a_new_version_ask_for_a_recompute(
    panel, scored_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Review.objects.filter(assignment__application=scored_round["Gamma"]).delete()
    assert scored_round["Gamma"].pk not in {
        row["application"] for row in RoundCalibration.objects.get(round=panel.round).results
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calibration_recompute_request(application_id=scored_round["Beta"].pk)
    assert len(callbacks) == 1


def test_the_nightly_run_covers_undecided_rounds_and_carries_on_after_a_failure(panel, scored_round, caplog):
    RoundCalibration.objects.all().delete()
    other = PanelApplicationFactory().round

    with mock.patch(
        "accreditation.services.calibration.review_totals",
        side_effect=lambda round: (
            (_ for _ in ()).throw(RuntimeError("boom"))
            if round.pk == other.pk
            else review_totals(round=round)
        ),
    ):
        counts = all_calibrations_recompute()

    assert counts == {"done": 1, "failed": 1}
    assert RoundCalibration.objects.filter(round=panel.round).exists()
    assert "Reviewer calibration of round" in caplog.text
    assert recompute_all_calibrations.apply().get() == {"done": 2, "failed": 0}


def test_a_reviewer_cannot_open_the_round_board(client, reviewer, panel, scored_round):
    client.force_login(reviewer)

    assert client.get(reverse("accreditation:round-board", args=[panel.round.pk])).status_code == 403
