"""Revisions submitted before each revision's coverage was stored (0008) get it now.

For each revision without a coverage snapshot, the coverage its frozen stakeholder table plans is
computed with the formula the submit path uses (engagement.domain.scoring.planned_coverage, through
engagement.services.scores.coverage_of_rows at submit), over the stakeholder categories switched on
now, stored as the "application vN" snapshot of the day it was submitted, and linked to it. An
organisation's sector and mental-health flag are read from the directory through the row's
organisation_id, as at submit; a row without one has neither. Revisions that have a snapshot are left
alone, so running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

from engagement.domain.scoring import CategorySpec, planned_coverage


def link_missing_revision_coverage(apps: Any, schema_editor: Any) -> int:
    """Link a computed coverage snapshot to every revision that has none; return how many."""
    Revision = apps.get_model("accreditation", "Revision")
    CoverageSnapshot = apps.get_model("engagement", "CoverageSnapshot")
    StakeholderCategory = apps.get_model("teams", "StakeholderCategory")
    Organisation = apps.get_model("teams", "Organisation")

    missing = list(
        Revision.objects.filter(coverage__isnull=True).select_related("application").order_by("pk")
    )
    if not missing:
        return 0
    categories = [
        CategorySpec(code=c.code, name=c.name, weight=float(c.weight), counts=c.counts_toward_coverage)
        for c in StakeholderCategory.objects.filter(is_active=True).order_by("position", "pk")
    ]
    organisation_ids = {
        row.get("organisation_id")
        for revision in missing
        for row in revision.stakeholders or []
        if isinstance(row, dict) and row.get("organisation_id")
    }
    organisations = {
        o["pk"]: o
        for o in Organisation.objects.filter(pk__in=organisation_ids).values(
            "pk", "org_type__sector", "org_type__is_mental_health"
        )
    }
    linked = 0
    for revision in missing:
        rows = []
        for row in revision.stakeholders or []:
            if not isinstance(row, dict) or not row.get("category"):
                continue
            organisation = organisations.get(row.get("organisation_id"))
            rows.append(
                {
                    "category": row["category"],
                    "depth": row.get("depth") or 1,
                    "sector": organisation["org_type__sector"] if organisation else "",
                    "mental_health": bool(organisation and organisation["org_type__is_mental_health"]),
                }
            )
        result = planned_coverage(categories=categories, rows=rows)
        snapshot, _ = CoverageSnapshot.objects.update_or_create(
            hit_id=revision.application.hit_id,
            taken_on=timezone.localtime(revision.submitted_at).date(),
            label=f"application v{revision.number}",
            defaults={
                "breadth": result.breadth,
                "degrees": result.degrees,
                "weighted": result.weighted,
                "leadership": result.leadership,
                "category_depths": result.category_depths,
                "gaps": result.gaps,
            },
        )
        Revision.objects.filter(pk=revision.pk).update(coverage=snapshot)
        linked += 1
    return linked


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0008_revision_links_its_coverage"),
        ("engagement", "0008_coverage_snapshot_keeps_gaps"),
        ("teams", "0013_membership_changes"),
    ]

    operations = [migrations.RunPython(link_missing_revision_coverage, migrations.RunPython.noop)]
