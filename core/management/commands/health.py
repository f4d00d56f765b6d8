"""`manage.py health`: the checks of the /health/ page (core/health.py), for the worker container's
healthcheck (docker-compose.yml): the worker has no HTTP port to ask.

Prints one line per service; a failed one says why (for the operator: the command is not public).
Exits 0 when every service answers, 1 otherwise.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.health import run_checks


class Command(BaseCommand):
    help = (
        "Check that the database, the shared cache and the task broker answer, as the /health/ page does. "
        "Exits 1 when one does not."
    )
    # Run every minute by the healthcheck: Django's system checks would only slow it down.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        results = run_checks()
        for name, result in results.items():
            if result.healthy:
                self.stdout.write(f"{name}: {result.status}")
            else:
                self.stderr.write(f"{name}: {result.status} ({result.detail})")
        failed = [name for name, result in results.items() if not result.healthy]
        if failed:
            raise CommandError(f"Not answering: {', '.join(failed)}.", returncode=1)
