#!/usr/bin/env python
"""Benchmark the nightly recompute of every partnership network at national scale (docs/domain.md
sections 6 and 8): 1,000 HITs, each with 30 partner organisations on its map, a closed network round
answered by 24 of them (about 700,000 ratings in all), and its management and working groups for the
co-membership network.

Builds (once) the dataset in the database named by BENCH_DATABASE_URL (default: an SQLite file
var/bench-network.sqlite3), then prints the wall time and query count of:
  - the full recompute of every network (forced: every result written again), which is what the first
    nightly run does, or one after every organisation was renamed;
  - the nightly run as it usually is: every network read and fingerprinted, none changed, none written.

Usage: .venv/bin/python bench/network.py [--hits 1000] [--organisations 30]
       BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hitportal_bench .venv/bin/python bench/network.py
Target (docs/benchmarks.md): the nightly recompute of every network under 60 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitportal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-network.sqlite3'}"
)

POOL = 3000  # organisations in the directory; each HIT draws its partners from them
ANSWERING = 0.8  # share of a round's organisations that answered


def build(*, hits: int, organisations: int, say) -> None:
    """The dataset, written with bulk inserts (the services would take hours to write 700,000
    ratings one organisation at a time; what is timed is the recompute, not the writing)."""
    from django.db import transaction
    from django.utils import timezone

    from engagement.enums import NetworkRoundStatus
    from engagement.models import NetworkRating, NetworkRespondent, NetworkRound, Stakeholder
    from teams.enums import MembershipRole
    from teams.models import (
        HIT,
        Membership,
        Organisation,
        OrganisationType,
        Person,
        StakeholderCategory,
        WorkingGroup,
    )

    if HIT.objects.filter(slug__startswith="network-bench-").count() >= hits:
        return
    categories = list(StakeholderCategory.objects.order_by("position").values_list("pk", flat=True))
    org_type = OrganisationType.objects.order_by("pk").first()
    today = timezone.localdate()
    closed_on = today - datetime.timedelta(days=30)
    with transaction.atomic():
        say(f"{POOL} organisations and people")
        Organisation.objects.bulk_create(
            [
                Organisation(name=f"Network bench organisation {n:05d}", org_type=org_type)
                for n in range(POOL)
            ],
            batch_size=1000,
        )
        orgs = list(
            Organisation.objects.filter(name__startswith="Network bench organisation ")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Person.objects.bulk_create(
            [Person(full_name=f"Network bench person {n:05d}") for n in range(POOL)], batch_size=1000
        )
        people = list(
            Person.objects.filter(full_name__startswith="Network bench person ")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        say(f"{hits} HITs with {organisations} partners each")
        HIT.objects.bulk_create(
            [HIT(name=f"Network bench HIT {n:04d}", slug=f"network-bench-{n:04d}") for n in range(hits)],
            batch_size=1000,
        )
        hit_ids = list(
            HIT.objects.filter(slug__startswith="network-bench-").order_by("pk").values_list("pk", flat=True)
        )
        partners = {
            hit: [orgs[(index * 37 + k * 101) % POOL] for k in range(organisations)]
            for index, hit in enumerate(hit_ids)
        }
        Stakeholder.objects.bulk_create(
            [
                Stakeholder(
                    hit_id=hit,
                    organisation_id=org,
                    category_id=categories[(org + k) % len(categories)],
                    depth=2,
                    start_date=closed_on - datetime.timedelta(days=365),
                )
                for hit, members in partners.items()
                for k, org in enumerate(members)
            ],
            batch_size=2000,
        )
        WorkingGroup.objects.bulk_create(
            [WorkingGroup(hit_id=hit, name=f"Group {g}") for hit in hit_ids for g in range(3)],
            batch_size=2000,
        )
        groups: dict[int, list[int]] = {}
        for hit, pk in (
            WorkingGroup.objects.filter(hit_id__in=hit_ids).order_by("pk").values_list("hit_id", "pk")
        ):
            groups.setdefault(hit, []).append(pk)
        memberships = []
        for index, (hit, members) in enumerate(partners.items()):
            for k, org in enumerate(members):
                person = people[(index + k) % POOL]
                if k < 6:
                    memberships.append(
                        Membership(
                            hit_id=hit,
                            person_id=person,
                            organisation_id=org,
                            role=MembershipRole.MANAGEMENT_GROUP,
                        )
                    )
                memberships.append(
                    Membership(
                        hit_id=hit,
                        person_id=person,
                        organisation_id=org,
                        role=MembershipRole.MEMBER,
                        working_group_id=groups[hit][k % 3],
                    )
                )
        Membership.objects.bulk_create(memberships, batch_size=2000)
        say(f"{hits} closed rounds")
        now = timezone.now()
        NetworkRound.objects.bulk_create(
            [
                NetworkRound(
                    hit_id=hit,
                    title="Bench round",
                    status=NetworkRoundStatus.CLOSED,
                    opens_on=closed_on - datetime.timedelta(days=21),
                    closes_on=closed_on,
                    closed_at=now,
                )
                for hit in hit_ids
            ],
            batch_size=1000,
        )
        rounds = dict(NetworkRound.objects.filter(hit_id__in=hit_ids).values_list("hit_id", "pk"))
        answering = int(organisations * ANSWERING)
        NetworkRespondent.objects.bulk_create(
            [
                NetworkRespondent(
                    network_round_id=rounds[hit],
                    organisation_id=org,
                    category_id=categories[(org + k) % len(categories)],
                    contact_name="Contact",
                    email=f"contact{k}@example.org",
                    submitted_at=now if k < answering else None,
                )
                for hit, members in partners.items()
                for k, org in enumerate(members)
            ],
            batch_size=2000,
        )
        say(f"about {hits * answering * (organisations - 1):,} ratings")
        batch: list[NetworkRating] = []
        for hit, members in partners.items():
            for k, rater in enumerate(members[:answering]):
                for m, ratee in enumerate(members):
                    if ratee == rater:
                        continue
                    level = (k * m + hit) % 6 if (k + m) % 4 else 0
                    batch.append(
                        NetworkRating(
                            network_round_id=rounds[hit],
                            rater_id=rater,
                            ratee_id=ratee,
                            level=level,
                            trust=1 + (k + m) % 4 if level else None,
                            value=1 + (k * m) % 4 if level else None,
                        )
                    )
            if len(batch) >= 20000:
                NetworkRating.objects.bulk_create(batch, batch_size=5000)
                batch = []
        NetworkRating.objects.bulk_create(batch, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=1000)
    parser.add_argument("--organisations", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagement.models import NetworkRating, NetworkResult, NetworkRound
    from engagement.services.network import network_compute

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    build(
        hits=args.hits,
        organisations=args.organisations,
        say=lambda text: print(f"  building: {text}", flush=True),
    )
    built = time.perf_counter() - start

    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    print(
        f"Dataset: {NetworkRound.objects.count():,} closed rounds, {NetworkRating.objects.count():,} ratings "
        f"(ready in {built:.1f} s)"
    )
    for label, force in (
        ("Full recompute, every result written", True),
        ("Nightly run, nothing changed", False),
    ):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            outcome = network_compute(force=force)
            seconds = time.perf_counter() - start
        print(
            f"{label}: {seconds:6.1f} s  {len(captured.captured_queries):4d} queries  "
            f"({outcome.computed} computed, {outcome.unchanged} unchanged; {NetworkResult.objects.count()} stored)"
        )


if __name__ == "__main__":
    main()
