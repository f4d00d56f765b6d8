"""Migration 0009: revisions submitted before each revision's coverage was stored get the coverage
their frozen stakeholder table plans, computed as the submit path computes it, and linked."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from accreditation.models import Revision
from accreditation.selectors.applications import revision_coverage
from engagement.models import CoverageSnapshot
from engagement.services.scores import coverage_of_rows
from teams.enums import Sector
from tests import factories as f
from tests.factories.accreditation_panel import PanelApplicationFactory, PanelRevisionFactory
from tests.factories.engagement import CoverageSnapshotFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accreditation.migrations.0009_revisions_link_their_missing_coverage")

SUBMITTED = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


def _row(category: str, depth: int, organisation=None) -> dict:
    return {
        "organisation": organisation.name if organisation else "A partner",
        "organisation_id": organisation.pk if organisation else None,
        "stakeholder": "",
        "category": category,
        "role": "Partner",
        "outcome": "",
        "depth": depth,
    }


@pytest.fixture
def old_revision():
    """Revision 1, submitted before coverage was stored: providers at 3 (a mental health trust),
    commissioners at 2, the public at 1 (a council as a third-sector row), no link."""
    trust = f.OrganisationFactory(
        name="Avon Mental Health Trust",
        org_type=f.OrganisationTypeFactory(
            code="mh-trust", sector=Sector.NHS_PROVIDER, is_mental_health=True
        ),
    )
    council = f.OrganisationFactory(
        name="Bristol City Council",
        org_type=f.OrganisationTypeFactory(code="council", sector=Sector.LOCAL_GOVERNMENT),
    )
    application = PanelApplicationFactory()
    return PanelRevisionFactory(
        application=application,
        number=1,
        submitted_at=SUBMITTED,
        stakeholders=[_row("PROV", 3, trust), _row("PROV", 1), _row("COMM", 2, council), _row("PUBLIC", 1)],
        coverage=None,
    )


def test_an_old_revision_gets_the_coverage_its_stakeholder_table_plans(old_revision):
    assert migration.link_missing_revision_coverage(apps, None) == 1

    old_revision.refresh_from_db()
    snapshot = old_revision.coverage
    assert snapshot is not None
    assert (snapshot.hit_id, snapshot.label, snapshot.taken_on) == (
        old_revision.application.hit_id,
        "application v1",
        timezone.localtime(SUBMITTED).date(),
    )
    # What the submit path would have stored for the same table (engagement.services.scores).
    expected = coverage_of_rows(
        rows=[
            {"category": "PROV", "depth": 3, "sector": Sector.NHS_PROVIDER, "mental_health": True},
            {"category": "PROV", "depth": 1, "sector": "", "mental_health": False},
            {"category": "COMM", "depth": 2, "sector": Sector.LOCAL_GOVERNMENT, "mental_health": False},
            {"category": "PUBLIC", "depth": 1, "sector": "", "mental_health": False},
        ]
    )
    assert (snapshot.breadth, snapshot.degrees, snapshot.weighted, snapshot.leadership) == (
        expected.breadth,
        expected.degrees,
        expected.weighted,
        expected.leadership,
    )
    assert snapshot.category_depths == expected.category_depths
    assert snapshot.category_depths["PROV"] == 3 and snapshot.category_depths["COMM"] == 2
    assert snapshot.gaps == expected.gaps
    assert not any(gap["code"] in {"mental_health", "local_authority"} for gap in snapshot.gaps)
    # The panel's pages read it from the link: no more "coverage was not stored".
    assert revision_coverage(revisions=[old_revision])[1].snapshot == snapshot


def test_without_directory_organisations_the_blind_spots_are_named():
    revision = PanelRevisionFactory(stakeholders=[_row("PROV", 2)], coverage=None)

    migration.link_missing_revision_coverage(apps, None)

    revision.refresh_from_db()
    codes = [gap["code"] for gap in revision.coverage.gaps]
    assert "mental_health" in codes and "local_authority" in codes
    assert revision.coverage.category_depths["PROV"] == 2


def test_revisions_with_coverage_are_left_alone_and_a_second_run_changes_nothing(old_revision):
    kept = CoverageSnapshotFactory(label="application v2", degrees=90.0)
    linked = PanelRevisionFactory(application=old_revision.application, number=2, coverage=kept)

    migration.link_missing_revision_coverage(apps, None)
    count = CoverageSnapshot.objects.count()
    first = Revision.objects.get(pk=old_revision.pk).coverage_id

    assert migration.link_missing_revision_coverage(apps, None) == 0
    assert CoverageSnapshot.objects.count() == count
    assert Revision.objects.get(pk=old_revision.pk).coverage_id == first
    linked.refresh_from_db()
    assert linked.coverage == kept and kept.degrees == 90.0


def test_the_formula_names_the_local_government_sector_of_the_directory():
    from engagement.domain.scoring import LOCAL_GOVERNMENT_SECTOR

    assert LOCAL_GOVERNMENT_SECTOR == Sector.LOCAL_GOVERNMENT
