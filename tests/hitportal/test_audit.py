"""The audit log (hitportal/audit/)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accreditation.enums import ConflictDeclaration, DecisionOutcome
from accreditation.services.applications import application_transition
from core.models import StatusEvent
from hitportal.audit import selectors as audit
from teams.enums import HITStatus, ProgrammeRole, RoleChangeKind, VocabularyChangeKind
from teams.models import HIT, Organisation
from tests import factories as f
from tests.factories.accreditation_applications import ApplicationEventFactory, ApplicationFactory
from tests.factories.accreditation_eoi import EOIEventFactory, ExpressionOfInterestFactory
from tests.factories.accreditation_panel import DecisionFactory, ReviewAssignmentFactory, ReviewFactory
from tests.factories.reporting import ProgressReportFactory, ReportEventFactory
from tests.factories.teams_gdpr import GdprActionFactory

DAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LONG_AGO = datetime.datetime(2020, 1, 6, 9, 0, tzinfo=datetime.UTC)


def _at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def programme_manager(db):
    """The conftest persona, but granted long ago: its own role grant is an audit event too."""
    with _at(LONG_AGO):
        user = f.UserFactory(full_name="Pat Manager")
        f.RoleAssignmentFactory(user=user, role=ProgrammeRole.PROGRAMME_MANAGER)
        f.RoleChangeFactory(user=user, role=ProgrammeRole.PROGRAMME_MANAGER)
    return user


EVERY_KIND = [
    "vocabulary",
    "account",
    "gdpr",
    "admin",
    "role",
    "decision",
    "report",
    "eoi",
    "application",
    "hit_status",
]

# The assignments and reviews behind a decision are entries of their own.
REVIEW_KINDS = ("assignment", "conflict", "conflict_resolution", "review")


def _one_of_each(*, hit, actor, start: datetime.datetime) -> dict[str, object]:
    """One event of every kind, an hour apart from `start` in this order (the oldest first)."""
    made: dict[str, object] = {}
    hours = iter(range(20))

    def when() -> datetime.datetime:
        return start + datetime.timedelta(hours=next(hours))

    with _at(when()):
        made["hit_status"] = f.HITStatusChangeFactory(
            hit=hit,
            actor=actor,
            action="suspend",
            from_status=HITStatus.ACTIVE,
            to_status=HITStatus.SUSPENDED,
        )
    with _at(when()):
        made["application"] = ApplicationEventFactory(application=ApplicationFactory(hit=hit), actor=actor)
    with _at(when()):
        made["eoi"] = EOIEventFactory(eoi=ExpressionOfInterestFactory(hit=hit), actor=actor)
    with _at(when()):
        made["report"] = ReportEventFactory(report=ProgressReportFactory(hit=hit), actor=actor)
    with _at(when()):
        made["decision"] = DecisionFactory(
            application__hit=hit,
            decided_by=actor,
            outcome=DecisionOutcome.ACCREDITED,
            rationale="Strong plan.",
        )
    with _at(when()):
        grantee = f.UserFactory(full_name="Gina Grantee")
        f.PersonFactory(user=grantee, full_name="Gina Grantee")
        made["role"] = f.RoleChangeFactory(user=grantee, role=ProgrammeRole.BOARD_MEMBER, actor=actor)
    with _at(when()):
        organisation = f.OrganisationFactory(name=f"North Bristol Trust {start:%d}")
        made["admin"] = LogEntry.objects.create(
            user=actor,
            content_type=ContentType.objects.get_for_model(Organisation),
            object_id=str(organisation.pk),
            object_repr=str(organisation),
            action_flag=CHANGE,
            change_message='[{"changed": {"fields": ["Website"]}}]',
        )
    with _at(when()):
        made["gdpr"] = GdprActionFactory(actor=actor, erase=True, reason="Requested by letter.")
    with _at(when()):
        invitee = f.UserFactory(full_name="Ivan Invitee")
        f.PersonFactory(user=invitee, full_name="Ivan Invitee")
        made["account"] = f.AccountInvitationFactory(user=invitee, invited_by=actor)
    with _at(when()):
        made["vocabulary"] = f.VocabularyChangeFactory(
            actor=actor, change=VocabularyChangeKind.RENAMED, term_name="Prevention", detail="Was: Prevent"
        )
    return made


def _entries(user, **filters) -> list[audit.AuditEntry]:
    """The entries since 2026 (leaving out the programme manager's own grant) unless told otherwise."""
    filters.setdefault("date_from", datetime.date(2026, 1, 1))
    return audit.audit_page_entries(audit.audit_entries(user=user, filters=audit.AuditFilter(**filters)))


# --- The union ---------------------------------------------------------------------------------------


def test_audit_entries_list_every_kind_newest_first(hit, programme_manager):
    made = _one_of_each(hit=hit, actor=programme_manager, start=DAY)

    entries = _entries(programme_manager)

    assert [e.kind for e in entries] == [
        "vocabulary",
        "account",
        "gdpr",
        "admin",
        "role",
        "decision",
        "report",
        "eoi",
        "application",
        "hit_status",
    ]
    assert {e.who for e in entries} == {"Pat Manager"}
    assert entries[-1].when == DAY
    assert entries[0].when == DAY + datetime.timedelta(hours=9)
    by_kind = {e.kind: e for e in entries}
    assert (by_kind["hit_status"].what, by_kind["hit_status"].object_url) == (
        "Suspend: Active → Suspended",
        reverse("teams:hit-detail", args=[hit.pk]),
    )
    application_id = made["application"].application_id
    assert (
        by_kind["application"].what,
        by_kind["application"].object_url,
        by_kind["application"].hit_label,
    ) == (
        "Submit: Draft → Submitted",
        reverse("accreditation:application-detail", args=[application_id]),
        "Dementia HIT",
    )
    assert (by_kind["eoi"].what, by_kind["eoi"].object_url) == (
        "Submit: Draft → Submitted",
        reverse("accreditation:eoi-detail", args=[made["eoi"].eoi_id]),
    )
    assert by_kind["report"].object_url == reverse("reporting:report-detail", args=[made["report"].report_id])
    assert (by_kind["decision"].what, by_kind["decision"].detail) == (
        "Decided: Accredited (version 1)",
        "Strong plan.",
    )
    assert (by_kind["role"].what, by_kind["role"].object_label, by_kind["role"].object_url) == (
        "Granted the role Board member",
        "Gina Grantee",
        reverse("teams:person-detail", args=[made["role"].user.person.pk]),
    )
    assert (by_kind["account"].what, by_kind["account"].object_label, by_kind["account"].object_url) == (
        "Login created or invitation sent to set a password",
        "Ivan Invitee",
        reverse("teams:person-detail", args=[made["account"].user.person.pk]),
    )
    assert (
        by_kind["vocabulary"].what,
        by_kind["vocabulary"].object_label,
        by_kind["vocabulary"].detail,
        by_kind["vocabulary"].object_url,
    ) == (
        "Renamed in Cross-cutting themes",
        "Prevention",
        "Was: Prevent",
        reverse("teams:vocabulary-list", args=["theme"]),
    )
    assert (by_kind["admin"].what, by_kind["admin"].object_label, by_kind["admin"].detail) == (
        "Changed in the admin site (organisation)",
        "North Bristol Trust 02",
        "Changed Website.",
    )
    assert by_kind["admin"].object_url == reverse(
        "admin:teams_organisation_change", args=[made["admin"].object_id]
    )
    assert (by_kind["gdpr"].what, by_kind["gdpr"].detail, by_kind["gdpr"].object_url) == (
        "Person erased",
        "Requested by letter.",
        reverse("teams:person-detail", args=[made["gdpr"].person_number]),
    )


def _status_event_tables() -> set[type]:
    return {model for model in apps.get_models() if issubclass(model, StatusEvent)}


def test_every_event_table_extends_status_event():
    moves = {
        model
        for model in apps.get_models()
        if {"action", "from_status", "to_status"} <= {field.name for field in model._meta.fields}
    }

    assert moves == _status_event_tables()
    assert {model.__name__ for model in moves} == {
        "HITStatusChange",
        "ApplicationEvent",
        "EOIEvent",
        "ReportEvent",
        "ConditionEvent",
        "NetworkRoundEvent",
    }


def test_the_audit_log_lists_every_status_event_table():
    listed = {source.model for source in audit.SOURCES}

    assert _status_event_tables() <= listed


def test_audit_entries_are_empty_for_anyone_but_a_programme_manager(hit, programme_manager, board_member):
    _one_of_each(hit=hit, actor=programme_manager, start=DAY)

    assert _entries(board_member) == []


def test_audit_entries_without_actor_show_system(hit, programme_manager):
    f.HITStatusChangeFactory(hit=hit, actor=None)

    assert [e.who for e in _entries(programme_manager)] == ["System"]
    assert [e.who for e in _entries(programme_manager, date_from=None)][-1] == "System"  # its own grant


def test_audit_entries_admin_addition_links_and_deletion_does_not(programme_manager):
    organisation = f.OrganisationFactory()
    content_type = ContentType.objects.get_for_model(Organisation)
    for flag in (ADDITION, 3):
        LogEntry.objects.create(
            user=programme_manager,
            content_type=content_type,
            object_id=str(organisation.pk),
            object_repr="Org",
            action_flag=flag,
            change_message="",
        )

    entries = sorted(_entries(programme_manager), key=lambda e: e.what)

    assert [(e.what, bool(e.object_url)) for e in entries] == [
        ("Added in the admin site (organisation)", True),
        ("Deleted in the admin site (organisation)", False),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "decision"}, ["decision"]),
        ({"kind": "gdpr"}, ["gdpr"]),
        ({"kind": "not-a-kind"}, ["hit_status", *EVERY_KIND]),
        ({"actor": "somebody else"}, ["hit_status"]),
        ({"actor": "someone@example"}, ["hit_status"]),
        ({"actor": "SOMEBODY"}, ["hit_status"]),
        ({"date_from": datetime.date(2026, 3, 3)}, ["hit_status"]),
        ({"date_from": None}, ["hit_status", *EVERY_KIND, "role"]),
        ({"date_to": datetime.date(2026, 3, 2)}, EVERY_KIND),
        ({"kind": "role", "date_to": datetime.date(2026, 3, 1)}, []),
    ],
)
def test_audit_entries_filter(hit, programme_manager, filters, expected):
    _one_of_each(hit=hit, actor=programme_manager, start=DAY)
    someone = f.UserFactory(full_name="Somebody Else", email="someone@example.org")
    f.HITStatusChangeFactory(hit=hit, actor=someone, created_at=DAY + datetime.timedelta(days=1))

    assert [e.kind for e in _entries(programme_manager, **filters)] == expected


