"""A HIT's accreditation conditions still to be met, on the HIT page and on the application page:
each open one and each awaiting the programme manager's acceptance, with its status and due date,
and the next step for whoever may take it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import DecisionOutcome
from accreditation.models import Condition
from core.versions import bump
from teams.models import Person
from tests.factories.accreditation_panel import ConditionFactory, DecisionFactory
from tests.factories.teams import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(hit):
    return DecisionFactory(application__hit=hit, outcome=DecisionOutcome.ACCREDITED_WITH_CONDITIONS)


@pytest.fixture
def conditions(decision, director):
    owner = Person.objects.get(user=director)
    today = timezone.localdate()
    return {
        "open": ConditionFactory(
            decision=decision,
            owner=owner,
            text="Name a PPI lead.",
            due_on=today + datetime.timedelta(days=30),
        ),
        "awaiting": ConditionFactory(
            decision=decision, owner=owner, text="Agree terms of reference.", awaiting=True, overdue=True
        ),
        "closed": ConditionFactory(decision=decision, owner=owner, text="Open a bank account.", closed=True),
        "elsewhere": ConditionFactory(text="Another HIT's condition."),
    }


def _pages(hit, decision):
    return [
        reverse("teams:hit-detail", args=[hit.pk]),
        reverse("accreditation:application-detail", args=[decision.application_id]),
    ]


def test_a_programme_manager_sees_open_and_awaiting_conditions_with_their_next_step(
    client, programme_manager, hit, decision, conditions
):
    client.force_login(programme_manager)
    for url in _pages(hit, decision):
        html = client.get(url).content.decode()
        assert "Accreditation conditions to meet" in html, url
        assert "Name a PPI lead." in html and "Agree terms of reference." in html
        assert "Open a bank account." not in html  # closed: on the conditions list, not here
        assert "Another HIT&#x27;s condition." not in html and "Another HIT's condition." not in html
        assert "Awaiting acceptance" in html and "Overdue" in html
        assert conditions["open"].due_on.strftime("%-d %b %Y") in html
        assert reverse("accreditation:condition-review", args=[conditions["awaiting"].pk]) in html
        assert reverse("accreditation:condition-close", args=[conditions["open"].pk]) in html
        assert reverse("accreditation:condition-review", args=[conditions["open"].pk]) not in html


def test_the_owner_is_offered_to_send_evidence_but_never_to_accept_it(
    client, director, hit, decision, conditions
):
    client.force_login(director)
    for url in _pages(hit, decision):
        html = client.get(url).content.decode()
        assert "Name a PPI lead." in html and "Agree terms of reference." in html, url
        assert reverse("accreditation:condition-close", args=[conditions["open"].pk]) in html
        assert reverse("accreditation:condition-review", args=[conditions["awaiting"].pk]) not in html


def test_a_teammate_sees_the_conditions_without_actions(client, teammate, hit, decision, conditions):
    client.force_login(teammate)
    html = client.get(reverse("teams:hit-detail", args=[hit.pk])).content.decode()
    assert "Name a PPI lead." in html
    assert reverse("accreditation:condition-close", args=[conditions["open"].pk]) not in html
    assert reverse("accreditation:condition-review", args=[conditions["awaiting"].pk]) not in html


def test_a_board_member_does_not_see_the_conditions_on_the_hit_page(client, board_member, hit, conditions):
    client.force_login(board_member)
    response = client.get(reverse("teams:hit-detail", args=[hit.pk]))
    assert response.status_code == 200
    assert "Name a PPI lead." not in response.content.decode()


def test_no_panel_without_a_condition_to_meet(client, programme_manager, hit, decision):
    ConditionFactory(decision=decision, closed=True)
    client.force_login(programme_manager)
    for url in _pages(hit, decision):
        assert "Accreditation conditions to meet" not in client.get(url).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_conditions(client, programme_manager, hit, decision):
    client.force_login(programme_manager)
    owner = PersonFactory()
    ConditionFactory(decision=decision, owner=owner)
    ConditionFactory(decision=decision, owner=owner, awaiting=True)
    urls = _pages(hit, decision)
    for url in urls:
        client.get(url)  # warm the caches (roles, sessions)
    # The HIT page's body is kept after a request (core.versions) until a condition changes: compare a
    # rendering with a rendering.
    bump(Condition)
    before = [_queries(client, url) for url in urls]
    for n in range(4):
        ConditionFactory(decision=decision, owner=PersonFactory(), awaiting=bool(n % 2))
    assert [_queries(client, url) for url in urls] == before
