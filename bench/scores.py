#!/usr/bin/env python
"""Benchmark the score computations at docs/domain.md section 9 scale.

Builds (once) the scale dataset in the database named by BENCH_DATABASE_URL (default: an SQLite
file var/bench.sqlite3), then prints the wall time and query count of:
  - a full recompute of every HIT's engagement coverage,
  - the release of every closed wave's readiness results (computed once, when a wave closes),
  - a single-HIT recompute of coverage, and the release of its waves' results, median of repeated runs.

Released results are never recomputed by the portal; to time a release again, the benchmark first
withdraws the results it is about to release (outside the timed part).

Usage: .venv/bin/python bench/scores.py [--repeat 9]
       BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hitportal_bench .venv/bin/python bench/scores.py
Targets (docs/benchmarks.md): full recompute of 1,000 HITs under 30 s; one HIT under 200 ms with a
query count that does not grow with the HIT's size.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitportal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
)


def measure(fn, *, repeat: int = 1, setup=None) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, result = [], 0, None
    for _ in range(repeat):
        if setup is not None:
            setup()
        # The query log keeps the last 9,000 queries: once building the dataset filled it, counting
        # new entries would count nothing.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        queries = len(captured.captured_queries)
    return statistics.median(times), queries, result


def withdraw(*, hit_id: int | None = None) -> None:
    """Undo a release, for the benchmark only: the results go and the waves wait to be released."""
    from engagement.models import ReadinessResult, Wave

    waves = Wave.objects.all() if hit_id is None else Wave.objects.filter(hit_id=hit_id)
    ReadinessResult.objects.filter(wave__in=waves).delete()
    waves.update(released_at=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs of the single-HIT recompute")
    parser.add_argument("--hits", type=int, default=1000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from demo import scale
    from engagement.services.releases import readiness_release, readiness_release_for_hit
    from engagement.services.scores import coverage_compute
    from teams.models import HIT

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    sizes = scale.build(hits=args.hits, say=lambda text: print(f"  building: {text}", flush=True))
    built = time.perf_counter() - start
    # One HIT far larger than the rest shows whether one HIT's cost grows with its size.
    big = HIT.objects.order_by("pk").first()
    if big.stakeholders.count() < 400:
        from engagement.models import Stakeholder
        from teams.models import Organisation

        category = big.stakeholders.first().category_id
        Stakeholder.objects.bulk_create(
            Stakeholder(hit=big, organisation_id=org_id, category_id=category, depth=2)
            for org_id in Organisation.objects.values_list("pk", flat=True)[:400]
        )
    sizes = scale.counts()

    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    print(
        "Dataset: "
        + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sizes.items())
        + f" (ready in {built:.1f} s)"
    )

    seconds, queries, scored = measure(coverage_compute)
    print(f"Full coverage recompute:   {seconds * 1000:8.0f} ms  {queries:3d} queries  ({scored} HITs)")
    seconds, queries, rows = measure(readiness_release, setup=withdraw)
    print(f"Release of every wave:     {seconds * 1000:8.0f} ms  {queries:3d} queries  ({rows} result rows)")

    small, large = (
        HIT.objects.annotate(n=Count("stakeholders")).filter(n__gt=0).order_by("n").values_list("pk", "n")[0],
        HIT.objects.annotate(n=Count("stakeholders")).order_by("-n").values_list("pk", "n")[0],
    )
    for label, (hit_id, links) in (("smallest", small), ("largest", large)):
        seconds, queries, _ = measure(
            lambda hit_id=hit_id: coverage_compute(hit_ids=[hit_id]), repeat=args.repeat
        )
        print(f"One HIT coverage ({label}, {links} links): {seconds * 1000:6.1f} ms  {queries:3d} queries")
        seconds, queries, _ = measure(
            lambda hit_id=hit_id: readiness_release_for_hit(hit_id=hit_id),
            repeat=args.repeat,
            setup=lambda hit_id=hit_id: withdraw(hit_id=hit_id),
        )
        print(f"One HIT readiness release ({label}):    {seconds * 1000:6.1f} ms  {queries:3d} queries")


if __name__ == "__main__":
    main()
