import datetime
import logging

import pytest
import time_machine
from django.utils import timezone

from core.db import fast_insert
from core.versions import PendingBumps
from engagement.models import CoverageScore, CoverageSnapshot, ReadinessResult, ScoreRequest, Stakeholder
from engagement.services import releases, scores, stakeholders
from engagement.services.releases import _readiness_rows, readiness_release
from engagement.services.score_requests import is_recalculating
from engagement.services.scores import coverage_compute, coverage_inputs
from engagement.services.stakeholders import _category_for, stakeholder_save, stakeholders_sync_memberships
from teams.enums import MembershipRole
from tests import factories as f
from tests.factories import engagement as ef


def _org(type_code: str):
    from teams.models import OrganisationType

    return f.OrganisationFactory(org_type=OrganisationType.objects.get(code=type_code))


def test_coverage_compute_stores_hand_computed_scores(hit):
    today = timezone.localdate()
    ef.StakeholderFactory(hit=hit, organisation=_org("nhs-acute"), category=ef.category("PROV"), depth=3)
    ef.StakeholderFactory(
        hit=hit, organisation=_org("commissioner-icb"), category=ef.category("COMM"), depth=2
    )
    ef.StakeholderFactory(hit=hit, organisation=_org("local-authority"), category=ef.category("OPS"), depth=1)
    # Ended yesterday and starting tomorrow: neither is active today.
    ef.StakeholderFactory(
        hit=hit, category=ef.category("NONNHS"), depth=3, end_date=today - datetime.timedelta(days=1)
    )
    ef.StakeholderFactory(
        hit=hit, category=ef.category("RESEARCH"), depth=3, start_date=today + datetime.timedelta(days=1)
    )

    coverage_compute(hit_ids=[hit.pk])

    score = CoverageScore.objects.get(hit=hit)
    assert score.breadth == pytest.approx(3 / 7, abs=1e-6)
    assert score.weighted == pytest.approx(6 / 21, abs=1e-6)
    assert score.leadership == pytest.approx(1 / 7, abs=1e-6)
    assert score.commissioner_in_leadership is False
    assert score.category_depths == {
        "PROV": 3,
        "COMM": 2,
        "STAFF": 0,
        "PUBLIC": 0,
        "OPS": 1,
        "NONNHS": 0,
        "RESEARCH": 0,
    }
    assert [g["code"] for g in score.gaps] == ["STAFF", "PUBLIC", "NONNHS", "RESEARCH", "mental_health"]
    assert score.organisations == 3
    assert len(score.fingerprint) == 64


def test_coverage_compute_twice_stores_the_same_result(hit):
    ef.StakeholderFactory(hit=hit, depth=3)
    coverage_compute(hit_ids=[hit.pk])
    first = CoverageScore.objects.values().get(hit=hit)

    coverage_compute(hit_ids=[hit.pk])

    second = CoverageScore.objects.values().get(hit=hit)
    assert {k: v for k, v in first.items() if k != "computed_at"} == {
        k: v for k, v in second.items() if k != "computed_at"
    }
    assert CoverageSnapshot.objects.filter(hit=hit).count() == 1


def test_coverage_disabled_category_changes_breadth(hit):
    from teams.models import StakeholderCategory

    ef.StakeholderFactory(hit=hit, depth=2)
    StakeholderCategory.objects.filter(code="RESEARCH").update(counts_toward_coverage=False)

    coverage_compute(hit_ids=[hit.pk])

    assert CoverageScore.objects.get(hit=hit).breadth == pytest.approx(1 / 6, abs=1e-6)


def test_coverage_ppi_depth_from_log_decision_forum(hit):
    ef.InvolvementActivityFactory(hit=hit, decision_forum="commissioning")
    ef.InvolvementActivityFactory(
        hit=hit,
        decision_forum="hit_leadership",
        happened_on=timezone.localdate() - datetime.timedelta(days=800),
    )

    coverage_compute(hit_ids=[hit.pk])

    assert CoverageScore.objects.get(hit=hit).ppi_depth == 3


@pytest.mark.parametrize("hits", [1, 20])
def test_full_recompute_query_count_does_not_grow(db, django_assert_max_num_queries, hits):
    for hit in f.HITFactory.create_batch(hits):
        ef.StakeholderFactory.create_batch(3, hit=hit)

    with django_assert_max_num_queries(12):
        scored = coverage_compute()

    assert scored == hits
    assert CoverageScore.objects.count() == hits


