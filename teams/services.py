"""Writes of the teams app. Each service takes the acting user, runs in a transaction and says
which side effects it has."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import check_version
from teams import permissions
from teams.enums import ClosureReason, HITStatus, ProgrammeRole
from teams.models import HIT, HITStatusChange, Organisation, Person, PortfolioSnapshot, RoleAssignment
from teams.signals import hit_transition_requested
from teams.workflow import InvalidTransition, get_transition


class StaleState(InvalidTransition):
    """Someone else moved the object since the user loaded the page."""


@transaction.atomic
def hit_transition(
    *,
    actor: object,
    hit_id: int,
    action: str,
    reason: str = "",
    closure_reason: str = "",
    merged_into: HIT | None = None,
    expected_status: str | None = None,
    check_permission: bool = True,
    check_guards: bool = True,
) -> HIT:
    """Move a HIT along its lifecycle (teams.workflow).

    Side effects, in order: locks the HIT row; updates status (and closure reason / merged-into
    when closing); appends a HITStatusChange (actor, action, from, to, reason, time).

    Raises InvalidTransition (illegal move), StaleState (the HIT moved since `expected_status` was
    read), PermissionDenied (actor may not) or ValidationError (a receiver of
    teams.signals.hit_transition_requested found problems, e.g. the set-up checklist before
    "activate"; or a reason is missing).
    `check_permission=False` is for other services that already checked their own rule (e.g. the
    accreditation decision that accredits the HIT). `check_guards=False` is for replaying a history
    that happened before the portal held its records (the demo data): a guard reads today's rows.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    if expected_status is not None and hit.status != expected_status:
        last = hit.status_changes.select_related("actor").first()
        by = f" by {last.actor}" if last and last.actor else ""
        when = f" on {timezone.localtime(last.created_at):%d %b %Y at %H:%M}" if last else ""
        raise StaleState(f"This HIT was already moved to {hit.get_status_display().lower()}{by}{when}.")
    transition = get_transition(action, hit.status)
    if check_permission:
        verdict = permissions.can_change_hit_status(actor, hit)
        if not verdict:
            raise PermissionDenied(verdict.reason)
    if check_guards:
        answers = hit_transition_requested.send(sender=HIT, hit=hit, transition=transition)
        problems = [problem for _receiver, found in answers for problem in found]
        if problems:
            raise ValidationError({"__all__": problems})
    reason = reason.strip()
    errors: dict[str, str] = {}
    if transition.needs_reason and not reason:
        errors["reason"] = "Give a reason for this change."
    if transition.needs_closure_reason:
        if closure_reason not in ClosureReason.values:
            errors["closure_reason"] = "Choose why the HIT is closing."
        elif closure_reason == ClosureReason.MERGED and merged_into is None:
            errors["merged_into"] = "Name the HIT this one merges into."
        elif merged_into is not None and merged_into.pk == hit.pk:
            errors["merged_into"] = "A HIT cannot merge into itself."
    if errors:
        raise ValidationError(errors)

    from_status = hit.status
    hit.status = transition.target
    hit.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at", "updated_at"]
    if transition.needs_closure_reason:
        hit.closure_reason = closure_reason
        hit.merged_into = merged_into if closure_reason == ClosureReason.MERGED else None
        fields += ["closure_reason", "merged_into"]
    hit.full_clean(exclude=["themes"])
    hit.save(update_fields=fields)
    HITStatusChange.objects.create(
        hit=hit,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_status=from_status,
        to_status=hit.status,
        reason=reason,
    )
    return hit


def _require_directory_manager(actor: object) -> None:
    verdict = permissions.can_manage_directory(actor)
    if not verdict:
        raise PermissionDenied(verdict.reason)


@transaction.atomic
def organisation_save(
    *, actor: object, organisation: Organisation, expected_version: str | None = None
) -> Organisation:
    """Add an organisation to the directory or change one. Side effect: the Organisation row.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    _require_directory_manager(actor)
    if organisation.pk is not None:
        check_version(Organisation.objects.select_for_update().get(pk=organisation.pk), expected_version)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def person_save(*, actor: object, person: Person, expected_version: str | None = None) -> Person:
    """Add a person to the directory or change one. Side effect: the Person row.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version` (core.concurrency).
    """
    _require_directory_manager(actor)
    if person.pk is not None:
        check_version(Person.objects.select_for_update().get(pk=person.pk), expected_version)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def role_grant(*, actor: object, user: object, role: str) -> RoleAssignment:
    """Give a user a programme-wide role (idempotent). Side effect: one RoleAssignment row."""
    if role not in ProgrammeRole.values:
        raise ValidationError({"role": f"{role!r} is not a programme-wide role."})
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, defaults={"granted_by": actor if getattr(actor, "pk", None) else None}
    )
    return assignment


@transaction.atomic
def portfolio_snapshot_take(*, day=None) -> PortfolioSnapshot:
    """Store today's HIT counts by status and stage (idempotent: one row per day, overwritten).

    Set-based: two grouped aggregate queries, whatever the number of HITs.
    """
    from django.db.models import Count

    day = day or timezone.localdate()
    by_status = dict.fromkeys(HITStatus.values, 0)
    for row in HIT.objects.order_by().values("status").annotate(n=Count("pk")):
        by_status[row["status"]] = row["n"]
    by_stage = {
        row["stage"]: row["n"] for row in HIT.objects.order_by().values("stage").annotate(n=Count("pk"))
    }
    snapshot, _ = PortfolioSnapshot.objects.update_or_create(
        taken_on=day,
        defaults={"hits_total": sum(by_status.values()), "by_status": by_status, "by_stage": by_stage},
    )
    return snapshot
