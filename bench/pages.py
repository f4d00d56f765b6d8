#!/usr/bin/env python
"""Benchmark the busiest pages at docs/domain.md section 9 scale: queries and server time per request.

Builds (once) the scale dataset (demo/scale.py, as `manage.py seed_scale`) in the database
named by BENCH_DATABASE_URL (default: an SQLite file var/bench.sqlite3), then requests each page
through Django's test client, logged in as the persona who reads it, and prints per page the
number of queries of one request and the median server time over repeated requests (after one
warm-up request that fills the template cache):

  - board dashboard      (reporting:board-dashboard)       as the board member
  - HIT dashboard        (reporting:hit-dashboard)         the largest HIT (420 links), as its director
  - application list     (accreditation:round-board)       the scale round's 1,000 applications, as the
                                                           programme manager
  - report list          (reporting:report-list)           the whole portfolio, as the programme manager
  - stakeholder list     (engagement:stakeholder-map)      the largest HIT, as its director

Columns: queries of one request; median and slowest wall time of a request (what a user waits
for, minus the network); the median CPU time of this process (the Python side alone: for SQLite it
includes the database, for PostgreSQL not); the median total of the query times as Django timed
them; the size of the page. On a shared machine the wall times grow with the load average, which is
printed before and after; the CPU time does not.

A page whose URL name does not resolve yet is listed as "not built" and skipped. The settings are
the production ones (DEBUG off, cached templates) with HTTPS redirects off, as in the test suite.
The exit status is 1 when a page misses a target or does not answer 200.

Usage: .venv/bin/python bench/pages.py [--repeat 15] [--hits 1000]
       BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hitportal_pages .venv/bin/python bench/pages.py
Targets (docs/benchmarks.md): at most 15 queries per page whatever the data size, median server
time at most 250 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from demo.scale import BenchPage

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._pages_env import configure  # noqa: E402 - after the path is set

configure(os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"))

MAX_QUERIES = 15
MAX_MEDIAN_MS = 250


@dataclass(frozen=True)
class Result:
    page: BenchPage
    status: int | None
    queries: int
    median_ms: float
    max_ms: float
    cpu_ms: float  # median CPU time of this process (excludes PostgreSQL's own work)
    db_ms: float  # median total time of the queries, as Django timed them
    size_kb: float
    sql: tuple[tuple[float, str], ...] = ()  # (ms, SQL) of the last request


def url_of(page: BenchPage) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(page.url_name, args=page.args)
    except NoReverseMatch:
        return None


def measure(page: BenchPage, url: str, *, repeat: int) -> Result:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from teams.models import User

    client = Client()
    client.force_login(User.objects.get(email=page.persona))
    response = client.get(url, secure=True)  # warm-up: templates compiled and cached
    if response.status_code != 200:
        return Result(page, response.status_code, 0, 0.0, 0.0, 0.0, 0.0, 0.0)
    times, cpu, db, queries = [], [], [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        db.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries = max(queries, len(captured.captured_queries))
    return Result(
        page,
        response.status_code,
        queries,
        statistics.median(times),
        max(times),
        statistics.median(cpu),
        statistics.median(db),
        len(response.content) / 1024,
        tuple((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page (default 15)")
    parser.add_argument("--hits", type=int, default=1000, help="HITs of the scale dataset (default 1000)")
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of each page's last request"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from demo import scale

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    scale.build(hits=args.hits, say=lambda text: print(f"  building: {text}", flush=True))
    built = time.perf_counter() - start
    sizes = scale.counts()

    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    print(
        "Dataset: "
        + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sizes.items())
        + f" (ready in {built:.1f} s)"
    )
    print(f"Each page: 1 warm-up request, then {args.repeat} timed; queries of one request.")
    # Other work on the machine inflates the wall times; the CPU column shows this process alone.
    print("Load average before: {:.2f} {:.2f} {:.2f}\n".format(*os.getloadavg()))
    print(
        f"| Page | Persona | Queries (target <= {MAX_QUERIES}) | Median ms (target <= {MAX_MEDIAN_MS}) "
        "| Max ms | CPU ms | DB ms | KB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for page in scale.bench_pages():
        url = url_of(page)
        if url is None:
            print(
                f"| {page.label} | {page.persona} | not built ({page.url_name} does not resolve) | | | | | |"
            )
            continue
        result = measure(page, url, repeat=args.repeat)
        if result.status != 200:
            failed = True
            print(f"| {page.label} | {page.persona} | HTTP {result.status} at {url} | | | | | |")
            continue
        over = result.queries > MAX_QUERIES or result.median_ms > MAX_MEDIAN_MS
        failed |= over
        print(
            f"| {page.label} | {page.persona} | {result.queries} | {result.median_ms:.1f} | "
            f"{result.max_ms:.1f} | {result.cpu_ms:.1f} | {result.db_ms:.1f} | {result.size_kb:.0f} |{' OVER TARGET' if over else ''}",
            flush=True,
        )
        if args.show_queries:
            for n, (ms, sql) in enumerate(result.sql, 1):
                print(f"    {n:2d}. ({ms:.1f} ms) {sql[:400]}")
    print("\nLoad average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