@pytest.mark.parametrize("links", [1, 40])
def test_single_hit_recompute_query_count_does_not_grow_with_its_size(
    hit, django_assert_max_num_queries, links
):
    ef.StakeholderFactory.create_batch(links, hit=hit)

    with django_assert_max_num_queries(12):
        coverage_compute(hit_ids=[hit.pk])


def test_burst_of_edits_queues_one_job(hit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(5):
            stakeholder_save(
                actor=None,
                stakeholder=Stakeholder(
                    hit=hit, organisation=f.OrganisationFactory(), category=ef.category("PROV")
                ),
            )

    # The one job; the list versions' own callback (core.versions) is no job.
    assert len([c for c in callbacks if not isinstance(c, PendingBumps)]) == 1
    assert ScoreRequest.objects.filter(hit=hit).count() == 1


def test_recompute_runs_after_commit_and_clears_the_request(hit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stakeholder_save(
            actor=None,
            stakeholder=Stakeholder(
                hit=hit, organisation=f.OrganisationFactory(), category=ef.category("COMM"), depth=3
            ),
        )

    assert CoverageScore.objects.get(hit=hit).commissioner_in_leadership is True
    assert is_recalculating(hit_id=hit.pk) is False


def test_stakeholder_needs_person_or_organisation(hit):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        stakeholder_save(actor=None, stakeholder=Stakeholder(hit=hit, category=ef.category("PROV")))

    assert Stakeholder.objects.count() == 0


def test_stakeholder_depth_outside_0_3_is_refused(hit):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        stakeholder_save(
            actor=None,
            stakeholder=Stakeholder(
                hit=hit, organisation=f.OrganisationFactory(), category=ef.category("PROV"), depth=4
            ),
        )

    assert Stakeholder.objects.count() == 0


def test_membership_sync_is_idempotent_and_follows_roles(hit):
    trust = _org("nhs-acute")
    public_person = f.PersonFactory(is_public_member=True)
    f.MembershipFactory(hit=hit, role=MembershipRole.DIRECTOR, organisation=trust)
    f.MembershipFactory(hit=hit, role=MembershipRole.MEMBER, person=public_person)

    first = stakeholders_sync_memberships(hit_id=hit.pk)
    second = stakeholders_sync_memberships(hit_id=hit.pk)

    rows = sorted(Stakeholder.objects.filter(hit=hit).values_list("category__code", "depth"))
    assert (first, second) == (2, 0)
    assert rows == [("PROV", 3), ("PUBLIC", 2)]


def _answer(wave, item_values, org=None, role="clinical"):
    response = ef.ResponseFactory(wave=wave, organisation=org, role_group=role)
    for item, value in item_values:
        ef.AnswerFactory(response=response, item=item, value=value)
    return response


def test_readiness_suppression_boundary_four_and_five(db):
    wave = ef.WaveFactory(closed=True)
    items = [
        ef.ItemFactory(instrument=wave.instrument, dimension="trust"),
        ef.ItemFactory(instrument=wave.instrument, dimension="trust", reverse_worded=True),
    ]
    big, small = f.OrganisationFactory(name="Big Trust"), f.OrganisationFactory(name="Small Charity")
    for value in (4, 4, 3, 2, 5):
        _answer(wave, [(items[0], value), (items[1], 6 - value)], org=big)
    for _ in range(4):
        _answer(wave, [(items[0], 1), (items[1], 5)], org=small)
    _answer(wave, [(items[0], None), (items[1], None)], org=small)  # all "don't know": not counted

    readiness_release(wave_ids=[wave.pk])

    results = {(r.group_type, r.group_label): r for r in ReadinessResult.objects.filter(wave=wave)}
    assert results[("organisation", "Big Trust")].n == 5
    assert results[("organisation", "Big Trust")].score == pytest.approx(65.0)
    assert results[("organisation", "Small Charity")].n == 4
    assert results[("organisation", "Small Charity")].suppressed is True
    assert results[("organisation", "Small Charity")].score is None
    assert results[("overall", "All respondents")].n == 9
    assert results[("overall", "All respondents")].score == pytest.approx(
        (22 / 9 - 1) / 4 * 100, abs=1e-4
    )  # (18 + 4 x 1) / 9
    assert results[("overall", "All respondents")].sd is None  # nine: no spread


def test_an_open_wave_gets_no_results(db):
    wave = ef.WaveFactory()
    item = ef.ItemFactory(instrument=wave.instrument)
    for value in (1, 2, 3, 4, 5):
        _answer(wave, [(item, value)])

    written = readiness_release()

    wave.refresh_from_db()
    assert written == 0
    assert ReadinessResult.objects.filter(wave=wave).count() == 0
    assert (wave.closed_at, wave.released_at) == (None, None)


def test_release_closes_a_wave_at_the_end_of_its_last_day_and_stamps_the_release(db):
    wave = ef.WaveFactory(closed=True)
    item = ef.ItemFactory(instrument=wave.instrument)
    for value in (1, 2, 3, 4, 5):
        _answer(wave, [(item, value)])

    with time_machine.travel(timezone.now(), tick=False):
        readiness_release()
        released_at = timezone.now()

    wave.refresh_from_db()
    assert timezone.localtime(wave.closed_at) == timezone.make_aware(
        datetime.datetime.combine(wave.closes_on + datetime.timedelta(days=1), datetime.time.min)
    )
    assert wave.released_at == released_at


def test_released_results_are_never_recomputed(db):
    wave = ef.WaveFactory(closed=True)
    item = ef.ItemFactory(instrument=wave.instrument)
    organisation = f.OrganisationFactory(name="Leaving Trust")
    responses = [_answer(wave, [(item, value)], org=organisation) for value in (1, 2, 3, 4, 5)]
    readiness_release(wave_ids=[wave.pk])
    first = list(ReadinessResult.objects.values_list("group_type", "group_key", "dimension", "n", "score"))
    # After the release, what the answers say changes (a correction, an organisation removed from the
    # directory): the released figures must not move, or the two versions could be subtracted.
    ef.AnswerFactory(response=responses[0], item=ef.ItemFactory(instrument=wave.instrument), value=5)
    organisation.delete()

    again = readiness_release(wave_ids=[wave.pk]) + readiness_release()
    from engagement.tasks import recompute_all

    recompute_all()

    assert again == 0
    assert (
        list(ReadinessResult.objects.values_list("group_type", "group_key", "dimension", "n", "score"))
        == first
    )


def test_release_keeps_going_when_one_wave_fails(db, monkeypatch, caplog):
    good, bad = ef.WaveFactory(closed=True), ef.WaveFactory(closed=True)
    for wave in (good, bad):
        item = ef.ItemFactory(instrument=wave.instrument)
        for value in (1, 2, 3, 4, 5):
            _answer(wave, [(item, value)])
    real_rows = _readiness_rows

    def rows_failing_on_bad(wave_rows):
        if any(pk == bad.pk for pk, *_ in wave_rows):
            raise ValueError("a bad row")
        return real_rows(wave_rows)

    monkeypatch.setattr(releases, "_readiness_rows", rows_failing_on_bad)

    readiness_release()

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.released_at is not None
    assert bad.released_at is None
    assert ReadinessResult.objects.filter(wave=good).exists()
    assert f"Readiness results of wave {bad.pk} failed and was skipped" in caplog.text


@pytest.mark.parametrize("waves", [1, 15])
def test_readiness_release_query_count_does_not_grow(db, django_assert_max_num_queries, waves):
    instrument = ef.InstrumentFactory()
    items = [ef.ItemFactory(instrument=instrument, dimension=d) for d in ("trust", "faith")]
    for wave in ef.WaveFactory.create_batch(waves, instrument=instrument, closed=True):
        for value in (1, 2, 3, 4, 5, 5):
            _answer(wave, [(items[0], value), (items[1], value)])

    # 18 on SQLite, 17 on PostgreSQL (COPY writes the rows in one statement), for 1 or 15 waves: the
    # three grouped queries of the groups' item variances (agreement) included, and the look-up of the
    # HITs' two latest released waves for the change between them (none here: one wave per HIT).
    with django_assert_max_num_queries(18):
        written = readiness_release()

    # per wave: overall + one role group, two dimensions each
    assert written == waves * 4


def test_nightly_recompute_syncs_recent_membership_edits_and_scores_every_hit(hit, other_hit):
    from engagement.tasks import recompute_all

    f.MembershipFactory(hit=hit, role=MembershipRole.DIRECTOR, organisation=_org("nhs-acute"))

    scored = recompute_all()

    assert scored == {"done": 2, "failed": 0}
    assert Stakeholder.objects.filter(hit=hit, source="membership").count() == 1
    assert CoverageScore.objects.get(hit=hit).category_depths["PROV"] == 3


# --- The nightly recompute survives one bad row ------------------------------------------------------


def _errors(caplog) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]


def test_nightly_recompute_scores_every_other_hit_when_one_hit_fails(hit, other_hit, monkeypatch, caplog):
    from engagement.tasks import recompute_all

    bad = f.HITFactory(name="Broken HIT")
    real_inputs = coverage_inputs

    def inputs_failing_for_bad(*, hit_ids, day):
        # Anything that goes wrong with one HIT's rows: here, reading its inputs.
        if hit_ids is None or bad.pk in hit_ids:
            raise ValueError("an unreadable row")
        return real_inputs(hit_ids=hit_ids, day=day)

    monkeypatch.setattr(scores, "coverage_inputs", inputs_failing_for_bad)

    outcome = recompute_all()

    assert outcome == {"done": 2, "failed": 1}
    assert sorted(CoverageScore.objects.values_list("hit_id", flat=True)) == sorted([hit.pk, other_hit.pk])
    assert _errors(caplog) == [
        ("WARNING", "Coverage of HIT: the run over every row at once failed; running them one by one."),
        ("ERROR", f"Coverage of HIT {bad.pk} failed and was skipped; the other rows carry on."),
    ]


def test_nightly_recompute_stores_every_other_wave_when_one_wave_fails(db, monkeypatch, caplog):
    from engagement.tasks import recompute_all

    instrument = ef.InstrumentFactory()
    item = ef.ItemFactory(instrument=instrument, dimension="trust")
    first, bad, last = ef.WaveFactory.create_batch(3, instrument=instrument, closed=True)
    for wave in (first, bad, last):
        for value in (1, 2, 3, 4, 5):
            _answer(wave, [(item, value)])
    real_insert = fast_insert

    def insert_failing_for_bad(model, columns, rows):
        # Anything that goes wrong with one wave's rows: here, storing its results.
        if any(row[0] == bad.pk for row in rows):
            raise ValueError("a row the database refuses")
        return real_insert(model, columns, rows)

    monkeypatch.setattr(releases, "fast_insert", insert_failing_for_bad)

    outcome = recompute_all()

    assert outcome == {"done": 3, "failed": 1}
    assert set(ReadinessResult.objects.values_list("wave_id", flat=True)) == {first.pk, last.pk}
    assert _errors(caplog) == [
        (
            "WARNING",
            "Readiness results of wave: the run over every row at once failed; running them one by one.",
        ),
        ("ERROR", f"Readiness results of wave {bad.pk} failed and was skipped; the other rows carry on."),
    ]


def test_nightly_recompute_mirrors_every_other_hits_memberships_when_one_hit_fails(
    hit, other_hit, monkeypatch, caplog
):
    from engagement.tasks import recompute_all

    f.MembershipFactory(hit=hit, role=MembershipRole.DIRECTOR, organisation=_org("nhs-acute"))
    f.MembershipFactory(hit=other_hit, role=MembershipRole.DIRECTOR, organisation=_org("nhs-acute"))
    real_category_for = _category_for

    def category_failing_for_other_hit(membership, categories):
        if membership.hit_id == other_hit.pk:
            raise ValueError("an unreadable membership")
        return real_category_for(membership, categories)

    monkeypatch.setattr(stakeholders, "_category_for", category_failing_for_other_hit)

    outcome = recompute_all()

    assert outcome == {"done": 2, "failed": 1}
    assert list(Stakeholder.objects.filter(source="membership").values_list("hit_id", flat=True)) == [hit.pk]
    assert CoverageScore.objects.get(hit=hit).category_depths["PROV"] == 3
    assert _errors(caplog) == [
        (
            "ERROR",
            f"Mirroring the memberships of HIT {other_hit.pk} failed and was skipped; the other rows carry on.",
        ),
    ]
