#!/usr/bin/env python
"""Benchmark choosing a person or an organisation from a large directory (teams.forms.lookup).

Builds, in a fresh SQLite file (var/bench-directory.sqlite3, replaced on each run), a directory of
--people people and --organisations organisations with one HIT whose director edits a draft
application, then requests the application's governance section (two person choices, one
organisation choice) through Django's test client, as the director:

  - with every entry in its <select> (the directory counted as small: DIRECTORY_SELECT_FULL_MAX above it)
  - with the search box and a short list (the default past 300 entries)

and the lookup that htmx asks for while the director types (teams:directory-lookup).
Prints per request: queries, median and slowest wall time over --repeat requests after one warm-up,
and the size of the response.

Usage: .venv/bin/python bench/directory.py [--people 10000] [--organisations 3000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = ROOT / "var" / "bench-directory.sqlite3"
from bench._pages_env import configure  # noqa: E402 - after the path is set

configure(f"sqlite:///{DATABASE}")


def build(people: int, organisations: int) -> tuple[object, int]:
    """The directory, one HIT, its director (a user) and a draft application. Returns (user, application id)."""
    from accreditation.models import Application, Round
    from teams.enums import HITStatus, MembershipRole
    from teams.models import HIT, Membership, Organisation, OrganisationType, Person, User

    org_type = OrganisationType.objects.order_by("pk").first()
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Directory organisation {n:05d}", org_type=org_type)
            for n in range(organisations)
        ],
        batch_size=1000,
    )
    Person.objects.bulk_create(
        [
            Person(full_name=f"Directory Person {n:05d}", email=f"directory-{n:05d}@example.org")
            for n in range(people)
        ],
        batch_size=1000,
    )
    user = User.objects.create_user(
        email="bench-director@example.org", password=None, full_name="Bench Director"
    )
    person = Person.objects.create(full_name="Bench Director", email=user.email, user=user)
    hit = HIT.objects.create(name="Bench HIT", slug="bench-hit", status=HITStatus.ACTIVE)
    Membership.objects.create(hit=hit, person=person, role=MembershipRole.DIRECTOR)
    today = datetime.date.today()
    round_ = Round.objects.create(
        name="Bench round", opens_on=today, eoi_deadline=today, application_deadline=today
    )
    application = Application.objects.create(hit=hit, round=round_)
    return user, application.pk


def measure(client, url: str, repeat: int, params: dict | None = None) -> tuple[int, float, float, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, params, secure=True)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, params, secure=True)
            times.append((time.perf_counter() - start) * 1000)
        queries = max(queries, len(captured.captured_queries))
    return queries, statistics.median(times), max(times), len(response.content) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    (ROOT / "var").mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    user, application_id = build(args.people, args.organisations)
    client = Client()
    client.force_login(user)
    section = reverse("accreditation:application-section", args=[application_id, "governance"])
    lookup = reverse("teams:directory-lookup", args=["people"])

    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"Directory: {args.people:,} people, {args.organisations:,} organisations (SQLite)")
    print(f"Each request: 1 warm-up, then {args.repeat} timed.\n")
    print("| Request | Queries | Median ms | Max ms | KB |")
    print("|---|---|---|---|---|")
    rows = []
    default_max = settings.DIRECTORY_SELECT_FULL_MAX
    settings.DIRECTORY_SELECT_FULL_MAX = 10**9
    rows.append(("Governance section, every entry listed", measure(client, section, args.repeat)))
    settings.DIRECTORY_SELECT_FULL_MAX = default_max
    rows.append(("Governance section, search box and short list", measure(client, section, args.repeat)))
    rows.append(
        (
            "Lookup while typing (“person 01”)",
            measure(
                client,
                lookup,
                args.repeat,
                {"field": "director", "director__q": "person 01", "status": "id_director__status"},
            ),
        )
    )
    for label, (queries, median, slowest, size) in rows:
        print(f"| {label} | {queries} | {median:.1f} | {slowest:.1f} | {size:.0f} |")


if __name__ == "__main__":
    main()
