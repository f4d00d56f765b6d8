"""Engagement coverage computed end to end by a real worker: a burst of edits in the web process
becomes one debounced task on Redis, which the worker runs against PostgreSQL."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from engagement.models import CoverageScore, ScoreRequest, Stakeholder
from engagement.services import stakeholders as services
from teams.models import HIT, Organisation, OrganisationType, StakeholderCategory

pytestmark = pytest.mark.integration


def _wait_for_score(hit: HIT, timeout: float = 30.0) -> CoverageScore:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        score = CoverageScore.objects.filter(hit=hit).first()
        if score is not None and not ScoreRequest.objects.filter(hit=hit).exists():
            return score
        time.sleep(0.2)
    raise AssertionError("the worker did not store a coverage score in time")


def test_burst_of_map_edits_is_scored_once_by_the_worker(celery_worker):
    # Earlier transactional tests flush the seeded vocabularies, so make sure the seven categories exist.
    for position, code in enumerate(
        ["PROV", "COMM", "STAFF", "PUBLIC", "OPS", "NONNHS", "RESEARCH"], start=1
    ):
        StakeholderCategory.objects.get_or_create(code=code, defaults={"name": code, "position": position})
    prov, comm = StakeholderCategory.objects.get(code="PROV"), StakeholderCategory.objects.get(code="COMM")
    acute, _ = OrganisationType.objects.get_or_create(
        code="nhs-acute", defaults={"name": "NHS acute provider", "sector": "nhs_provider"}
    )
    commissioner, _ = OrganisationType.objects.get_or_create(
        code="commissioner-icb", defaults={"name": "Commissioner", "sector": "commissioner"}
    )
    hit = HIT.objects.create(name="Worker coverage HIT", slug="worker-coverage", focus="Testing")

    with transaction.atomic():
        for number in range(3):
            services.stakeholder_save(
                actor=None,
                stakeholder=Stakeholder(
                    hit=hit,
                    organisation=Organisation.objects.create(name=f"Worker trust {number}", org_type=acute),
                    category=prov,
                    depth=2,
                ),
            )
        services.stakeholder_save(
            actor=None,
            stakeholder=Stakeholder(
                hit=hit,
                organisation=Organisation.objects.create(name="Worker ICB", org_type=commissioner),
                category=comm,
                depth=3,
            ),
        )

    score = _wait_for_score(hit)

    assert score.category_depths["PROV"] == 2
    assert score.category_depths["COMM"] == 3
    assert score.commissioner_in_leadership is True
    assert score.breadth == pytest.approx(2 / 7, abs=1e-6)
    # The worker writes its "succeeded" line just after the score: wait for it, then count the jobs.
    assert celery_worker.logged("engagement.compute_coverage") and celery_worker.logged("succeeded")
    # Four edits, one job: the worker received and ran the task exactly once.
    log = celery_worker.log()
    runs = [line for line in log.splitlines() if "Task engagement.compute_coverage[" in line]
    assert [("received" in line, "succeeded" in line) for line in runs] == [(True, False), (False, True)]