def test_audit_entries_show_a_revoked_role(programme_manager):
    grantee = f.PersonFactory(user=f.UserFactory(full_name="Gina Grantee")).user
    f.RoleChangeFactory(user=grantee, actor=programme_manager, change=RoleChangeKind.REVOKED, created_at=DAY)

    entries = _entries(programme_manager, kind="role")

    assert [(e.who, e.what, e.object_label) for e in entries] == [
        ("Pat Manager", "Revoked the role Board member", "Gina Grantee")
    ]


def test_audit_entries_filter_by_hit_leaves_out_kinds_without_a_hit(hit, other_hit, programme_manager):
    _one_of_each(hit=hit, actor=programme_manager, start=DAY)
    f.HITStatusChangeFactory(
        hit=other_hit, actor=programme_manager, created_at=DAY - datetime.timedelta(days=1)
    )

    mine = _entries(programme_manager, hit_id=hit.pk)
    other = _entries(programme_manager, hit_id=other_hit.pk)
    gdpr_for_hit = _entries(programme_manager, hit_id=hit.pk, kind="gdpr")

    assert [e.kind for e in mine] == ["decision", "report", "eoi", "application", "hit_status"]
    assert [e.hit_label for e in other] == ["Pain HIT"]
    assert gdpr_for_hit == []


