"""`manage.py seed_scale`: build the docs/domain.md section 9 dataset (demo.scale), safe to run again.

1,000 HITs (`--hits`), 20,000 stakeholder links, 5,000 application revisions, 10,000 progress
reports, 50,000 survey responses, the HITs' directors and members, and the stored scores. Only the
missing parts are built, so a second run adds nothing. Takes a few minutes; meant for a benchmark
database (bench/pages.py, bench/scores.py), never for a live one.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import scale
from demo.data_scale import BOARD_EMAIL, CHAIR_EMAIL, PM_EMAIL


class Command(BaseCommand):
    help = (
        "Build the scale dataset of docs/domain.md section 9 (illustrative 'Scale HIT' rows, bulk inserted) with "
        "its stored scores, and print the row counts and the time taken. Idempotent. Logins (password "
        f"hitportal-demo): {PM_EMAIL}, {BOARD_EMAIL}, {CHAIR_EMAIL}, "
        "scale-director-NNNN@example.org."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hits",
            type=int,
            default=1000,
            help="number of scale HITs (default 1000, docs/domain.md section 9)",
        )

    def handle(self, *args: object, hits: int, **options: object) -> None:
        if hits < 1:
            raise CommandError("--hits must be at least 1.")
        started = time.monotonic()
        totals = scale.build(hits=hits, say=lambda text: self.stdout.write(f"  {text}"))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Scale dataset ready in {elapsed:.1f} s."))
        width = max(len(label) for label in totals)
        for label, total in totals.items():
            self.stdout.write(f"  {label.replace('_', ' ').ljust(width)}  {total:>9,}")
