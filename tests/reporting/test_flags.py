"""Early-warning flags (F16), as the worker computes them (reporting.services.flags stores exactly
this result; tests/reporting/test_stored_flags.py checks that): each flag's trigger and its absence,
and a fixed number of queries for many HITs."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from reporting.enums import FundingStatus
from reporting.selectors import flags
from teams.enums import HITStatus, LeadSide, MembershipRole
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories.accreditation_eoi import ExpressionOfInterestFactory

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def quiet_hit(db):
    """An active HIT with nothing that raises a flag (a recent sponsor interaction included)."""
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _sponsor_contact(hit, TODAY - datetime.timedelta(days=10))
    return hit


def _sponsor_contact(hit, day):
    """A logged sponsor interaction (teams.SponsorInteraction, looked up as the flag does)."""
    from django.apps import apps

    return apps.get_model("teams", "SponsorInteraction").objects.create(
        hit=hit, sponsor=f.PersonFactory(), happened_on=day, kind="meeting"
    )


def _codes(hit) -> list[str]:
    return [flag.code for flag in flags.flags_for_hit(hit)]


def _report(hit, *, due_on, funding=FundingStatus.SECURED, submitted_at=None, due=None, met=None):
    return rf.ProgressReportFactory(
        hit=hit,
        accepted=True,
        due_on=due_on,
        funding_status=funding,
        submitted_at=submitted_at or timezone.now(),
        milestones_due=due,
        milestones_met_on_time=met,
    )


def test_a_quiet_hit_has_no_flags(quiet_hit):
    _report(quiet_hit, due_on=TODAY - datetime.timedelta(days=10), due=4, met=4)

    assert _codes(quiet_hit) == []


# --- Capacity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("funding", [FundingStatus.AT_RISK, FundingStatus.NONE])
def test_capacity_funding_at_risk_or_none(quiet_hit, funding):
    _report(quiet_hit, due_on=TODAY, funding=funding)

    assert _codes(quiet_hit) == [flags.CAPACITY]


def test_capacity_only_the_latest_report_counts(quiet_hit):
    _report(quiet_hit, due_on=TODAY - datetime.timedelta(days=180), funding=FundingStatus.AT_RISK)
    _report(quiet_hit, due_on=TODAY, funding=FundingStatus.SECURED)

    assert _codes(quiet_hit) == []


def test_capacity_funding_pending_for_more_than_three_months(quiet_hit):
    _report(
        quiet_hit,
        due_on=TODAY - datetime.timedelta(days=180),
        funding=FundingStatus.PENDING,
        submitted_at=NOW - datetime.timedelta(days=170),
    )
    _report(quiet_hit, due_on=TODAY, funding=FundingStatus.PENDING)

    found = flags.flags_for_hit(quiet_hit)
    assert [flag.code for flag in found] == [flags.CAPACITY]
    assert "pending since at least" in found[0].detail


def test_capacity_funding_pending_recently_is_not_flagged(quiet_hit):
    _report(quiet_hit, due_on=TODAY - datetime.timedelta(days=180), funding=FundingStatus.SECURED)
    _report(
        quiet_hit, due_on=TODAY, funding=FundingStatus.PENDING, submitted_at=NOW - datetime.timedelta(days=30)
    )

    assert _codes(quiet_hit) == []


def test_capacity_ignores_drafts(quiet_hit):
    rf.ProgressReportFactory(hit=quiet_hit, funding_status=FundingStatus.AT_RISK)

    assert _codes(quiet_hit) == []


# --- Complexity --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("organisations", "flagged"), [(8, False), (9, True)])
def test_complexity_more_than_eight_partner_organisations(quiet_hit, organisations, flagged):
    for _ in range(organisations):
        f.MembershipFactory(hit=quiet_hit, organisation=f.OrganisationFactory())

    assert (flags.COMPLEXITY in _codes(quiet_hit)) is flagged


# --- Turnover ----------------------------------------------------------------------------------------


def test_turnover_a_director_left_within_six_months(quiet_hit):
    f.MembershipFactory(
        hit=quiet_hit,
        role=MembershipRole.DIRECTOR,
        start_date=datetime.date(2024, 1, 1),
        end_date=TODAY - datetime.timedelta(days=40),
    )

    found = flags.flags_for_hit(quiet_hit)
    assert [flag.code for flag in found] == [flags.TURNOVER]
    assert "left the post of director" in found[0].detail


def test_turnover_a_new_lead_replaced_an_earlier_one(quiet_hit):
    group = f.WorkingGroupFactory(hit=quiet_hit)
    f.MembershipFactory(
        hit=quiet_hit,
        role=MembershipRole.WORKING_GROUP_LEAD,
        working_group=group,
        lead_side=LeadSide.ACADEMIC,
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2025, 6, 1),  # left long ago: on its own not turnover now
    )
    f.MembershipFactory(
        hit=quiet_hit,
        role=MembershipRole.WORKING_GROUP_LEAD,
        working_group=group,
        lead_side=LeadSide.ACADEMIC,
        start_date=TODAY - datetime.timedelta(days=20),
    )

    found = flags.flags_for_hit(quiet_hit)
    assert [flag.code for flag in found] == [flags.TURNOVER]
    assert "took over as working-group lead" in found[0].detail


def test_turnover_not_for_a_first_appointment_or_an_old_change(quiet_hit):
    f.MembershipFactory(
        hit=quiet_hit, role=MembershipRole.DIRECTOR, start_date=TODAY - datetime.timedelta(days=20)
    )
    f.MembershipFactory(
        hit=quiet_hit,
        role=MembershipRole.EXECUTIVE_SPONSOR,
        start_date=datetime.date(2023, 1, 1),
        end_date=TODAY - datetime.timedelta(days=200),
    )
    f.MembershipFactory(
        hit=quiet_hit, role=MembershipRole.MEMBER, end_date=TODAY - datetime.timedelta(days=5)
    )

    assert _codes(quiet_hit) == []


def test_turnover_a_lead_of_another_group_is_not_a_replacement(quiet_hit):
    first, second = f.WorkingGroupFactory(hit=quiet_hit), f.WorkingGroupFactory(hit=quiet_hit)
    f.MembershipFactory(
        hit=quiet_hit,
        role=MembershipRole.WORKING_GROUP_LEAD,
        working_group=first,
        lead_side=LeadSide.SERVICE,
        start_date=datetime.date(2023, 1, 1),
    )
    f.MembershipFactory(
        hit=quiet_hit,
        role=MembershipRole.WORKING_GROUP_LEAD,
        working_group=second,
        lead_side=LeadSide.SERVICE,
        start_date=TODAY - datetime.timedelta(days=20),
    )

    assert _codes(quiet_hit) == []


# --- Rivalry -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risks", "flagged"),
    [
        ("Two of the providers competed for the same community contract.", True),
        ("A history of rivalry between the trusts.", True),
        ("Competition for staff.", True),
        ("Capacity pressures in primary care; staff competence is high.", False),
        ("", False),
    ],
)
def test_rivalry_history_from_the_eoi(quiet_hit, risks, flagged):
    ExpressionOfInterestFactory(hit=quiet_hit, known_risks=risks)

    assert (flags.RIVALRY_HISTORY in _codes(quiet_hit)) is flagged


# --- Missing key actors ------------------------------------------------------------------------------


def test_missing_key_actors_from_stored_coverage_gaps(quiet_hit):
    ef.CoverageScoreFactory(
        hit=quiet_hit,
        gaps=[
            {"code": "COMM", "name": "Commissioners", "stressed": True},
            {"code": "NONNHS", "name": "Non-NHS organisations", "stressed": False},
        ],
    )

    found = flags.flags_for_hit(quiet_hit)
    assert [flag.code for flag in found] == [flags.MISSING_ACTORS]
    assert found[0].detail == "No engagement yet with: Commissioners."


def test_no_missing_key_actors_when_gaps_are_elsewhere(quiet_hit):
    ef.CoverageScoreFactory(hit=quiet_hit, gaps=[{"code": "RESEARCH", "name": "Research", "stressed": False}])

    assert _codes(quiet_hit) == []


# --- Open conflict -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_open", "resolved", "flagged"), [(61, False, True), (59, False, False), (90, True, False)]
)
def test_open_conflict_over_sixty_days(quiet_hit, days_open, resolved, flagged):
    report = _report(quiet_hit, due_on=TODAY)
    opened = TODAY - datetime.timedelta(days=days_open)
    rf.ReportRiskFactory(
        report=report, conflict=True, opened_on=opened, resolved_on=TODAY if resolved else None
    )

    assert (flags.OPEN_CONFLICT in _codes(quiet_hit)) is flagged


def test_an_old_risk_that_is_not_a_conflict_is_not_flagged(quiet_hit):
    report = _report(quiet_hit, due_on=TODAY)
    rf.ReportRiskFactory(report=report, opened_on=TODAY - datetime.timedelta(days=200))

    assert _codes(quiet_hit) == []


def test_a_conflict_resolved_in_the_latest_report_is_not_flagged(quiet_hit):
    older = _report(quiet_hit, due_on=TODAY - datetime.timedelta(days=180))
    rf.ReportRiskFactory(report=older, conflict=True, opened_on=TODAY - datetime.timedelta(days=200))
    _report(quiet_hit, due_on=TODAY)

    assert _codes(quiet_hit) == []


# --- Stalled progress (F14) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("older", "newer", "flagged"),
    [
        ((4, 1), (5, 2), True),  # 0.25 then 0.4
        ((4, 1), (4, 2), False),  # 0.25 then 0.5: not below a half
        ((4, 3), (5, 1), False),  # only one period below
        ((0, 0), (5, 1), False),  # nothing due in the older period
    ],
)
def test_stalled_progress_two_consecutive_reports(quiet_hit, older, newer, flagged):
    _report(quiet_hit, due_on=TODAY - datetime.timedelta(days=180), due=older[0], met=older[1])
    _report(quiet_hit, due_on=TODAY, due=newer[0], met=newer[1])

    assert (flags.STALLED in _codes(quiet_hit)) is flagged


def test_stalled_needs_two_reports(quiet_hit):
    _report(quiet_hit, due_on=TODAY, due=5, met=0)

    assert _codes(quiet_hit) == []


# --- Sponsor silence ---------------------------------------------------------------------------------


def test_sponsor_silence_over_180_days(db):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _sponsor_contact(hit, TODAY - datetime.timedelta(days=181))

    found = flags.flags_for_hit(hit)
    assert [flag.code for flag in found] == [flags.SPONSOR_SILENCE]
    assert "181 days ago" in found[0].detail


def test_no_sponsor_silence_at_180_days(db):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _sponsor_contact(hit, TODAY - datetime.timedelta(days=180))

    assert _codes(hit) == []


def test_sponsor_silence_when_nothing_was_ever_logged_since_accreditation(db):
    with time_machine.travel(NOW - datetime.timedelta(days=400), tick=False):
        old = f.HITFactory(status=HITStatus.ACTIVE)
        f.HITStatusChangeFactory(hit=old, action="accredit", from_status="in_application", to_status="set_up")
    new = f.HITFactory(status=HITStatus.ACTIVE)
    with time_machine.travel(NOW - datetime.timedelta(days=400), tick=False):
        f.HITStatusChangeFactory(hit=new, action="accredit", from_status="in_application", to_status="set_up")
    with time_machine.travel(NOW - datetime.timedelta(days=30), tick=False):
        recent = f.HITFactory(status=HITStatus.ACTIVE)

    assert _codes(old) == [flags.SPONSOR_SILENCE]
    assert _codes(new) == [flags.SPONSOR_SILENCE]
    assert _codes(recent) == []


def test_no_sponsor_silence_for_a_hit_not_yet_accredited(db):
    with time_machine.travel(NOW - datetime.timedelta(days=400), tick=False):
        proposed = f.HITFactory(status=HITStatus.PROPOSED)

    assert _codes(proposed) == []


def test_sponsor_silence_is_skipped_without_a_sponsor_log(db, monkeypatch):
    from django.apps import apps

    with time_machine.travel(NOW - datetime.timedelta(days=400), tick=False):
        hit = f.HITFactory(status=HITStatus.ACTIVE)
    real = apps.get_model

    def without_sponsor_log(app_label, model_name=None, **kwargs):
        if (app_label, model_name) == ("teams", "SponsorInteraction"):
            raise LookupError("No such model")
        return real(app_label, model_name, **kwargs)

    monkeypatch.setattr(apps, "get_model", without_sponsor_log)

    assert _codes(hit) == []


# --- Many HITs ---------------------------------------------------------------------------------------


def _troubled(hit) -> None:
    """A HIT with every kind of flag input."""
    older = _report(hit, due_on=TODAY - datetime.timedelta(days=180), due=4, met=1)
    newer = _report(hit, due_on=TODAY, funding=FundingStatus.AT_RISK, due=4, met=1)
    del older
    rf.ReportRiskFactory(report=newer, conflict=True, opened_on=TODAY - datetime.timedelta(days=100))
    for _ in range(9):
        f.MembershipFactory(hit=hit, organisation=f.OrganisationFactory())
    f.MembershipFactory(
        hit=hit,
        role=MembershipRole.DIRECTOR,
        start_date=datetime.date(2024, 1, 1),
        end_date=TODAY - datetime.timedelta(days=3),
    )
    ExpressionOfInterestFactory(hit=hit, known_risks="A long rivalry between the two trusts.")
    ef.CoverageScoreFactory(hit=hit, gaps=[{"code": "PUBLIC", "name": "Public", "stressed": False}])
    _sponsor_contact(hit, TODAY - datetime.timedelta(days=300))


@pytest.mark.parametrize("count", [1, 6])
def test_flags_for_many_hits_take_a_fixed_number_of_queries(db, django_assert_num_queries, count):
    hits = [f.HITFactory(status=HITStatus.ACTIVE) for _ in range(count)]
    for hit in hits:
        _troubled(hit)

    # latest reports + conflicts + partners + turnover + EOIs + coverage + sponsor log
    with django_assert_num_queries(7):
        found = flags.flags_for_hits([h.pk for h in hits])

    assert all([flag.code for flag in found[h.pk]] == list(flags.LABELS) for h in hits)


def test_flags_for_no_hits_ask_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert flags.flags_for_hits([]) == {}
