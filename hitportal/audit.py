"""The audit log: one chronological list of the events the portal already records.

Sources (one branch each of a single UNION query, so a page costs one count and one fetch however
many events there are):

    hit_status   teams.HITStatusChange            a HIT's status moved
    application  accreditation.ApplicationEvent   an application moved
    eoi          accreditation.EOIEvent           an expression of interest moved
    report       reporting.ReportEvent            a progress report moved
    decision     accreditation.Decision           a panel decision was recorded
    role         teams.RoleAssignment             a programme-wide role was granted
    admin        django.contrib.admin LogEntry    something was added, changed or deleted in the admin
    gdpr         teams.GdprAction                 a person's data was exported or erased

Each branch is reduced to the same columns (all annotations named `log_*`, added in the same order,
so the UNION lines them up), filtered before the union (kind, actor, HIT, dates) and sorted once,
newest first. Links are built from the ids in the row, without further queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models import BigIntegerField, F, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accreditation.models import ApplicationEvent, Decision, EOIEvent
from accreditation.workflow import (
    APPLICATION_WORKFLOW,
    EOI_WORKFLOW,
    ApplicationStatus,
    EOIStatus,
)
from reporting.enums import ReportStatus
from reporting.models import ReportEvent
from reporting.workflow import REPORT_WORKFLOW
from teams.enums import HITStatus, ProgrammeRole, Role
from teams.models import GdprAction, GdprActionKind, HITStatusChange, RoleAssignment
from teams.permissions import Verdict
from teams.roles import roles_of
from teams.workflow import HIT_WORKFLOW

KINDS = (
    ("hit_status", "HIT status"),
    ("application", "Application"),
    ("eoi", "Expression of interest"),
    ("report", "Progress report"),
    ("decision", "Panel decision"),
    ("role", "Role granted"),
    ("admin", "Admin site change"),
    ("gdpr", "Data protection"),
)
KIND_LABELS = dict(KINDS)

COLUMNS = (
    "log_kind",
    "log_pk",
    "log_when",
    "log_actor_id",
    "log_actor",
    "log_hit_id",
    "log_hit",
    "log_object_id",
    "log_object",
    "log_action",
    "log_from",
    "log_to",
    "log_detail",
)


def can_view_audit_log(user: object) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return Verdict(True)
    return Verdict(False, "Only programme managers can read the audit log.")


# --- The union ---------------------------------------------------------------------------------------


# A column's source: a constant string, a field reference or an expression built from fields.
Source = str | F | Cast | Concat | Value


def _text(value: Source) -> Cast:
    # Every text column is cast to one type, so PostgreSQL can line the branches up.
    if isinstance(value, str):
        value = Value(value)
    return Cast(value, TextField())


def _no_id() -> Cast:
    return Cast(Value(None), BigIntegerField())


def _columns(
    *,
    kind: str,
    when: str,
    actor: str,
    hit: str | None,
    object_id: Source | None,
    object_label: Source,
    action: Source,
    from_status: Source = "",
    to_status: Source = "",
    detail: Source = "",
) -> dict:
    return {
        "log_kind": _text(kind),
        "log_pk": Cast(F("pk"), BigIntegerField()),
        "log_when": F(when),
        "log_actor_id": Cast(F(f"{actor}_id"), BigIntegerField()),
        "log_actor": _text(F(f"{actor}__full_name")),
        "log_hit_id": Cast(F(f"{hit}_id"), BigIntegerField()) if hit else _no_id(),
        "log_hit": _text(F(f"{hit}__name")) if hit else _text(Value(None)),
        "log_object_id": _text(object_id) if object_id is not None else _text(Value(None)),
        "log_object": _text(object_label),
        "log_action": _text(action),
        "log_from": _text(from_status),
        "log_to": _text(to_status),
        "log_detail": _text(detail),
    }


def _branch(queryset: QuerySet, columns: dict) -> QuerySet:
    return queryset.order_by().annotate(**columns).values(*COLUMNS)


@dataclass(frozen=True)
class _Source:
    queryset: Callable[[], QuerySet]
    columns: dict
    when: str
    actor: str
    hit: str | None


def _sources() -> dict[str, _Source]:
    def source(
        kind: str, queryset: Callable[[], QuerySet], *, when: str, actor: str, hit: str | None, **rest
    ):
        return _Source(
            queryset, _columns(kind=kind, when=when, actor=actor, hit=hit, **rest), when, actor, hit
        )

    return {
        "hit_status": source(
            "hit_status",
            HITStatusChange.objects.all,
            when="created_at",
            actor="actor",
            hit="hit",
            object_id=F("hit_id"),
            object_label=F("hit__name"),
            action=F("action"),
            from_status=F("from_status"),
            to_status=F("to_status"),
            detail=F("comment"),
        ),
        "application": source(
            "application",
            ApplicationEvent.objects.all,
            when="created_at",
            actor="actor",
            hit="application__hit",
            object_id=F("application_id"),
            object_label=Concat(
                Value("Application of "), F("application__hit__name"), output_field=TextField()
            ),
            action=F("action"),
            from_status=F("from_status"),
            to_status=F("to_status"),
            detail=F("comment"),
        ),
        "eoi": source(
            "eoi",
            EOIEvent.objects.all,
            when="created_at",
            actor="actor",
            hit="eoi__hit",
            object_id=F("eoi_id"),
            object_label=F("eoi__working_title"),
            action=F("action"),
            from_status=F("from_status"),
            to_status=F("to_status"),
            detail=F("comment"),
        ),
        "report": source(
            "report",
            ReportEvent.objects.all,
            when="created_at",
            actor="actor",
            hit="report__hit",
            object_id=F("report_id"),
            object_label=Concat(
                Value("Progress report of "), F("report__hit__name"), output_field=TextField()
            ),
            action=F("action"),
            from_status=F("from_status"),
            to_status=F("to_status"),
            detail=F("comment"),
        ),
        "decision": source(
            "decision",
            Decision.objects.all,
            when="decided_at",
            actor="decided_by",
            hit="application__hit",
            object_id=F("application_id"),
            object_label=Concat(
                Value("Application of "), F("application__hit__name"), output_field=TextField()
            ),
            action=F("outcome"),
            to_status=Cast(F("revision_number"), TextField()),
            detail=F("rationale"),
        ),
        "role": source(
            "role",
            RoleAssignment.objects.all,
            when="created_at",
            actor="granted_by",
            hit=None,
            object_id=F("user__person__id"),
            object_label=F("user__full_name"),
            action=F("role"),
        ),
        "admin": source(
            "admin",
            LogEntry.objects.all,
            when="action_time",
            actor="user",
            hit=None,
            object_id=F("object_id"),
            object_label=F("object_repr"),
            action=Cast(F("action_flag"), TextField()),
            from_status=Concat(
                F("content_type__app_label"), Value("."), F("content_type__model"), output_field=TextField()
            ),
            detail=F("change_message"),
        ),
        "gdpr": source(
            "gdpr",
            GdprAction.objects.all,
            when="created_at",
            actor="actor",
            hit=None,
            object_id=F("person_number"),
            object_label=Concat(
                Value("Person #"), Cast(F("person_number"), TextField()), output_field=TextField()
            ),
            action=F("action"),
            detail=F("reason"),
        ),
    }


@dataclass(frozen=True)
class AuditFilter:
    kind: str = ""
    actor: str = ""  # part of the actor's name or email address
    hit_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries(*, user: object, filters: AuditFilter | None = None) -> QuerySet:
    """The audit events as one ordered UNION queryset of dicts (the COLUMNS), newest first.

    Empty for anyone but a programme manager. A HIT filter leaves out the kinds that belong to no
    HIT (roles, admin changes, data protection requests).
    """
    filters = filters or AuditFilter()
    sources = _sources()
    if not can_view_audit_log(user):
        return _branch(HITStatusChange.objects.none(), sources["hit_status"].columns)
    selected = [filters.kind] if filters.kind in sources else list(sources)
    branches = []
    for kind in selected:
        source = sources[kind]
        if filters.hit_id is not None and source.hit is None:
            continue
        condition = Q()
        if filters.actor:
            condition &= Q(**{f"{source.actor}__full_name__icontains": filters.actor}) | Q(
                **{f"{source.actor}__email__icontains": filters.actor}
            )
        if filters.hit_id is not None:
            condition &= Q(**{f"{source.hit}_id": filters.hit_id})
        if filters.date_from:
            condition &= Q(**{f"{source.when}__gte": _day_start(filters.date_from)})
        if filters.date_to:
            condition &= Q(**{f"{source.when}__lt": _day_start(filters.date_to + datetime.timedelta(days=1))})
        branches.append(_branch(source.queryset().filter(condition), source.columns))
    if not branches:
        return _branch(HITStatusChange.objects.none(), sources["hit_status"].columns)
    first, *rest = branches
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-log_when", "log_kind", "-log_pk")


# --- Entries as the page shows them -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    kind: str
    kind_label: str
    when: datetime.datetime
    who: str
    what: str
    object_label: str
    object_url: str
    hit_label: str
    hit_url: str
    detail: str


_APPLICATION_LABELS = {t.action: t.label for t in APPLICATION_WORKFLOW.transitions}
_EOI_LABELS = {t.action: t.label for t in EOI_WORKFLOW.transitions}
_ADMIN_FLAGS = {str(ADDITION): "Added", str(CHANGE): "Changed", str(DELETION): "Deleted"}


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "—"


def _move(action_label: str, choices, row: dict) -> str:
    if row["log_from"] == row["log_to"]:  # an event that did not change the status
        return action_label
    return f"{action_label}: {_label(choices, row['log_from'])} → {_label(choices, row['log_to'])}"


def _action(labels: dict[str, str], action: str) -> str:
    return labels.get(action) or action.replace("_", " ").capitalize()


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _admin(row: dict) -> tuple[str, str, str]:
    """What, link and detail of an admin LogEntry row (its change message decoded without a query)."""
    app_label, _, model = (row["log_from"] or "").partition(".")
    flag = _ADMIN_FLAGS.get(row["log_action"], "Changed")
    entry = LogEntry(action_flag=int(row["log_action"] or CHANGE), change_message=row["log_detail"] or "")
    url = "" if flag == "Deleted" else _url(f"admin:{app_label}_{model}_change", row["log_object_id"])
    return f"{flag} in the admin site ({model or 'object'})", url, entry.get_change_message()


def _entry(row: dict) -> AuditEntry:
    kind = row["log_kind"]
    object_id = row["log_object_id"]
    object_label = row["log_object"] or ""
    object_url = ""
    detail = row["log_detail"] or ""
    if kind == "hit_status":
        what = _move(HIT_WORKFLOW.label_for(row["log_action"]), HITStatus, row)
        object_url = _url("teams:hit-detail", object_id)
    elif kind == "application":
        what = _move(_action(_APPLICATION_LABELS, row["log_action"]), ApplicationStatus, row)
        object_url = _url("accreditation:application-detail", object_id)
    elif kind == "eoi":
        what = _move(_action(_EOI_LABELS, row["log_action"]), EOIStatus, row)
        object_url = _url("accreditation:eoi-detail", object_id)
    elif kind == "report":
        what = _move(REPORT_WORKFLOW.label_for(row["log_action"]), ReportStatus, row)
        object_url = _url("reporting:report-detail", object_id)
    elif kind == "decision":
        from accreditation.enums import DecisionOutcome

        what = f"Decided: {_label(DecisionOutcome, row['log_action'])} (version {row['log_to']})"
        object_url = _url("accreditation:application-detail", object_id)
    elif kind == "role":
        what = f"Granted the role {_label(ProgrammeRole, row['log_action'])}"
        object_url = _url("teams:person-detail", object_id) if object_id else ""
    elif kind == "admin":
        what, object_url, detail = _admin(row)
    else:  # gdpr
        what = _label(GdprActionKind, row["log_action"])
        object_url = _url("teams:person-detail", object_id)
    hit_id = row["log_hit_id"]
    return AuditEntry(
        kind=kind,
        kind_label=KIND_LABELS.get(kind, kind),
        when=row["log_when"],
        who=row["log_actor"] or "Unknown",
        what=what,
        object_label=object_label,
        object_url=object_url,
        hit_label=row["log_hit"] or "",
        hit_url=_url("teams:hit-detail", hit_id) if hit_id else "",
        detail=detail,
    )


def audit_page_entries(rows) -> list[AuditEntry]:
    return [_entry(row) for row in rows]
