#!/usr/bin/env python
"""The signed-in floor: what a signed-in request costs before its page does anything of its own.

Requests the profile page and a page that does nothing of its own (the "password changed" page) through
Django's test client, signed in as one persona, with the production settings (bench/_pages_env.py), and
prints per page the queries of one request and the median CPU and wall time of this process over
--repeat requests, after --warm requests that fill the template and roles caches. The CPU time is the
Python side alone (for PostgreSQL the database's own work is not in it); on a shared machine it moves
much less with the load than the wall time. --profile N prints cProfile's N costliest calls by
cumulative time over the timed requests instead of timing them.

Usage: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hitportal_floor [CACHE_URL=redis://...] \\
           .venv/bin/python bench/floor.py [--persona scale-director-0001@example.org] [--repeat 300]
The database must hold the persona (manage.py seed_scale); Redis is used when CACHE_URL names it, as in
production, else each process's local-memory cache.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pathlib
import pstats
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._pages_env import configure  # noqa: E402 - after the path is set

configure(os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"))

PAGES = ("profile", "password_change_done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persona", default="scale-director-0001@example.org")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--show-queries", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from teams.models import User

    client = Client()
    client.force_login(User.objects.get(email=args.persona))
    for name in PAGES:
        url = reverse(name)
        for _ in range(args.warm):
            response = client.get(url, secure=True)
        if response.status_code != 200:
            print(f"{url}: answered {response.status_code}")
            continue
        with CaptureQueriesContext(connection) as captured:
            client.get(url, secure=True)
        queries = [q["sql"] for q in captured.captured_queries]  # read before the next request clears them
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(args.repeat):
                client.get(url, secure=True)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(f"{url}: {len(queries)} queries\n{out.getvalue()}")
            continue
        cpu, wall = [], []
        for _ in range(args.repeat):
            start_cpu, start = time.process_time(), time.perf_counter()
            client.get(url, secure=True)
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
        print(
            f"{url}: {len(queries)} queries, CPU median {statistics.median(cpu):.2f} ms, "
            f"wall median {statistics.median(wall):.2f} ms over {args.repeat} requests"
        )
        if args.show_queries:
            for sql in queries:
                print(f"    {sql[:160]}")


if __name__ == "__main__":
    main()
