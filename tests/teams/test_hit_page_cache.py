"""The HIT page's body is kept rendered per viewer and version of what it shows (core.versions): what
teams shows and what each part of the apps above declares it reads (teams.signals.connect_hit_page_part).
An edit to any part's data shows at the next request; one viewer's page is never served to another;
forms keep the viewer's own CSRF token."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import DecisionOutcome
from accreditation.models import Condition, ReviewAssignment
from engagement.receivers import hit_page_part as engagement_part
from reporting.models import HITFlagState, ProgressReport, StageAssessment
from reporting.services import flags as flag_services
from teams.enums import MembershipRole
from teams.models import HIT, Membership, Person
from teams.signals import hit_page_part_sources, hit_page_requested
from tests.factories import teams as f
from tests.factories.accreditation_panel import ConditionFactory, DecisionFactory
from tests.factories.reporting import ProgressReportFactory

pytestmark = pytest.mark.django_db


def _url(hit: HIT) -> str:
    return reverse("teams:hit-detail", args=[hit.pk])


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main">') : html.index("</main>")]


def _cached(response) -> bool:
    """The body came from the cache: its template was not rendered for this request."""
    return "related_hits" not in (response.context or {})


def test_every_part_declares_what_it_reads():
    sources = hit_page_part_sources()

    assert sources is not None
    for model in (HIT, ProgressReport, HITFlagState, StageAssessment, Condition, ReviewAssignment):
        assert model in sources, model


def test_the_second_request_is_served_from_the_cache_in_four_queries(
    client, board_member, hit, django_assert_num_queries
):
    client.force_login(board_member)
    first = client.get(_url(hit))
    assert not _cached(first)

    # The session, the user, the HIT and the version of what the page shows.
    with django_assert_num_queries(4):
        again = client.get(_url(hit))

    assert _cached(again)
    assert _main(again) == _main(first)


def test_a_part_connected_without_its_sources_keeps_the_page_from_being_kept(client, board_member, hit):
    hit_page_requested.connect(engagement_part, sender=HIT, dispatch_uid="tests.undeclared")
    try:
        client.force_login(board_member)
        client.get(_url(hit))
        again = client.get(_url(hit))
    finally:
        hit_page_requested.disconnect(sender=HIT, dispatch_uid="tests.undeclared")

    assert not _cached(again)


# --- An edit shows at the next request ------------------------------------------------------------------


def test_an_edit_of_the_hit_and_a_new_member_show_at_once(client, director, hit):
    client.force_login(director)
    client.get(_url(hit))

    hit.aims = "Halve the waiting time for a memory clinic."
    hit.save()
    assert "Halve the waiting time" in client.get(_url(hit)).content.decode()

    f.MembershipFactory(hit=hit, role=MembershipRole.MEMBER, person__full_name="Nora Newcomer")
    assert "Nora Newcomer" in client.get(_url(hit)).content.decode()

    Membership.objects.filter(person__full_name="Nora Newcomer").delete()
    assert "Nora Newcomer" not in client.get(_url(hit)).content.decode()


def test_a_new_report_and_a_stage_assessment_show_at_once(client, director, hit):
    client.force_login(director)
    assert "No report in progress." in client.get(_url(hit)).content.decode()

    ProgressReportFactory(hit=hit, due_on=timezone.localdate() + datetime.timedelta(days=30))
    html = client.get(_url(hit)).content.decode()
    assert "No report in progress." not in html and "Report due" in html


def _as_of(response) -> str:
    html = response.content.decode()
    found = re.search(r'id="reporting-flags-as-of">(.*?)</p>', html)
    assert found, response.status_code
    return found.group(1)


NINE, NINE_O_TWO = datetime.time(9, 0), datetime.time(9, 2)  # within the cache timeout


def test_recomputed_flags_show_at_once_though_the_upsert_sends_no_signal(client, director, hit):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    nine, two_minutes_later = (
        datetime.datetime.combine(tomorrow, t, datetime.UTC) for t in (NINE, NINE_O_TWO)
    )
    with time_machine.travel(nine, tick=False):
        client.force_login(director)  # signed in at the travelled time (sessions time out)
        flag_services.hit_flags_recompute(hit_ids=[hit.pk])
        before = _as_of(client.get(_url(hit)))
    with time_machine.travel(two_minutes_later, tick=False):
        # The same day (a new day keys a new rendering anyway); the row is updated in place.
        client.force_login(director)
        flag_services.hit_flags_recompute(hit_ids=[hit.pk])
        after = _as_of(client.get(_url(hit)))

    assert HITFlagState.objects.count() == 1
    assert before != after and f"{tomorrow:%d %b %Y}".lstrip("0") in after


def test_a_condition_set_edited_and_removed_shows_at_once(client, director, hit):
    client.force_login(director)
    assert "Accreditation conditions to meet" not in client.get(_url(hit)).content.decode()

    decision = DecisionFactory(application__hit=hit, outcome=DecisionOutcome.ACCREDITED_WITH_CONDITIONS)
    condition = ConditionFactory(
        decision=decision, owner=Person.objects.get(user=director), text="Name a PPI lead."
    )
    assert "Name a PPI lead." in client.get(_url(hit)).content.decode()

    condition.text = "Name a PPI lead and a deputy."
    condition.save()
    assert "Name a PPI lead and a deputy." in client.get(_url(hit)).content.decode()

    condition.delete()
    assert "Accreditation conditions to meet" not in client.get(_url(hit)).content.decode()


# --- Per viewer ------------------------------------------------------------------------------------------


def test_a_member_and_a_board_member_never_get_each_others_page(client, teammate, board_member, hit):
    action_plan = reverse("engagement:action-list", args=[hit.pk])
    client.force_login(teammate)
    assert action_plan in client.get(_url(hit)).content.decode()

    client.force_login(board_member)
    board_first = client.get(_url(hit))
    board_again = client.get(_url(hit))
    assert _cached(board_again)
    assert action_plan not in board_first.content.decode()
    assert action_plan not in board_again.content.decode()

    client.force_login(teammate)
    assert action_plan in client.get(_url(hit)).content.decode()


def test_forms_in_the_kept_body_carry_the_viewers_own_csrf_token(programme_manager, hit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(programme_manager)
    client.get(_url(hit))
    kept = client.get(_url(hit))
    assert _cached(kept)

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', _main(kept))
    assert tokens and "placeholder" not in kept.content.decode()
    response = client.post(
        reverse("teams:hit-transition", args=[hit.pk]),
        {"csrfmiddlewaretoken": tokens[0], "action": "suspend", "expected_status": hit.status, "reason": "x"},
    )

    assert response.status_code == 302  # accepted by the CSRF check (a refusal answers 403)
