"""What one load of the demo data carries from step to step (demo/loader.py runs the steps)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TextIO

from django.db import models
from django.utils import timezone

from teams.models import HIT, Organisation, Person, StakeholderCategory, User


@dataclass
class DemoContext:
    """Today, where progress is reported, and the rows loaded so far by their keys in the demo's
    tables (organisation, person and login keys, HIT slugs)."""

    today: datetime.date
    out: TextIO | None
    orgs: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    hits: dict[str, HIT] = field(default_factory=dict)
    categories: dict[str, StakeholderCategory] = field(default_factory=dict)
    new_hits: set[str] = field(default_factory=set)  # slugs of the HITs this load created

    def say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line + "\n")

    def day(self, months_ago: float) -> datetime.date:
        return self.today - datetime.timedelta(days=round(months_ago * 30.44))

    def moment(self, months_ago: float) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.day(months_ago), datetime.time(10, 0)))

    def back(self, when: datetime.datetime, model: type[models.Model], **lookup: object) -> None:
        """Move the created_at of rows a service just wrote to when it happened."""
        model._default_manager.filter(**lookup).update(created_at=when)
