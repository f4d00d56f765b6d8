"""Panel seat changes in the audit log (hitportal/audit/selectors.py, source "panel_seat")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.enums import PanelRole, PanelSeatChange
from accreditation.services.panels import panel_seat_add, panel_seat_remove, panel_seat_replace
from hitportal.audit import selectors as audit
from tests import factories as f


def _seat_entries(user) -> list[audit.AuditEntry]:
    rows = audit.audit_entries(user=user, filters=audit.AuditFilter(kind="panel_seat"))
    return audit.audit_page_entries(rows)


def _person(name: str):
    user = f.UserFactory(full_name=name)
    return f.PersonFactory(user=user, full_name=name, email=user.email)


def test_audit_lists_each_seat_change_with_its_actor(programme_manager, panel):
    nell = _person("Nell Newcomer")
    member = panel_seat_add(actor=programme_manager, panel_id=panel.pk, person=nell, role=PanelRole.REVIEWER)
    panel_seat_replace(
        actor=programme_manager, member_id=member.pk, person=_person("Rob Relief"), reason="Sabbatical"
    )
    relief = panel.members.get(user__full_name="Rob Relief")
    panel_seat_remove(actor=programme_manager, member_id=relief.pk, reason="Stepped down")

    entries = _seat_entries(programme_manager)

    assert sorted((e.what, e.who, e.detail) for e in entries) == [
        ("Removed Rob Relief as reviewer", "Pat Manager", "Stepped down"),
        ("Replaced Nell Newcomer with Rob Relief as reviewer", "Pat Manager", "Sabbatical"),
        ("Seated Nell Newcomer as reviewer", "Pat Manager", ""),
    ]
    assert {(e.kind_label, e.object_label, e.object_url) for e in entries} == {
        ("Panel seat", panel.name, reverse("accreditation:panel-detail", args=[panel.pk]))
    }


def test_audit_names_the_system_for_a_seat_change_without_a_user(programme_manager, panel):
    f.PanelSeatEventFactory(panel=panel, actor=None, role=PanelRole.CHAIR, change=PanelSeatChange.ADDED)

    assert [e.who for e in _seat_entries(programme_manager)] == ["System"]


def test_audit_seat_changes_are_hidden_from_others(board_member, panel):
    f.PanelSeatEventFactory(panel=panel)

    assert _seat_entries(board_member) == []


@pytest.mark.parametrize("kind", ["", "panel_seat"])
def test_audit_log_page_shows_a_seat_change(client, programme_manager, panel, kind):
    f.PanelSeatEventFactory(panel=panel, actor=programme_manager, user__full_name="Nell Newcomer")
    client.force_login(programme_manager)

    response = client.get(reverse("audit:log"), {"kind": kind} if kind else {})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Seated Nell Newcomer as reviewer" in content
    assert f'href="{reverse("accreditation:panel-detail", args=[panel.pk])}"' in content
