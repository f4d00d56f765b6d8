"""The scale dataset (demo/scale.py, `manage.py seed_scale`) and the pages bench/pages.py measures on it."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from demo import scale
from demo.data_scale import MEMBER_WITH_LOGIN, member_email
from teams.enums import MembershipRole
from teams.models import User
from teams.roles import roles_of

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


def test_a_plain_member_of_each_scale_hit_has_a_login(db, client):
    """bench/http_load.py crawls as a HIT member too."""
    scale.build(hits=3, say=lambda text: None)
    members = User.objects.filter(email__startswith="scale-member-")

    assert sorted(members.values_list("email", flat=True)) == [
        member_email(n, MEMBER_WITH_LOGIN) for n in range(3)
    ]
    member = members.order_by("email").first()
    roles = roles_of(member)
    assert len(roles.hit_ids) == 1
    assert set(roles.hit_roles[next(iter(roles.hit_ids))]) == {MembershipRole.MEMBER}
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200


def test_member_logins_are_added_to_a_dataset_built_without_them(db):
    scale.build(hits=2, say=lambda text: None)
    User.objects.filter(email__startswith="scale-member-").delete()
    said: list[str] = []

    scale.build(hits=2, say=said.append)

    assert User.objects.filter(email__startswith="scale-member-").count() == 2
    assert "Logins for 2 HIT members..." in said
