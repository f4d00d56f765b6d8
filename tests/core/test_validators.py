"""The date range every date field carries (core.validators)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.validators import DateRangeValidator, validate_date_in_range

MESSAGE_IN_2026 = "Enter a date between 1 January 1990 and 31 December 2051."


@pytest.fixture(autouse=True)
def in_2026():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    "day", [datetime.date(1990, 1, 1), datetime.date(2026, 6, 15), datetime.date(2051, 12, 31)]
)
def test_date_in_range_is_accepted(day):
    assert validate_date_in_range(day) is None


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(1, 1, 1),
        datetime.date(1989, 12, 31),
        datetime.date(2052, 1, 1),
        datetime.date(9999, 12, 31),
    ],
)
def test_date_out_of_range_is_refused_with_the_range_in_words(day):
    with pytest.raises(ValidationError) as refused:
        validate_date_in_range(day)

    assert refused.value.messages == [MESSAGE_IN_2026]
    assert refused.value.code == "date_out_of_range"


def test_date_range_datetime_is_judged_by_its_day():
    with pytest.raises(ValidationError):
        validate_date_in_range(datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC))


def test_date_range_upper_bound_moves_with_the_year():
    with time_machine.travel(datetime.datetime(2027, 1, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        assert validate_date_in_range.bounds() == (datetime.date(1990, 1, 1), datetime.date(2052, 12, 31))


def test_date_range_validator_deconstructs_to_its_parameters_only():
    # Migrations record the parameters, never today's bound, so they do not change with the date.
    assert validate_date_in_range.deconstruct() == ("core.validators.DateRangeValidator", (), {})
    assert DateRangeValidator(years_ahead=5).deconstruct() == (
        "core.validators.DateRangeValidator",
        (),
        {"years_ahead": 5},
    )


def test_date_range_validators_with_the_same_parameters_are_equal():
    assert DateRangeValidator() == validate_date_in_range
    assert DateRangeValidator(years_ahead=5) != validate_date_in_range
