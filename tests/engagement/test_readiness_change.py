"""The change of each dimension between a HIT's two latest released waves: computed by the worker at release with
a Welch 95% interval, stored, and shown on the wave results page and the HIT dashboard (docs/domain.md section 7.3).

The fixtures use one trust item per wave, so each respondent's mean is their answer. Two-sided 95% quantiles of
Student's t from a printed table: t(0.975; 8) = 2.306.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import ReadinessChange
from engagement.selectors.changes import latest_changes
from engagement.services.releases import readiness_release
from tests.factories import engagement as ef

T_975_8 = 2.306

# Improvement. Before: 2, 2, 3, 3, 3: mean 2.6, squared deviations .36 + .36 + .16 + .16 + .16 = 1.2, variance 0.3.
# After: 4, 4, 4, 5, 5: mean 4.4, squared deviations .16 x 3 + .36 x 2 = 1.2, variance 0.3.
# d = (4.4 - 2.6) x 25 = 45. se^2 = 0.3/5 + 0.3/5 = 0.12, se = 0.34641.
# df = 0.12^2 / ((0.06^2 + 0.06^2) / 4) = 0.0144 / 0.0018 = 8; half-width 2.306 x 0.34641 x 25 = 19.97.
# Interval 25.03 to 64.97: above 0, improved.
IMPROVED_BEFORE, IMPROVED_AFTER = [2, 2, 3, 3, 3], [4, 4, 4, 5, 5]
# No detectable change. Before: 2, 3, 4, 3, 3: mean 3, variance (1 + 0 + 1 + 0 + 0) / 4 = 0.5.
# After: 3, 4, 5, 4, 4: mean 4, variance 0.5. d = 25; se^2 = 0.1 + 0.1 = 0.2, se = 0.44721; df = 0.04 / 0.005 = 8.
# Half-width 2.306 x 0.44721 x 25 = 25.78: interval -0.78 to 50.78, which holds 0.
SAME_BEFORE, SAME_AFTER = [2, 3, 4, 3, 3], [3, 4, 5, 4, 4]


def _released_wave(hit, instrument, item, answers: list[int], *, days_ago: int, title: str):
    """A wave of the HIT whose respondents answered the trust item as given, closed and released by the worker."""
    today = timezone.localdate()
    wave = ef.WaveFactory(
        hit=hit,
        instrument=instrument,
        title=title,
        opens_on=today - datetime.timedelta(days=days_ago),
        closes_on=today - datetime.timedelta(days=days_ago - 20),
    )
    for value in answers:
        ef.AnswerFactory(response=ef.ResponseFactory(wave=wave), item=item, value=value)
    readiness_release(wave_ids=[wave.pk])
    wave.refresh_from_db()
    return wave


def _two_waves(hit, before: list[int], after: list[int]):
    instrument = ef.InstrumentFactory()
    item = ef.ItemFactory(instrument=instrument, dimension="trust")
    first = _released_wave(hit, instrument, item, before, days_ago=400, title="Baseline")
    second = _released_wave(hit, instrument, item, after, days_ago=40, title="A year on")
    return first, second


def test_an_improvement_is_stored_with_its_welch_interval(hit):
    first, second = _two_waves(hit, IMPROVED_BEFORE, IMPROVED_AFTER)

    change = ReadinessChange.objects.get()

    assert (change.hit, change.wave, change.previous_wave, change.dimension) == (hit, second, first, "trust")
    assert (change.n1, change.n2) == (5, 5)
    assert change.difference == pytest.approx(45)
    assert change.df == pytest.approx(8)
    half = T_975_8 * 0.34641 * 25
    assert change.low == pytest.approx(45 - half, abs=0.01)
    assert change.high == pytest.approx(45 + half, abs=0.01)
    assert change.label == "improved"
    assert len(change.fingerprint) == 64


def test_a_change_whose_interval_holds_zero_is_no_detectable_change(hit):
    _two_waves(hit, SAME_BEFORE, SAME_AFTER)

    change = ReadinessChange.objects.get()

    assert change.difference == pytest.approx(25)
    assert change.low == pytest.approx(25 - T_975_8 * 0.44721 * 25, abs=0.01)
    assert change.high == pytest.approx(25 + T_975_8 * 0.44721 * 25, abs=0.01)
    assert change.label == "no detectable change"
    assert (
        latest_changes(wave_id=ReadinessChange.objects.get().wave_id).rows[0].text
        == "Trust: +25 (95% interval -1 to +51): no detectable change"
    )


def test_a_wave_with_fewer_than_five_respondents_is_not_compared(hit):
    _two_waves(hit, IMPROVED_BEFORE, IMPROVED_AFTER[:4])

    change = ReadinessChange.objects.get()

    assert (change.n1, change.n2) == (5, 4)
    assert (change.difference, change.low, change.high, change.df) == (None, None, None, None)
    assert change.label.startswith("fewer than 5 respondents")


def test_one_released_wave_stores_no_change_and_releasing_again_changes_nothing(hit):
    instrument = ef.InstrumentFactory()
    item = ef.ItemFactory(instrument=instrument, dimension="trust")
    _released_wave(hit, instrument, item, IMPROVED_BEFORE, days_ago=400, title="Baseline")
    assert not ReadinessChange.objects.exists()

    _released_wave(hit, instrument, item, IMPROVED_AFTER, days_ago=40, title="A year on")
    readiness_release()

    assert ReadinessChange.objects.count() == 1


def test_the_results_page_and_the_dashboard_show_the_change_with_its_interval(client, hit, director):
    first, second = _two_waves(hit, SAME_BEFORE, SAME_AFTER)
    client.force_login(director)

    results = client.get(reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": second.pk}))
    dashboard = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}))

    for page in (results.content.decode(), dashboard.content.decode()):
        assert "Trust: +25 (95% interval -1 to +51): no detectable change" in page
        assert "The 95% interval is the range the true change most likely lies in" in page
        assert "Baseline to A year on" in page
    assert dashboard.context["summaries"]["readiness"].endswith(
        "against Baseline, 0 dimensions improved, 0 declined and 1 show no detectable change (95% intervals)."
    )
    first_page = client.get(reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": first.pk}))
    assert "Change appears after a second closed survey." in first_page.content.decode()


def test_with_one_wave_the_dashboard_says_change_comes_later(client, hit, director):
    instrument = ef.InstrumentFactory()
    item = ef.ItemFactory(instrument=instrument, dimension="trust")
    _released_wave(hit, instrument, item, IMPROVED_BEFORE, days_ago=400, title="Baseline")
    client.force_login(director)

    html = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})).content.decode()

    assert "Change appears after a second closed survey." in html


@pytest.mark.parametrize("waves", [2, 6])
def test_the_results_page_query_count_does_not_grow(client, hit, director, django_assert_num_queries, waves):
    instrument = ef.InstrumentFactory()
    items = [ef.ItemFactory(instrument=instrument, dimension=d) for d in ("trust", "faith", "clarity")]
    wave = None
    for n in range(waves):
        wave = _released_wave(
            hit, instrument, items[0], IMPROVED_BEFORE, days_ago=900 - 100 * n, title=f"W{n}"
        )
    client.force_login(director)
    url = reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk})

    # session, user, role lookups, the HIT and wave, the results, the recommendations and the stored change:
    # the same for two waves as for six.
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("hits", [1, 12])
def test_storing_the_changes_at_release_takes_the_same_queries_for_any_number_of_hits(
    db, django_assert_max_num_queries, hits
):
    instrument = ef.InstrumentFactory()
    item = ef.ItemFactory(instrument=instrument, dimension="trust")
    today = timezone.localdate()
    for _ in range(hits):
        hit = ef.WaveFactory(instrument=instrument).hit
        hit.survey_waves.all().delete()
        _released_wave(hit, instrument, item, IMPROVED_BEFORE, days_ago=400, title="Baseline")
        second = ef.WaveFactory(
            hit=hit,
            instrument=instrument,
            opens_on=today - datetime.timedelta(days=40),
            closes_on=today - datetime.timedelta(days=20),
        )
        for value in IMPROVED_AFTER:
            ef.AnswerFactory(response=ef.ResponseFactory(wave=second), item=item, value=value)

    # The release's own queries (see test_services_scores) and, for the change: the HITs' latest two
    # released waves, their items, respondents and respondent means, the delete and the insert.
    with django_assert_max_num_queries(23):
        readiness_release()

    assert ReadinessChange.objects.filter(label="improved").count() == hits
