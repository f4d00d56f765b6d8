"""Two chairs deciding the same application at the same moment: one outcome, and the loser is
told who decided. Needs PostgreSQL: SQLite ignores select_for_update and locks the whole file.

Run with: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/pytest tests/accreditation/test_concurrency.py
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accreditation.enums import ApplicationStatus, PanelRole
from accreditation.models import Accreditation, ApplicationEvent, Decision
from accreditation.services import applications as services
from core.workflow import InvalidTransition
from teams.enums import HITStatus
from teams.models import HITStatusChange
from tests.factories import HITFactory, PanelFactory, PanelMemberFactory, RoundFactory
from tests.factories.accreditation_panel import (
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    submitted_review,
)

pytestmark = pytest.mark.integration


def test_two_chairs_accrediting_at_once_yield_one_decision(transactional_db, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the outcome rests on select_for_update row locks")
    # Emails are not the subject here; with a real broker they would be queued for no worker.
    monkeypatch.setattr(services, "send_after_commit", lambda **kwargs: None)
    round_ = RoundFactory()
    # Two panels of one round, each with its own chair: both may decide.
    chairs = [
        PanelMemberFactory(panel=PanelFactory(round=round_), role=PanelRole.CHAIR, user__full_name=name).user
        for name in ("Ann Chair", "Ben Chair")
    ]
    application = PanelApplicationFactory(hit=HITFactory(status=HITStatus.IN_APPLICATION), round=round_)
    PanelRevisionFactory(application=application)
    for _ in range(round_.reviewers_per_application):
        reviewer = PanelMemberFactory(panel=chairs[0].panel_memberships.get().panel).user
        submitted_review(
            ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
        )

    barrier = threading.Barrier(len(chairs))
    outcomes: dict[str, object] = {}

    def decide(chair) -> None:
        try:
            barrier.wait(timeout=10)
            services.application_transition(
                actor=chair,
                application_id=application.pk,
                action="accredit",
                comment=f"Decided by {chair}",
                expected_status=ApplicationStatus.UNDER_REVIEW,
            )
            outcomes[str(chair)] = "decided"
        except Exception as exc:  # the loser's exception is the result under test
            outcomes[str(chair)] = exc
        finally:
            connection.close()  # each thread has its own connection; leave none open for the flush

    threads = [threading.Thread(target=decide, args=(chair,)) for chair in chairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [name for name, outcome in outcomes.items() if outcome == "decided"]
    losers = [outcome for outcome in outcomes.values() if outcome != "decided"]
    assert len(winners) == 1
    assert len(losers) == 1
    (loser,) = losers
    assert isinstance(loser, InvalidTransition)  # StaleState is an InvalidTransition
    assert str(loser).startswith(f"This application was already accredited by {winners[0]} on ")
    assert str(loser).endswith("; nothing was changed.")
    decision = Decision.objects.get()
    assert str(decision.decided_by) == winners[0]
    assert Accreditation.objects.get().decision == decision
    assert ApplicationEvent.objects.filter(action="accredit").count() == 1
    assert HITStatusChange.objects.filter(action="accredit").count() == 1
