"""Bounds on what a user can type: the range of a date, and the length of a piece of text.

Every date the portal stores is a partnership, review, reporting or survey date. None is older
than 1990 (the oldest are when a person joined an organisation or a partnership began), and none
lies more than 25 years ahead (accreditation lasts a few years, report schedules and renewals are
planned at most a few cycles ahead). Anything outside is a typing slip ("20205" for "2025") or an
attempt to break the date arithmetic of the batch jobs (a due date of 9999-12-31 plus a reminder
offset overflows Python's dates and stopped the reminders of every HIT).

The upper bound moves with the calendar: it is the last day of the year 25 years after this one,
so it is a whole year in words and the same all year ("31 December 2051" throughout 2026).
The validator stores only its parameters, so migrations never change with the date.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone
from django.utils.deconstruct import deconstructible

EARLIEST_DATE = datetime.date(1990, 1, 1)
YEARS_AHEAD = 25

# Text lengths, in characters, by kind of text (docs/security.md explains the choice).
SHORT_TEXT = 2_000  # a note, comment, reason or evidence line: a paragraph or two
LONG_TEXT = 10_000  # a narrative answer: an application section, a report's narrative, a plan
SEARCH_TEXT = 100  # a search box


def long_date(day: datetime.date) -> str:
    """The day in words, as the messages say it: "1 January 1990"."""
    return dateformat.format(day, "j F Y")


@deconstructible
class DateRangeValidator:
    """Refuses a date before `earliest` or after 31 December of the year `years_ahead` from now."""

    code = "date_out_of_range"

    def __init__(self, earliest: datetime.date = EARLIEST_DATE, years_ahead: int = YEARS_AHEAD) -> None:
        self.earliest = earliest
        self.years_ahead = years_ahead

    def bounds(self, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        """The first and last allowed day, counted from `today` (the local date by default)."""
        year = (today or timezone.localdate()).year + self.years_ahead
        return self.earliest, datetime.date(year, 12, 31)

    def message(self, today: datetime.date | None = None) -> str:
        earliest, latest = self.bounds(today)
        return f"Enter a date between {long_date(earliest)} and {long_date(latest)}."

    def __call__(self, value: datetime.date | None) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        earliest, latest = self.bounds()
        if not earliest <= day <= latest:
            raise ValidationError(self.message(), code=self.code)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DateRangeValidator)
            and self.earliest == other.earliest
            and self.years_ahead == other.years_ahead
        )

    def __hash__(self) -> int:
        return hash((self.earliest, self.years_ahead))


# The bound every date field of the portal carries (models, forms and filters).
validate_date_in_range = DateRangeValidator()
