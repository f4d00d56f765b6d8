"""Review assignments, conflicts of interest, reviews and public reviews in the audit log
(hitportal/audit/selectors.py, sources "assignment", "conflict", "conflict_resolution", "review",
"public_review") and reporting schedule changes ("schedule")."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import ConflictDeclaration, ConflictResolution
from accreditation.services.reviews import assignment_create, conflict_declare, conflict_resolve
from core.concurrency import version_of
from hitportal.audit import selectors as audit
from reporting.models import ReportScheduleChange, default_reminder_offsets
from reporting.services.schedules import schedule_save
from tests import factories as f
from tests.factories.accreditation_panel import ReviewAssignmentFactory, ReviewFactory
from tests.factories.engagement import PublicReviewFactory


def _entries(user, **filters) -> list[audit.AuditEntry]:
    return audit.audit_page_entries(audit.audit_entries(user=user, filters=audit.AuditFilter(**filters)))


def _application_url(application) -> str:
    return reverse("accreditation:application-detail", args=[application.pk])


def test_an_assignment_names_the_reviewer_the_chair_and_the_hit(
    programme_manager, chair, reviewer, review_application, hit
):
    assignment_create(actor=chair, application_id=review_application.pk, reviewer=reviewer)

    [entry] = _entries(programme_manager, kind="assignment")

    assert (entry.what, entry.who, entry.hit_label) == (
        f"Assigned {reviewer.full_name} as reviewer",
        chair.full_name,
        hit.name,
    )
    assert (entry.kind_label, entry.object_url) == ("Review assignment", _application_url(review_application))


def test_a_declared_conflict_names_the_reviewer_and_their_note(
    programme_manager, reviewer, review_application, hit
):
    assignment = ReviewAssignmentFactory(application=review_application, reviewer=reviewer)
    assert _entries(programme_manager, kind="conflict") == []  # nothing declared yet

    conflict_declare(
        actor=reviewer,
        assignment_id=assignment.pk,
        declaration=ConflictDeclaration.DECLARED,
        note="Co-author",
    )

    [entry] = _entries(programme_manager, kind="conflict")
    assert (entry.what, entry.who, entry.hit_label, entry.detail) == (
        "Declared a conflict of interest",
        reviewer.full_name,
        hit.name,
        "Co-author",
    )


def test_a_declaration_of_no_conflict_reads_so(programme_manager, reviewer, review_application):
    assignment = ReviewAssignmentFactory(application=review_application, reviewer=reviewer)

    conflict_declare(actor=reviewer, assignment_id=assignment.pk, declaration=ConflictDeclaration.NONE)

    assert [e.what for e in _entries(programme_manager, kind="conflict")] == [
        "Declared no conflict of interest"
    ]


def test_a_resolution_names_the_chair_the_reviewer_and_the_reason(
    programme_manager, chair, reviewer, review_application, hit
):
    assignment = ReviewAssignmentFactory(
        application=review_application, reviewer=reviewer, declared_conflict=True
    )
    assert _entries(programme_manager, kind="conflict_resolution") == []  # nothing resolved yet

    conflict_resolve(
        actor=chair,
        assignment_id=assignment.pk,
        resolution=ConflictResolution.WAIVED,
        note="Advice was minor.",
    )

    [entry] = _entries(programme_manager, kind="conflict_resolution")
    assert (entry.what, entry.who, entry.hit_label, entry.detail) == (
        f"Conflict of interest of {reviewer.full_name}: waived with a note",
        chair.full_name,
        hit.name,
        "Advice was minor.",
    )


def test_a_submitted_review_names_its_reviewer_and_version_but_not_its_content(
    programme_manager, reviewer, lay_reviewer, review_application, hit
):
    submitted = ReviewFactory(
        assignment__application=review_application, assignment__reviewer=reviewer, submitted=True
    )
    ReviewFactory(
        assignment__application=review_application, assignment__reviewer=lay_reviewer, assignment__lay=True
    )

    [entry] = _entries(programme_manager, kind="review")  # the draft is no event

    assert (entry.what, entry.who, entry.hit_label) == (
        "Submitted a review of version 1",
        reviewer.full_name,
        hit.name,
    )
    assert submitted.summary not in (entry.what + entry.detail + entry.object_label)


def test_a_public_review_names_its_reviewer_and_hit_but_not_its_comments(
    programme_manager, lay_reviewer, hit
):
    review = PublicReviewFactory(hit=hit, reviewer=lay_reviewer)

    [entry] = _entries(programme_manager, kind="public_review")

    assert (entry.what, entry.who, entry.hit_label) == (
        "Recorded a public review of the PPI arrangements",
        lay_reviewer.full_name,
        hit.name,
    )
    assert entry.object_url == reverse("teams:hit-detail", args=[hit.pk])
    assert review.comments not in (entry.what + entry.detail + entry.object_label)


def test_an_assignment_without_a_user_shows_system(programme_manager, review_application):
    ReviewAssignmentFactory(application=review_application, assigned_by=None)

    assert [e.who for e in _entries(programme_manager, kind="assignment")] == ["System"]


def _one_of_each(hit) -> None:
    assignment = ReviewAssignmentFactory(
        application__hit=hit, declared_conflict=True, waived=True, assigned_by=f.UserFactory()
    )
    ReviewFactory(assignment=assignment, submitted=True)
    PublicReviewFactory(hit=hit)
    ReportScheduleChange.objects.create(hit=hit, created=True, detail="Every 6 months")


NEW_KINDS = {"assignment", "conflict", "conflict_resolution", "review", "public_review", "schedule"}


def test_the_hit_filter_keeps_only_that_hits_entries(programme_manager, hit, other_hit):
    _one_of_each(hit)
    _one_of_each(other_hit)

    entries = _entries(programme_manager, hit_id=hit.pk)

    assert {e.kind for e in entries} == NEW_KINDS
    assert {e.hit_label for e in entries} == {hit.name}


def test_review_entries_are_hidden_from_others(board_member, hit):
    _one_of_each(hit)

    assert _entries(board_member) == []


@pytest.mark.parametrize("copies", [1, 3])
def test_the_page_query_count_does_not_grow_with_review_events(
    client, programme_manager, django_assert_num_queries, copies
):
    for _ in range(copies):
        _one_of_each(f.HITFactory())
    client.force_login(programme_manager)

    # session, user, 3 role lookups, the log's version, the count, the page, the HIT choices of the filter
    # (their ids, then the rows: teams.forms.lookup.first_rows)
    with django_assert_num_queries(10):
        response = client.get(reverse("audit:log"))
    # Again: from the cache (session, user, the version; the roles are cached since the first request).
    with django_assert_num_queries(3):
        again = client.get(reverse("audit:log"))
    assert _log(again) == _log(response) and "<td>" in _log(again)

    kinds = [e.kind for e in response.context["entries"]]
    assert {kind: kinds.count(kind) for kind in NEW_KINDS} == dict.fromkeys(NEW_KINDS, copies)
    assert "Recorded a public review of the PPI arrangements" in response.content.decode()


def test_the_audit_page_offers_the_new_kinds_in_its_filter(client, programme_manager):
    client.force_login(programme_manager)

    content = client.get(reverse("audit:log")).content.decode()

    for label in ("Review assignment", "Conflict of interest declared", "Conflict of interest resolved"):
        assert label in content


# --- Reporting schedules -----------------------------------------------------------------------------


def test_setting_and_changing_a_schedule_are_entries_with_the_schedule_as_saved(programme_manager, hit):
    first = timezone.localdate() + datetime.timedelta(days=30)
    schedule = schedule_save(actor=programme_manager, hit_id=hit.pk, interval_months=6, first_due_on=first)
    schedule_save(
        actor=programme_manager,
        hit_id=hit.pk,
        interval_months=3,
        first_due_on=first,
        reminder_offsets=[-7],
        is_active=False,
        expected_version=version_of(schedule),
    )

    entries = _entries(programme_manager, kind="schedule", hit_id=hit.pk)

    assert [(e.what, e.who, e.hit_label, e.detail) for e in entries] == [
        (
            "Changed the reporting schedule",
            programme_manager.full_name,
            hit.name,
            f"Every 3 months from {first:%d %b %Y}, reminders on days -7, paused",
        ),
        (
            "Set the reporting schedule",
            programme_manager.full_name,
            hit.name,
            f"Every 6 months from {first:%d %b %Y}, reminders on days "
            + ", ".join(f"{o:+d}" for o in sorted(default_reminder_offsets()))
            + ", active",
        ),
    ]
    assert entries[0].object_url == reverse("reporting:report-schedule", args=[hit.pk])


def test_a_schedule_change_of_another_hit_is_left_out_by_the_hit_filter(programme_manager, hit, other_hit):
    first = timezone.localdate() + datetime.timedelta(days=30)
    schedule_save(actor=programme_manager, hit_id=other_hit.pk, interval_months=6, first_due_on=first)

    assert _entries(programme_manager, kind="schedule", hit_id=hit.pk) == []
    assert len(_entries(programme_manager, kind="schedule", hit_id=other_hit.pk)) == 1


def _log(response) -> str:
    """The page between its heading and the end of its main part (the rest carries per-request tokens)."""
    html = response.content.decode()
    return html[html.index("<h1>Audit log</h1>") : html.index("</main>")]