# --- The page ----------------------------------------------------------------------------------------


def test_audit_log_page_lists_entries_with_links(client, hit, programme_manager):
    made = _one_of_each(hit=hit, actor=programme_manager, start=DAY)
    client.force_login(programme_manager)

    response = client.get(reverse("audit:log"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "11 events found." in content  # and the programme manager's own grant
    assert f'href="{reverse("accreditation:eoi-detail", args=[made["eoi"].eoi_id])}"' in content
    assert f'href="{reverse("teams:hit-detail", args=[hit.pk])}"' in content
    assert "<h1>Audit log</h1>" in content


def test_audit_log_page_escapes_recorded_text(client, hit, programme_manager):
    f.HITStatusChangeFactory(hit=hit, actor=programme_manager, comment="<script>alert(1)</script>")
    client.force_login(programme_manager)

    content = client.get(reverse("audit:log")).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content


def test_audit_log_page_filters_from_the_query_string(client, hit, programme_manager):
    _one_of_each(hit=hit, actor=programme_manager, start=DAY)
    client.force_login(programme_manager)

    response = client.get(reverse("audit:log"), {"kind": "eoi", "hit": hit.pk, "date_from": "2026-03-02"})

    assert [e.kind for e in response.context["entries"]] == ["eoi"]


def test_audit_log_page_end_before_start_is_an_error_next_to_the_field(client, programme_manager):
    client.force_login(programme_manager)

    response = client.get(reverse("audit:log"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"date_to": ["The end date cannot be before the start date."]}
    assert "The end date cannot be before the start date." in response.content.decode()


def test_audit_log_page_absurd_date_is_an_error_next_to_the_field(client, programme_manager):
    client.force_login(programme_manager)

    with _at(DAY):
        response = client.get(reverse("audit:log"), {"date_to": "9999-12-31"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_to": ["Enter a date between 1 January 1990 and 31 December 2051."]
    }
    assert 'max="2051-12-31"' in response.content.decode()


def test_audit_log_page_paginates_fifty_a_page(client, hit, programme_manager):
    for n in range(51):
        f.HITStatusChangeFactory(
            hit=hit, actor=programme_manager, created_at=DAY + datetime.timedelta(minutes=n)
        )
    client.force_login(programme_manager)

    first = client.get(reverse("audit:log"))
    second = client.get(reverse("audit:log"), {"page": 2})

    assert len(first.context["entries"]) == 50
    assert [e.when for e in second.context["entries"]] == [DAY, LONG_AGO]  # and the manager's grant


def test_audit_log_page_refuses_others_with_the_reason(client, board_member):
    client.force_login(board_member)

    response = client.get(reverse("audit:log"))

    assert response.status_code == 403
    assert "Only programme managers can read the audit log." in response.content.decode()


@pytest.mark.parametrize("copies", [1, 4])
def test_audit_log_page_query_count_does_not_grow_with_events(
    client, programme_manager, django_assert_num_queries, copies
):
    for n in range(copies):
        _one_of_each(hit=f.HITFactory(), actor=programme_manager, start=DAY + datetime.timedelta(days=n))
    client.force_login(programme_manager)

    # session, user, 3 role lookups, the log's version, the count, the page, the HIT choices of the filter
    # (their ids, then the rows: teams.forms.lookup.first_rows)
    with django_assert_num_queries(10):
        response = client.get(reverse("audit:log"))
    # Again: from the cache (session, user, the version; the roles are cached since the first request).
    with django_assert_num_queries(3):
        again = client.get(reverse("audit:log"))
    assert _log(again) == _log(response) and "<td>" in _log(again)

    assert len(response.context["entries"]) == 10 * copies + 1


def test_an_accreditation_says_accredited_once_in_each_entry(hit, programme_manager, panel, chair):
    """Regression: the HIT status entry of an accreditation read "Accredited: Accredited: ..."."""
    HIT.objects.filter(pk=hit.pk).update(status=HITStatus.IN_APPLICATION)
    application = ApplicationFactory(hit=hit, round=panel.round, under_review=True)
    for _ in range(2):
        assignment = ReviewAssignmentFactory(application=application, declaration=ConflictDeclaration.NONE)
        ReviewFactory(assignment=assignment, revision_number=application.version, submitted=True)
    with _at(DAY):
        application_transition(
            actor=chair, application_id=application.pk, action="accredit", comment="A strong team."
        )

    entries = [e for e in _entries(programme_manager, hit_id=hit.pk) if e.kind not in REVIEW_KINDS]

    assert [(e.kind, e.what, e.detail) for e in entries] == [
        ("application", "Accredit: Under review → Accredited", "A strong team."),
        ("decision", "Decided: Accredited (version 1)", "A strong team."),
        ("hit_status", "Accredit: In application → Set-up", "A strong team."),
    ]


def _log(response) -> str:
    """The page between its heading and the end of its main part (the rest carries per-request tokens)."""
    html = response.content.decode()
    return html[html.index("<h1>Audit log</h1>") : html.index("</main>")]
