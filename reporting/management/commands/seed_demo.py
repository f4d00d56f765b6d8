"""`manage.py seed_demo`: load the illustrative demo data (reporting.demo), safe to run again.

Every demo login uses the password ``hitportal-demo``; the logins table is printed at the end.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from reporting.demo import load_demo, logins_table, row_counts


class Command(BaseCommand):
    help = (
        "Load illustrative demo data: organisations, people, twenty HITs across every status, a round with "
        "its panel and one login per role (password hitportal-demo). Idempotent."
    )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        with transaction.atomic():
            created = load_demo(stdout=self.stdout)
        totals = row_counts()
        elapsed = time.monotonic() - started
        if any(created.values()):
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data already present; nothing changed ({elapsed:.1f} s).")
            )
        width = max(len(label) for label in totals)
        for label, total in totals.items():
            name = label.replace("_", " ")
            self.stdout.write(f"  {name.ljust(width)}  {total:>4}  ({created[label]} new)")
        self.stdout.write("")
        for line in logins_table():
            self.stdout.write(line)
