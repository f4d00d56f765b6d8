"""`manage.py seed_demo`: load the illustrative demo data (demo.loader), safe to run again.

Every demo login uses the password ``hitportal-demo``; the logins table, with what each login finds
waiting, is printed at the end. Loading sends no email: the notifications the services queue are
dropped, and the scores the worker would compute are computed in the same transaction.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.loader import SCORES, load_demo, logins_table, row_counts


class Command(BaseCommand):
    help = (
        "Load illustrative demo data: organisations, people, twenty HITs across every status, two rounds with "
        "their panel, applications at every step of review (through the accreditation services), an "
        "accreditation due for renewal, expressions of interest, stakeholder maps, PPI logs, a readiness "
        "survey, a maturity assessment and the stored scores, with one login per role (password "
        "hitportal-demo). Idempotent; sends no email."
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
            note = ", computed" if label in SCORES else ""
            self.stdout.write(f"  {name.ljust(width)}  {total:>4}  ({created[label]} new{note})")
        self.stdout.write("")
        for line in logins_table():
            self.stdout.write(line)
