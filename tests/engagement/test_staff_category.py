"""Professionals and front-line staff (STAFF) are counted from each person's professional group
(docs/domain.md section 5.2): a person of a front-line group counts in their row's category and in STAFF
at the same depth; a public member, a manager or an organisation-only row does not count in STAFF."""

from __future__ import annotations

import datetime

from django.utils import timezone

from engagement.models import CoverageScore
from engagement.services.scores import coverage_compute, coverage_inputs
from teams.enums import ProfessionalGroup
from tests import factories as f
from tests.factories.engagement import StakeholderFactory, category


def _row(hit, *, group: str = "", public: bool = False, depth: int = 2, **extra):
    person = f.PersonFactory(professional_group=group, is_public_member=public)
    return StakeholderFactory(hit=hit, person=person, depth=depth, **extra)


def test_a_consultant_counts_in_providers_and_in_staff_at_the_same_depth(db):
    hit = f.HITFactory()
    _row(hit, group=ProfessionalGroup.CLINICAL, depth=2)

    depths = coverage_inputs(hit_ids=[hit.pk], day=timezone.localdate())[hit.pk]["depths"]

    assert depths == {"PROV": 2, "STAFF": 2}


def test_staff_takes_the_deepest_front_line_row(db):
    hit = f.HITFactory()
    _row(hit, group=ProfessionalGroup.NURSING_AHP, depth=1)
    _row(hit, group=ProfessionalGroup.SOCIAL_CARE, depth=3, category=category("NONNHS"))

    depths = coverage_inputs(hit_ids=[hit.pk], day=timezone.localdate())[hit.pk]["depths"]

    assert depths["STAFF"] == 3 and depths["NONNHS"] == 3 and depths["PROV"] == 1


def test_managers_public_members_organisation_rows_and_ended_rows_are_not_staff(db):
    hit = f.HITFactory()
    today = timezone.localdate()
    _row(hit, group=ProfessionalGroup.MANAGEMENT, depth=3)
    _row(hit, group=ProfessionalGroup.CLINICAL, public=True, depth=3, category=category("PUBLIC"))
    StakeholderFactory(hit=hit, depth=3)  # an organisation, no person
    _row(hit, group=ProfessionalGroup.CLINICAL, depth=3, end_date=today - datetime.timedelta(days=1))
    _row(hit, group="", depth=3)  # group not recorded

    depths = coverage_inputs(hit_ids=[hit.pk], day=today)[hit.pk]["depths"]

    assert "STAFF" not in depths
    assert depths["PROV"] == 3 and depths["PUBLIC"] == 3


def test_the_stored_coverage_covers_staff_and_a_switched_off_staff_counts_nowhere(db):
    hit = f.HITFactory()
    _row(hit, group=ProfessionalGroup.CLINICAL, depth=2)

    coverage_compute(hit_ids=[hit.pk])
    with_staff = CoverageScore.objects.get(hit=hit)
    staff = category("STAFF")
    staff.counts_toward_coverage = False
    staff.save()
    coverage_compute(hit_ids=[hit.pk])
    without = CoverageScore.objects.get(hit=hit)

    # Providers and staff of the enabled categories: one more category covered with STAFF counting.
    assert without.breadth < with_staff.breadth
