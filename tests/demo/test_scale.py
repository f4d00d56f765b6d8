"""The scale dataset (demo/scale.py, `manage.py seed_scale`) and the pages bench/pages.py measures on it."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from demo import scale
from teams.models import User

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
MAX_QUERIES = 15  # GitHub issue 6: at most 15 queries per page whatever the data size


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_seed_scale_builds_every_part_once(db):
    call_command("seed_scale", hits=3, stdout=io.StringIO())
    first = scale.counts()
    out = io.StringIO()

    call_command("seed_scale", hits=3, stdout=out)

    assert scale.counts() == first
    assert "Scale dataset already present." in out.getvalue()
    assert first["hits"] == 3
    assert first["progress_reports"] == 30
    assert first["memberships"] == 12
    assert first["coverage_scores"] == 3
    assert first["accreditations"] == 3
    assert first["coverage_snapshots"] == 3 * 9


def test_pages_of_the_scale_personas_stay_within_the_query_budget(db, client, django_assert_max_num_queries):
    """The pages and personas of bench/pages.py, on a small build of its dataset."""
    scale.build(hits=3, say=lambda text: None)
    measured = []
    for page in scale.bench_pages():
        try:
            url = reverse(page.url_name, args=page.args)
        except NoReverseMatch:
            continue
        client.force_login(User.objects.get(email=page.persona))
        # A login's roles are read once a day and kept in the cache (teams.roles): measure a page as
        # every later request of the day meets it (the home page caches nothing of the measured page).
        client.get(reverse("home"))
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, page.label
        measured.append(page.label)

    assert len(measured) >= 3
