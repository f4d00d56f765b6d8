"""The DOMAIN.md section 6 dataset, built with bulk inserts for benchmarks and load checks.

1,000 HITs, 20,000 stakeholder links, 5,000 application revisions, 50,000 survey responses (each
answering the 30-item bank). Everything is marked illustrative and lives under its own names
("Scale HIT 0001"...), so it never mixes with the demo data. Progress reports are added here when
the reporting models exist.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

PREFIX = "Scale HIT"


def build(
    *,
    hits: int = 1000,
    links_per_hit: int = 20,
    revisions_per_hit: int = 5,
    responses_per_hit: int = 50,
    seed: int = 2026,
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Build the dataset unless it is already there. Returns row counts."""
    from accreditation.models import Application, Revision, Round
    from engagement.models import Answer, InvolvementActivity, Item, Response, Stakeholder, Wave
    from teams.enums import HITStatus, LifecycleStage
    from teams.models import HIT, Organisation, OrganisationType, StakeholderCategory

    rng = random.Random(seed)  # noqa: S311 - reproducible illustrative data, not security
    if HIT.objects.filter(name__startswith=PREFIX).count() >= hits:
        say("Scale dataset already present.")
        return counts()
    today = timezone.localdate()
    types = list(OrganisationType.objects.select_related("default_category"))
    categories = {c.code: c.pk for c in StakeholderCategory.objects.all()}
    with transaction.atomic():
        say("Organisations...")
        Organisation.objects.bulk_create(
            [
                Organisation(name=f"Scale organisation {n:04d}", org_type=types[n % len(types)])
                for n in range(500)
            ],
            ignore_conflicts=True,
        )
        orgs = list(
            Organisation.objects.filter(name__startswith="Scale organisation").values_list(
                "pk", "org_type__default_category_id"
            )
        )
        say("HITs...")
        statuses = [HITStatus.ACTIVE] * 6 + [HITStatus.SET_UP, HITStatus.IN_APPLICATION, HITStatus.SUSPENDED]
        HIT.objects.bulk_create(
            [
                HIT(
                    name=f"{PREFIX} {n:04d}",
                    slug=f"scale-hit-{n:04d}",
                    focus="Illustrative focus area",
                    status=rng.choice(statuses),
                    stage=rng.choice(LifecycleStage.values),
                    is_illustrative=True,
                )
                for n in range(hits)
            ],
            batch_size=1000,
        )
        hit_ids = list(HIT.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True))
        say("Stakeholder links...")
        category_ids = list(categories.values())
        Stakeholder.objects.bulk_create(
            [
                Stakeholder(
                    hit_id=hit_id,
                    organisation_id=org_id,
                    category_id=default_category or rng.choice(category_ids),
                    depth=rng.randint(0, 3),
                    start_date=today - datetime.timedelta(days=rng.randint(1, 900)),
                    end_date=None if rng.random() > 0.1 else today - datetime.timedelta(days=1),
                )
                for hit_id in hit_ids
                for org_id, default_category in rng.sample(orgs, links_per_hit)
            ],
            batch_size=2000,
        )
        InvolvementActivity.objects.bulk_create(
            [
                InvolvementActivity(
                    hit_id=hit_id,
                    happened_on=today - datetime.timedelta(days=rng.randint(1, 400)),
                    activity_type="meeting",
                    level="involve",
                    decision_forum=rng.choice(
                        ["none", "delivery", "hit_group", "hit_leadership", "commissioning"]
                    ),
                    patients=rng.randint(0, 8),
                )
                for hit_id in hit_ids
                for _ in range(5)
            ],
            batch_size=2000,
        )
        say("Applications and revisions...")
        round_, _ = Round.objects.get_or_create(
            name="Scale round",
            defaults={
                "opens_on": today - datetime.timedelta(days=400),
                "eoi_deadline": today - datetime.timedelta(days=350),
                "application_deadline": today - datetime.timedelta(days=300),
            },
        )
        Application.objects.bulk_create(
            [
                Application(hit_id=hit_id, round=round_, status="accredited", version=revisions_per_hit)
                for hit_id in hit_ids
            ],
            batch_size=1000,
        )
        applications = list(Application.objects.filter(round=round_).values_list("pk", flat=True))
        Revision.objects.bulk_create(
            [
                Revision(
                    application_id=application_id,
                    number=number,
                    sections={
                        "aims": {"aims": "Illustrative aims", "problem": "A problem", "boundaries": "Many"}
                    },
                    organisation_count=4 + number,
                    category_count=min(7, 2 + number),
                )
                for application_id in applications
                for number in range(1, revisions_per_hit + 1)
            ],
            batch_size=2000,
        )
        say("Survey waves, responses and answers...")
        items = list(
            Item.objects.filter(instrument__name="Readiness for collaboration", instrument__version=1)
        )
        instrument_id = items[0].instrument_id
        Wave.objects.bulk_create(
            [
                Wave(
                    hit_id=hit_id,
                    instrument_id=instrument_id,
                    title="Scale wave",
                    opens_on=today - datetime.timedelta(days=60),
                    closes_on=today - datetime.timedelta(days=30),
                )
                for hit_id in hit_ids
            ],
            batch_size=1000,
        )
        waves = list(Wave.objects.filter(title="Scale wave").values_list("pk", "hit_id"))
        # Respondents come from a handful of the HIT's own partner organisations, as in a real wave.
        partners: dict[int, list[int]] = {}
        for hit_id, org_id in Stakeholder.objects.filter(hit_id__in=hit_ids).values_list(
            "hit_id", "organisation_id"
        ):
            partners.setdefault(hit_id, []).append(org_id)
        roles = ["leadership", "clinical", "management", "academic", "public", "other"]
        Response.objects.bulk_create(
            [
                Response(
                    wave_id=wave_id,
                    response_key=f"scale-{wave_id}-{n}",
                    organisation_id=rng.choice(partners[hit_id][:6]) if rng.random() > 0.2 else None,
                    role_group=rng.choice(roles),
                    is_submitted=True,
                    submitted_on=today - datetime.timedelta(days=40),
                )
                for wave_id, hit_id in waves
                for n in range(responses_per_hit)
            ],
            batch_size=5000,
        )
        response_ids = Response.objects.filter(response_key__startswith="scale-").values_list("pk", flat=True)
        batch: list[Answer] = []
        for response_id in response_ids.iterator(chunk_size=5000):
            for item in items:
                batch.append(
                    Answer(response_id=response_id, item_id=item.pk, value=rng.choice([1, 2, 3, 4, 5, None]))
                )
            if len(batch) >= 30000:
                Answer.objects.bulk_create(batch)
                batch = []
        if batch:
            Answer.objects.bulk_create(batch)
    return counts()


def counts() -> dict[str, int]:
    from accreditation.models import Revision
    from engagement.models import Answer, Response, Stakeholder
    from teams.models import HIT

    return {
        "hits": HIT.objects.count(),
        "stakeholder_links": Stakeholder.objects.count(),
        "application_revisions": Revision.objects.count(),
        "survey_responses": Response.objects.count(),
        "survey_answers": Answer.objects.count(),
    }
