"""The item bank's measurement quality (docs/domain.md section 7.1): Cronbach's alpha per instrument version
and dimension, pooled over the released waves of the last 24 months on complete respondents, computed by the
worker after each release and nightly, shown to programme managers only on the item bank page."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from scipy import stats

from engagement import tasks
from engagement.models import Answer, ItemBankItemQuality, ItemBankQuality, Response
from engagement.services.item_bank import item_bank_quality_compute, window_start
from engagement.services.releases import readiness_release
from tests.factories import engagement as ef

# The five respondents of tests/engagement/test_quality_stats.py, three trust items, six copies of each row
# (n = 30, the least for an alpha). Worked by hand for the five rows:
#   item 1: 1 2 3 4 5  mean 3    SS 10   |  item 2: 2 2 3 4 4  mean 3  SS 4  |  item 3: 2 3 3 5 4  mean 3.4  SS 5.2
#   totals: 5 7 9 13 13  mean 9.4  SS 51.2
# Six copies keep every mean and multiply every sum of squares by six (each deviation now occurs six times):
#   item SS 60, 24, 31.2 (sum 115.2); total SS 307.2. Each variance is SS / (30 - 1), the same divisor for the
#   items and the total, so the ratio is unchanged: 115.2/29 / (307.2/29) = 115.2/307.2 = 0.375 exactly
#   (with five rows: 4.8/12.8 = (19.2/4)/(51.2/4) = 0.375). alpha = 3/2 * (1 - 0.375) = 0.9375, as for five.
#   Without item 1: items 2+3 totals 4 5 6 9 8 (six times each): SS 6 * 17.2 = 103.2, item SS 24 + 31.2 = 55.2;
#   alpha = 2 * (1 - 55.2/103.2) = 2 * 48/103.2 = 0.930233.
#   Item 1 against the rest: SP 6 * 12 = 72, SSx 60, SSy 103.2; r = 72 / sqrt(60 * 103.2) = 0.914991 (a
#   correlation does not change when every row is copied the same number of times).
# Only the Feldt interval narrows: its degrees of freedom are now 29 and 58 (five rows: 4 and 8).
FIVE = [(1, 2, 2), (2, 2, 3), (3, 3, 3), (4, 4, 5), (5, 4, 4)]
THIRTY = FIVE * 6
ALPHA, ALPHA_WITHOUT_FIRST, FIRST_R = 0.9375, 0.930233, 0.914991


def _bank(reverse_third: bool = False):
    instrument = ef.InstrumentFactory(name="Readiness")
    items = [
        ef.ItemFactory(instrument=instrument, dimension="trust", code=f"T{n}", position=n, reverse_worded=rev)
        for n, rev in ((1, False), (2, False), (3, reverse_third))
    ]
    return instrument, items


def _answer(wave, items, rows, *, submitted: bool = True) -> None:
    for row in rows:
        response = ef.ResponseFactory(wave=wave, is_submitted=submitted)
        Answer.objects.bulk_create(
            Answer(response=response, item=item, value=value)
            for item, value in zip(items, row, strict=True)
            if value != "absent"
        )


def _released(instrument, **kwargs):
    return ef.WaveFactory(instrument=instrument, released=True, **kwargs)


def _stored(instrument) -> ItemBankQuality:
    return ItemBankQuality.objects.get(instrument=instrument, dimension="trust")


def test_alpha_interval_and_items_of_thirty_complete_respondents(db):
    instrument, items = _bank()
    _answer(_released(instrument), items, THIRTY[:15])
    _answer(_released(instrument), items, THIRTY[15:])  # pooled over the portfolio's waves

    assert item_bank_quality_compute(instrument_ids=[instrument.pk]) == 1

    stored = _stored(instrument)
    assert (stored.n, stored.k, stored.reason) == (30, 3, "")
    assert stored.alpha == pytest.approx(ALPHA)
    # Feldt: 1 - low = (1 - alpha) F(0.975; 29, 58); 1 - high = (1 - alpha) F(0.025; 29, 58).
    assert stats.f.cdf((1 - stored.low) / (1 - ALPHA), 29, 58) == pytest.approx(0.975, abs=1e-4)
    assert stats.f.cdf((1 - stored.high) / (1 - ALPHA), 29, 58) == pytest.approx(0.025, abs=1e-4)
    assert stored.flags == ()
    first = ItemBankItemQuality.objects.get(quality=stored, item=items[0])
    assert first.item_total_r == pytest.approx(FIRST_R, abs=1e-6)
    assert first.alpha_if_deleted == pytest.approx(ALPHA_WITHOUT_FIRST, abs=1e-6)
    assert ItemBankItemQuality.objects.filter(quality=stored).count() == 3
    assert stored.window_from == window_start(timezone.localdate()) and len(stored.fingerprint) == 64


def test_a_respondent_with_a_dont_know_or_a_skipped_item_is_left_out(db):
    instrument, items = _bank()
    wave = _released(instrument)
    _answer(wave, items, THIRTY)
    _answer(wave, items, [(5, None, 1), (1, "absent", 5)])  # "don't know"; never answered

    item_bank_quality_compute()

    stored = _stored(instrument)
    assert stored.n == 30 and stored.alpha == pytest.approx(ALPHA)


def test_a_reverse_worded_item_is_coded_six_minus_the_answer(db):
    instrument, items = _bank(reverse_third=True)
    # Item 3 as answered: 6 - (2 3 3 5 4) = 4 3 3 1 2; coded back, the rows are FIVE's: alpha 0.9375.
    _answer(_released(instrument), items, [(a, b, 6 - c) for a, b, c in THIRTY])

    item_bank_quality_compute()

    assert _stored(instrument).alpha == pytest.approx(ALPHA)


def test_open_unreleased_unsubmitted_and_old_waves_are_not_pooled(db):
    instrument, items = _bank()
    _answer(_released(instrument), items, THIRTY)
    noise = [(5, 1, 5), (1, 5, 1)] * 5
    _answer(ef.WaveFactory(instrument=instrument), items, noise)  # open
    _answer(ef.WaveFactory(instrument=instrument, closed=True), items, noise)  # closed, not released
    _answer(_released(instrument), items, noise, submitted=False)  # started, never submitted
    long_ago = timezone.now() - datetime.timedelta(days=2 * 365 + 40)
    old = ef.WaveFactory(
        instrument=instrument,
        opens_on=long_ago.date() - datetime.timedelta(days=30),
        closes_on=long_ago.date(),
        closed_at=long_ago,
        released_at=long_ago,
    )
    _answer(old, items, noise)

    item_bank_quality_compute()

    stored = _stored(instrument)
    assert stored.n == 30 and stored.alpha == pytest.approx(ALPHA)


def test_fewer_than_thirty_complete_respondents_or_a_single_item_give_no_alpha(db):
    instrument, items = _bank()
    single = ef.ItemFactory(instrument=instrument, dimension="faith", code="F1")
    _answer(_released(instrument), [*items, single], [(*row, 3) for row in THIRTY[:29]])

    item_bank_quality_compute(instrument_ids=[instrument.pk])

    stored = _stored(instrument)
    assert (stored.n, stored.alpha, stored.low) == (29, None, None)
    assert "fewer than 30" in stored.reason
    assert not ItemBankItemQuality.objects.filter(quality=stored).exists()
    faith = ItemBankQuality.objects.get(instrument=instrument, dimension="faith")
    assert faith.alpha is None and "single item" in faith.reason


def test_recomputing_replaces_the_stored_rows(db):
    instrument, items = _bank()
    wave = _released(instrument)
    _answer(wave, items, THIRTY)
    item_bank_quality_compute()
    before = _stored(instrument).fingerprint

    _answer(wave, items, [(1, 5, 1)])
    item_bank_quality_compute()

    assert ItemBankQuality.objects.filter(instrument=instrument).count() == 1
    stored = _stored(instrument)
    assert stored.n == 31 and stored.fingerprint != before and stored.alpha < ALPHA


def test_releasing_a_wave_computes_its_instrument_after_the_commit(db, django_capture_on_commit_callbacks):
    instrument, items = _bank()
    wave = ef.WaveFactory(instrument=instrument, closed=True)
    _answer(wave, items, THIRTY)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        readiness_release(wave_ids=[wave.pk])
    assert not ItemBankQuality.objects.exists()  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()  # the worker (eager under test) runs the queued task

    assert list(ItemBankQuality.objects.values_list("instrument_id", flat=True)) == [instrument.pk]
    assert _stored(instrument).alpha == pytest.approx(ALPHA)


def test_the_task_computes_and_runs_nightly(db):
    instrument, items = _bank()
    _answer(_released(instrument), items, THIRTY)

    assert tasks.compute_item_bank_quality(instrument_ids=None) == ItemBankQuality.objects.count()
    assert _stored(instrument).alpha == pytest.approx(ALPHA)
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-item-bank-quality"]
    assert entry["task"] == "engagement.compute_item_bank_quality"


def test_window_start_is_twenty_four_months_back():
    assert window_start(datetime.date(2026, 12, 6)) == datetime.date(2024, 12, 6)
    assert window_start(datetime.date(2028, 2, 29)) == datetime.date(2026, 2, 28)


# --- The item bank page -----------------------------------------------------------------------------


def _page(client, instrument):
    return client.get(reverse("engagement:instrument-detail", kwargs={"pk": instrument.pk}))


def test_programme_managers_see_alpha_interval_flags_and_items(db, client, programme_manager):
    instrument, items = _bank()
    # Item 3 answered 1 5 4 2 3 against the others' totals 3 4 6 8 9: SP 0, item-total r 0 (under 0.30);
    # item SS 60, 24, 60 (sum 144); totals 4 9 10 10 12 (mean 9) six times: SS 6 * 36 = 216;
    # alpha = 3/2 * (1 - 144/216) = 0.5 (under 0.70).
    rows = [(a, b, c) for (a, b, _c), c in zip(THIRTY, [1, 5, 4, 2, 3] * 6, strict=True)]
    _answer(_released(instrument), items, rows)
    item_bank_quality_compute()
    stored = _stored(instrument)
    client.force_login(programme_manager)

    page = _page(client, instrument)

    assert page.status_code == 200
    text = page.content.decode()
    assert "How well the items measure" in text
    assert f"n = 30 respondents, 3 items: alpha {stored.alpha:.2f}" in text
    assert f"95% interval {stored.low:.2f} to {stored.high:.2f}" in text
    assert "As of " in text
    third = ItemBankItemQuality.objects.get(quality=stored, item=items[2])
    assert third.item_total_r == pytest.approx(0.0, abs=1e-9)
    assert "item-total correlation under 0.30" in text
    assert stored.alpha == pytest.approx(0.5)
    assert "alpha under 0.70" in text


def test_too_few_complete_answers_say_how_many(client, programme_manager):
    instrument, items = _bank()
    _answer(_released(instrument), items, THIRTY[:12])
    item_bank_quality_compute()
    client.force_login(programme_manager)

    assert "Not enough complete answers yet (12 of 30)." in _page(client, instrument).content.decode()


def test_before_any_computation_the_page_says_so(client, programme_manager):
    instrument, _items = _bank()
    client.force_login(programme_manager)

    assert "Not computed yet" in _page(client, instrument).content.decode()


@pytest.mark.parametrize("persona", ["board_member", "director", "ppi_facilitator"])
def test_everyone_else_is_refused(db, client, request, persona):
    instrument, items = _bank()
    _answer(_released(instrument), items, THIRTY)
    item_bank_quality_compute()
    client.force_login(request.getfixturevalue(persona))

    page = _page(client, instrument)

    assert page.status_code == 403
    assert "How well the items measure" not in page.content.decode()


@pytest.mark.parametrize("dimensions", [1, 4])
def test_page_query_count_is_constant(client, programme_manager, django_assert_max_num_queries, dimensions):
    instrument = ef.InstrumentFactory()
    for d, dimension in enumerate(["trust", "faith", "confidence", "capacity"][:dimensions]):
        items = [
            ef.ItemFactory(instrument=instrument, dimension=dimension, position=d * 3 + n) for n in range(3)
        ]
        _answer(_released(instrument), items, THIRTY)
    item_bank_quality_compute()
    assert Response.objects.count() == 30 * dimensions
    client.force_login(programme_manager)

    with django_assert_max_num_queries(10):
        assert _page(client, instrument).status_code == 200
