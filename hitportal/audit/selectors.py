"""The audit log: one chronological list of the events the portal already records.

Its sources are the list SOURCES, one branch each of a single UNION query, so a page costs one
count and one fetch however many events there are (AuditLog: for a page, each branch gives only its
newest rows, read down the index on its event time):

    hit_status   teams.HITStatusChange            a HIT's status moved
    application  accreditation.ApplicationEvent   an application moved
    eoi          accreditation.EOIEvent           an expression of interest moved
    report       reporting.ReportEvent            a progress report moved
    network_round  engagement.NetworkRoundEvent   a partnership network round was planned, opened, reminded,
                                                  closed or cancelled
    decision     accreditation.Decision           a panel decision was recorded
    role         teams.RoleChange                 a programme-wide role was granted or revoked
    admin        django.contrib.admin LogEntry    something was added, changed or deleted in the admin
    gdpr         teams.GdprAction                 a person's data was exported or erased
    panel_seat   accreditation.PanelSeatEvent     someone was seated on, removed from or replaced on a panel
    account      teams.AccountInvitation          a login was created (or its invitation sent again)
    registration teams.AccountRegistration        a self-registered login was activated (verified_at)
    security     teams.SecurityEvent              a second factor was set up or removed, recovery codes made or used, a login linked to (or made by) single sign-on
    vocabulary   teams.VocabularyChange           a vocabulary term was added, renamed or switched off
    round        accreditation.RoundChange        a round was created or changed, or a panel made for it
    assignment   accreditation.ReviewAssignment   a reviewer was assigned to an application
    conflict     accreditation.ReviewAssignment   a reviewer declared their interests (declared_at)
    conflict_resolution  accreditation.ReviewAssignment  the chair dismissed, waived or recused (resolved_at)
    review       accreditation.Review             a review was submitted (status submitted)
    public_review  engagement.PublicReview        the public review group reviewed a HIT's PPI arrangements
    schedule     reporting.ReportScheduleChange   a HIT's reporting schedule was set or changed
    condition    accreditation.ConditionEvent     a condition's evidence was sent, accepted or sent back
    membership   teams.MembershipChange           someone was added to a HIT, their membership ended or their role changed
    proposed_membership  teams.ProposedMembership  a membership the accredited application proposed was dismissed
                                                  (a confirmed one is the "membership" row it added)

The assignment, conflict, conflict_resolution, review and public_review kinds read the rows the
workflow keeps, so each shows its latest state: a declaration or resolution reopened by a later
revision (docs/domain.md section 4.3), or a review of a later revision, replaces the earlier one in
the log. Scores, review summaries and public review comments are never columns of the log.

The moves (hit_status, application, eoi, report, condition) are the tables that extend
core.models.StatusEvent: `_moves` turns one into a
source from what it is about and the page it links to, and labels its rows with its workflow.
Every branch is reduced to the same columns (all annotations named `log_*`, added in the same
order, so the UNION lines them up), filtered before the union (kind, actor, HIT, dates) and
sorted once, newest first. Links are built from the ids in the row, without further queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import connection, models
from django.db.models import BigIntegerField, Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accreditation.enums import (
    ConflictDeclaration,
    ConflictResolution,
    DecisionOutcome,
    PanelRole,
    ReviewStatus,
    RoundChangeKind,
)
from accreditation.models import (
    ApplicationEvent,
    ConditionEvent,
    Decision,
    EOIEvent,
    ExpressionOfInterest,
    Panel,
    PanelSeatEvent,
    Review,
    ReviewAssignment,
    Round,
    RoundChange,
)
from core.models import StatusEvent
from engagement.models import NetworkRoundEvent, PublicReview
from hitportal.audit.permissions import can_view_audit_log
from reporting.models import ReportEvent, ReportScheduleChange
from teams.enums import (
    GdprActionKind,
    MembershipChangeKind,
    MembershipRole,
    ProgrammeRole,
    ProposalStatus,
    RoleChangeKind,
    SecurityEventKind,
    VocabularyChangeKind,
    VocabularyKind,
)
from teams.models import (
    HIT,
    AccountInvitation,
    AccountRegistration,
    GdprAction,
    HITStatusChange,
    MembershipChange,
    Person,
    ProposedMembership,
    RoleChange,
    SecurityEvent,
    User,
    VocabularyChange,
)
from teams.roles import AnyUser

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


# --- The sources -------------------------------------------------------------------------------------


# A column's source: a constant string, a field reference or an expression built from fields.
Expression = str | F | Cast | Concat | Value | Case


def _text(value: Expression | None) -> Cast:
    # Every text column is cast to one type, so PostgreSQL can line the branches up.
    if value is None or isinstance(value, str):
        value = Value(value)
    return Cast(value, TextField())


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "—"


# How a row of a source reads on the page: what happened, the link to its object, the detail.
Describe = Callable[[dict[str, Any]], tuple[str, str, str]]


@dataclass(frozen=True)
class Source:
    """One kind of event: its table, which of its fields fill the columns, and how a row reads.

    `when` and `actor` name fields (the actor a user), `hit` the path to the HIT the event belongs
    to (None: it belongs to none, so a HIT filter leaves the kind out). `only` picks the rows that
    are events of this kind (a table whose rows record several kinds, or an event not yet made).
    """

    kind: str
    label: str
    model: type[models.Model]
    when: str
    actor: str
    hit: str | None
    object_id: Expression | None
    object_label: Expression
    action: Expression
    describe: Describe
    from_status: Expression = ""
    to_status: Expression = ""
    detail: Expression = ""
    only: Q = field(default_factory=Q)

    def columns(self) -> dict[str, object]:
        return {
            "log_kind": _text(self.kind),
            "log_pk": Cast(F("pk"), BigIntegerField()),
            "log_when": F(self.when),
            "log_actor_id": Cast(F(f"{self.actor}_id"), BigIntegerField()),
            "log_actor": _text(F(f"{self.actor}__full_name")),
            "log_hit_id": Cast(F(f"{self.hit}_id") if self.hit else Value(None), BigIntegerField()),
            "log_hit": _text(F(f"{self.hit}__name") if self.hit else None),
            "log_object_id": _text(self.object_id),
            "log_object": _text(self.object_label),
            "log_action": _text(self.action),
            "log_from": _text(self.from_status),
            "log_to": _text(self.to_status),
            "log_detail": _text(self.detail),
        }

    def branch(self, condition: Q) -> QuerySet[Any, dict[str, Any]]:
        rows: QuerySet[Any, dict[str, Any]] = (
            self.model._default_manager.filter(self.only & condition)
            .order_by()
            .annotate(**self.columns())
            .values(*COLUMNS)
        )
        return rows


def _moves(
    kind: str, label: str, model: type[StatusEvent], *, about: str, hit: str, title: Expression, page: str
) -> Source:
    """The source of a StatusEvent table whose rows are about `about` (its foreign key), titled by
    `title` and linked to the page named `page`; its workflow labels the actions and states."""
    workflow = model.workflow

    def describe(row: dict[str, Any]) -> tuple[str, str, str]:
        what = workflow.label_for(row["log_action"])
        if row["log_from"] != row["log_to"]:  # an event that did not change the status reads as its action
            what = f"{what}: {workflow.state_label(row['log_from'])} → {workflow.state_label(row['log_to'])}"
        return what, _url(page, row["log_object_id"]), row["log_detail"] or ""

    return Source(
        kind,
        label,
        model,
        when="created_at",
        actor="actor",
        hit=hit,
        object_id=F(f"{about}_id"),
        object_label=title,
        action=F("action"),
        describe=describe,
        from_status=F("from_status"),
        to_status=F("to_status"),
        detail=F("comment"),
    )


def _decision(row: dict[str, Any]) -> tuple[str, str, str]:
    what = f"Decided: {_label(DecisionOutcome, row['log_action'])} (version {row['log_to']})"
    return what, _url("accreditation:application-detail", row["log_object_id"]), row["log_detail"] or ""


def _person_url(row: dict[str, Any]) -> str:
    object_id = row["log_object_id"]
    return _url("teams:person-detail", object_id) if object_id else ""


def _role(row: dict[str, Any]) -> tuple[str, str, str]:
    verb = "Revoked" if row["log_to"] == RoleChangeKind.REVOKED else "Granted"
    return f"{verb} the role {_label(ProgrammeRole, row['log_action'])}", _person_url(row), ""


def _account(row: dict[str, Any]) -> tuple[str, str, str]:
    return "Login created or invitation sent to set a password", _person_url(row), ""


def _security(row: dict[str, Any]) -> tuple[str, str, str]:
    return _label(SecurityEventKind, row["log_action"]), _person_url(row), ""


def _registration(row: dict[str, Any]) -> tuple[str, str, str]:
    return "Login created (self-registration)", _person_url(row), ""


def _round(row: dict[str, Any]) -> tuple[str, str, str]:
    what = _label(RoundChangeKind, row["log_action"])
    return what, _url("accreditation:round-detail", row["log_object_id"]), row["log_detail"] or ""


def _vocabulary(row: dict[str, Any]) -> tuple[str, str, str]:
    what = f"{_label(VocabularyChangeKind, row['log_action'])} in {_label(VocabularyKind, row['log_from'])}"
    return what, _url("teams:vocabulary-list", row["log_from"]), row["log_detail"] or ""


_ADMIN_FLAGS = {str(ADDITION): "Added", str(CHANGE): "Changed", str(DELETION): "Deleted"}


def _admin(row: dict[str, Any]) -> tuple[str, str, str]:
    """What, link and detail of an admin LogEntry row (its change message decoded without a query)."""
    app_label, _, model = (row["log_from"] or "").partition(".")
    flag = _ADMIN_FLAGS.get(row["log_action"], "Changed")
    entry = LogEntry(action_flag=int(row["log_action"] or CHANGE), change_message=row["log_detail"] or "")
    url = "" if flag == "Deleted" else _url(f"admin:{app_label}_{model}_change", row["log_object_id"])
    return f"{flag} in the admin site ({model or 'object'})", url, entry.get_change_message()


def _gdpr(row: dict[str, Any]) -> tuple[str, str, str]:
    url = _url("teams:person-detail", row["log_object_id"])
    return _label(GdprActionKind, row["log_action"]), url, row["log_detail"] or ""


def _seat(row: dict[str, Any]) -> tuple[str, str, str]:
    """A panel seat change: `log_action` is "<change>:<role>", `log_from` who left or was seated,
    `log_to` their successor."""
    change, _, role = (row["log_action"] or "").partition(":")
    seat = _label(PanelRole, role).lower()
    if change == "replaced":
        what = f"Replaced {row['log_from']} with {row['log_to']} as {seat}"
    elif change == "removed":
        what = f"Removed {row['log_from']} as {seat}"
    else:
        what = f"Seated {row['log_from']} as {seat}"
    return what, _url("accreditation:panel-detail", row["log_object_id"]), row["log_detail"] or ""


def _application_url(row: dict[str, Any]) -> str:
    return _url("accreditation:application-detail", row["log_object_id"])


def _assignment(row: dict[str, Any]) -> tuple[str, str, str]:
    """`log_from` the reviewer, `log_to` "lay" for a lay reviewer, `log_detail` the flags."""
    role = "lay reviewer" if row["log_to"] == "lay" else "reviewer"
    flagged = ", ".join((row["log_detail"] or "").splitlines())
    detail = f"Flagged: {flagged}" if flagged else ""
    return f"Assigned {row['log_from']} as {role}", _application_url(row), detail


def _conflict(row: dict[str, Any]) -> tuple[str, str, str]:
    if row["log_action"] == ConflictDeclaration.DECLARED:
        what = "Declared a conflict of interest"
    else:
        what = "Declared no conflict of interest"
    return what, _application_url(row), row["log_detail"] or ""


def _resolution(row: dict[str, Any]) -> tuple[str, str, str]:
    """`log_from` the reviewer whose conflict the chair resolved."""
    what = (
        f"Conflict of interest of {row['log_from']}: {_label(ConflictResolution, row['log_action']).lower()}"
    )
    return what, _application_url(row), row["log_detail"] or ""


def _review(row: dict[str, Any]) -> tuple[str, str, str]:
    role = "lay review" if row["log_to"] == "lay" else "review"
    return f"Submitted a {role} of version {row['log_from']}", _application_url(row), ""


def _public_review(row: dict[str, Any]) -> tuple[str, str, str]:
    return (
        "Recorded a public review of the PPI arrangements",
        _url("teams:hit-detail", row["log_object_id"]),
        "",
    )


def _schedule(row: dict[str, Any]) -> tuple[str, str, str]:
    what = (
        "Set the reporting schedule" if row["log_action"] == "created" else "Changed the reporting schedule"
    )
    return what, _url("reporting:report-schedule", row["log_object_id"]), row["log_detail"] or ""


def _membership(row: dict[str, Any]) -> tuple[str, str, str]:
    """`log_object` the person, `log_hit` the HIT, `log_to` the role (`log_from` the role before)."""
    person, hit = row["log_object"] or "someone", row["log_hit"] or "the HIT"
    role = _label(MembershipRole, row["log_to"]).lower()
    if row["log_action"] == MembershipChangeKind.ENDED:
        what = f"Ended {person}'s membership as {role} of {hit}"
    elif row["log_action"] == MembershipChangeKind.ROLE_CHANGED:
        before = _label(MembershipRole, row["log_from"]).lower()
        what = f"Changed {person}'s role in {hit} from {before} to {role}"
    else:
        what = f"Added {person} as {role} of {hit}"
    return what, _url("teams:member-list", row["log_object_id"]), row["log_detail"] or ""


def _proposal(row: dict[str, Any]) -> tuple[str, str, str]:
    """A dismissed proposal: `log_object` the name as the application wrote it, `log_to` the role,
    `log_detail` which application proposed it."""
    role = _label(MembershipRole, row["log_to"]).lower()
    what = f"Dismissed {row['log_object']} as {role} of {row['log_hit'] or 'the HIT'}, proposed by the application"
    return what, _url("teams:proposed-memberships", row["log_object_id"]), row["log_detail"] or ""


def _lay(path: str) -> Case:
    return Case(When(**{path: True}, then=Value("lay")), default=Value(""), output_field=TextField())


def _titled(prefix: str, name: str) -> Concat:
    return Concat(Value(prefix), F(name), output_field=TextField())


SOURCES: tuple[Source, ...] = (
    _moves(
        "hit_status",
        "HIT status",
        HITStatusChange,
        about="hit",
        hit="hit",
        title=F("hit__name"),
        page="teams:hit-detail",
    ),
    _moves(
        "application",
        "Application",
        ApplicationEvent,
        about="application",
        hit="application__hit",
        title=_titled("Application of ", "application__hit__name"),
        page="accreditation:application-detail",
    ),
    _moves(
        "eoi",
        "Expression of interest",
        EOIEvent,
        about="eoi",
        hit="eoi__hit",
        title=F("eoi__working_title"),
        page="accreditation:eoi-detail",
    ),
    _moves(
        "condition",
        "Accreditation condition",
        ConditionEvent,
        about="condition",
        hit="condition__decision__application__hit",
        title=_titled("Condition of ", "condition__decision__application__hit__name"),
        page="accreditation:condition-review",
    ),
    _moves(
        "report",
        "Progress report",
        ReportEvent,
        about="report",
        hit="report__hit",
        title=_titled("Progress report of ", "report__hit__name"),
        page="reporting:report-detail",
    ),
    _moves(
        "network_round",
        "Partnership network round",
        NetworkRoundEvent,
        about="network_round",
        hit="network_round__hit",
        title=_titled("Network round of ", "network_round__hit__name"),
        page="engagement:network-round",
    ),
    Source(
        "decision",
        "Panel decision",
        Decision,
        when="decided_at",
        actor="decided_by",
        hit="application__hit",
        object_id=F("application_id"),
        object_label=_titled("Application of ", "application__hit__name"),
        action=F("outcome"),
        describe=_decision,
        to_status=Cast(F("revision_number"), TextField()),
        detail=F("rationale"),
    ),
    Source(
        "role",
        "Programme role",
        RoleChange,
        when="created_at",
        actor="actor",
        hit=None,
        object_id=F("user__person__id"),
        object_label=F("user__full_name"),
        action=F("role"),
        describe=_role,
        to_status=F("change"),
    ),
    Source(
        "admin",
        "Admin site change",
        LogEntry,
        when="action_time",
        actor="user",
        hit=None,
        object_id=F("object_id"),
        object_label=F("object_repr"),
        action=Cast(F("action_flag"), TextField()),
        describe=_admin,
        from_status=Concat(
            F("content_type__app_label"), Value("."), F("content_type__model"), output_field=TextField()
        ),
        detail=F("change_message"),
    ),
    Source(
        "gdpr",
        "Data protection",
        GdprAction,
        when="created_at",
        actor="actor",
        hit=None,
        object_id=F("person_number"),
        object_label=Concat(
            Value("Person #"), Cast(F("person_number"), TextField()), output_field=TextField()
        ),
        action=F("action"),
        describe=_gdpr,
        detail=F("reason"),
    ),
    Source(
        "panel_seat",
        "Panel seat",
        PanelSeatEvent,
        when="created_at",
        actor="actor",
        hit=None,
        object_id=F("panel_id"),
        object_label=F("panel__name"),
        action=Concat(F("change"), Value(":"), F("role"), output_field=TextField()),
        describe=_seat,
        from_status=F("user__full_name"),
        to_status=F("successor__full_name"),
        detail=F("comment"),
    ),
    Source(
        "account",
        "Login created",
        AccountInvitation,
        when="created_at",
        actor="invited_by",
        hit=None,
        object_id=F("user__person__id"),
        object_label=F("user__full_name"),
        action="invited",
        describe=_account,
    ),
    Source(
        "registration",
        "Login created (self-registration)",
        AccountRegistration,
        # A registered login exists for the portal once its owner activates it; the owner is the actor.
        when="verified_at",
        actor="user",
        hit=None,
        object_id=F("user__person__id"),
        object_label=F("user__full_name"),
        action="activated",
        describe=_registration,
        only=Q(verified_at__isnull=False),
    ),
    Source(
        "security",
        "Second factor and single sign-on",
        SecurityEvent,
        when="created_at",
        actor="actor",
        hit=None,
        object_id=F("user__person__id"),
        object_label=F("user__full_name"),
        action=F("kind"),
        describe=_security,
    ),
    Source(
        "round",
        "Round",
        RoundChange,
        when="created_at",
        actor="actor",
        hit=None,
        object_id=F("round_id"),
        object_label=F("round__name"),
        action=F("change"),
        describe=_round,
        detail=F("detail"),
    ),
    Source(
        "vocabulary",
        "Vocabulary",
        VocabularyChange,
        when="created_at",
        actor="actor",
        hit=None,
        object_id=F("term_id"),
        object_label=F("term_name"),
        action=F("change"),
        describe=_vocabulary,
        from_status=F("vocabulary"),
        detail=F("detail"),
    ),
    Source(
        "assignment",
        "Review assignment",
        ReviewAssignment,
        when="created_at",
        actor="assigned_by",
        hit="application__hit",
        object_id=F("application_id"),
        object_label=_titled("Application of ", "application__hit__name"),
        action="assigned",
        describe=_assignment,
        from_status=F("reviewer__full_name"),
        to_status=_lay("is_lay"),
        detail=F("flagged_organisations"),
    ),
    Source(
        "conflict",
        "Conflict of interest declared",
        ReviewAssignment,
        when="declared_at",
        actor="reviewer",
        hit="application__hit",
        object_id=F("application_id"),
        object_label=_titled("Application of ", "application__hit__name"),
        action=F("declaration"),
        describe=_conflict,
        detail=F("declaration_note"),
        only=Q(declared_at__isnull=False),
    ),
    Source(
        "conflict_resolution",
        "Conflict of interest resolved",
        ReviewAssignment,
        when="resolved_at",
        actor="resolved_by",
        hit="application__hit",
        object_id=F("application_id"),
        object_label=_titled("Application of ", "application__hit__name"),
        action=F("resolution"),
        describe=_resolution,
        from_status=F("reviewer__full_name"),
        detail=F("resolution_note"),
        only=Q(resolved_at__isnull=False),
    ),
    Source(
        "review",
        "Review submitted",
        Review,
        when="submitted_at",
        actor="assignment__reviewer",
        hit="assignment__application__hit",
        object_id=F("assignment__application_id"),
        object_label=_titled("Application of ", "assignment__application__hit__name"),
        action=F("status"),
        describe=_review,
        from_status=Cast(F("revision_number"), TextField()),
        to_status=_lay("assignment__is_lay"),
        only=Q(status=ReviewStatus.SUBMITTED, submitted_at__isnull=False),
    ),
    Source(
        "public_review",
        "Public review",
        PublicReview,
        when="created_at",
        actor="reviewer",
        hit="hit",
        object_id=F("hit_id"),
        object_label=F("hit__name"),
        action="reviewed",
        describe=_public_review,
    ),
    Source(
        "schedule",
        "Reporting schedule",
        ReportScheduleChange,
        when="created_at",
        actor="actor",
        hit="hit",
        object_id=F("hit_id"),
        object_label=_titled("Reporting schedule of ", "hit__name"),
        action=Case(
            When(created=True, then=Value("created")), default=Value("changed"), output_field=TextField()
        ),
        describe=_schedule,
        detail=F("detail"),
    ),
    Source(
        "membership",
        "HIT membership",
        MembershipChange,
        when="created_at",
        actor="actor",
        hit="membership__hit",
        object_id=F("membership__hit_id"),
        object_label=F("membership__person__full_name"),
        action=F("change"),
        describe=_membership,
        from_status=F("from_role"),
        to_status=F("role"),
        detail=F("comment"),
    ),
    Source(
        "proposed_membership",
        "Proposed membership",
        ProposedMembership,
        when="decided_at",
        actor="decided_by",
        hit="hit",
        object_id=F("hit_id"),
        object_label=F("name_as_written"),
        action=F("status"),
        describe=_proposal,
        to_status=F("role"),
        detail=F("source_label"),
        only=Q(status=ProposalStatus.DISMISSED),
    ),
)
_BY_KIND = {source.kind: source for source in SOURCES}
KINDS = tuple((source.kind, source.label) for source in SOURCES)
KIND_LABELS = dict(KINDS)


@dataclass(frozen=True)
class AuditFilter:
    kind: str = ""
    actor: str = ""  # part of the actor's name or email address
    hit_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _conditions(source: Source, filters: AuditFilter) -> Q:
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
    return condition


ORDERING = ("-log_when", "log_kind", "-log_pk")


class AuditLog:
    """The events a filter selects, newest first: a sequence that a Paginator pages.

    `count()` is one query over the matching rows' ids alone (no joins unless a filter needs one). A
    slice is one UNION query in which each source gives only its newest rows, as many as the slice's end
    (read down its timestamp index where the source has one), so the first pages cost the same however
    long the log grows; a page further on costs what it skips, as any numbered paging does. Iterating
    gives every event. Empty for anyone but a programme manager.
    """

    def __init__(self, sources: list[Source], filters: AuditFilter) -> None:
        self._parts = [(source, _conditions(source, filters)) for source in sources]
        self._count: int | None = None

    def _union(self, limit: int | None = None) -> QuerySet[Any, dict[str, Any]]:
        branches = []
        for source, condition in self._parts:
            branch = source.branch(condition)
            if limit is not None and len(self._parts) > 1:
                branch = branch.order_by(F(source.when).desc(), F("pk").desc())[:limit]
            branches.append(branch)
        first, *rest = branches
        combined = first.union(*rest, all=True) if rest else first
        return combined.order_by(*ORDERING)

    def count(self) -> int:
        if self._count is None:
            if not self._parts:
                self._count = 0
            else:
                ids = [
                    source.model._default_manager.filter(source.only & condition).order_by().values_list("pk")
                    for source, condition in self._parts
                ]
                first, *rest = ids
                self._count = (first.union(*rest, all=True) if rest else first).count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._union() if self._parts else [])

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("The audit log is read a page (a slice) at a time.")
        start, stop = index.start or 0, index.stop
        if not self._parts or (stop is not None and stop <= start):
            return []
        # A database that cannot limit the branches of a UNION (SQLite) sorts them whole.
        limited = stop is not None and connection.features.supports_slicing_ordering_in_compound
        return list(self._union(stop if limited else None)[start:stop])


def audit_entries(*, user: AnyUser, filters: AuditFilter | None = None) -> AuditLog:
    """The audit events matching `filters`, newest first, as rows of the COLUMNS (see AuditLog).

    Empty for anyone but a programme manager. A HIT filter leaves out the kinds that belong to no
    HIT (roles, logins, vocabularies, admin changes, data protection requests, panel seats).
    """
    filters = filters or AuditFilter()
    if not can_view_audit_log(user):
        return AuditLog([], filters)
    selected = [_BY_KIND[filters.kind]] if filters.kind in _BY_KIND else list(SOURCES)
    return AuditLog(
        [source for source in selected if filters.hit_id is None or source.hit is not None], filters
    )


#: The tables whose names the log's rows show (who did it, the HIT, the object's title).
NAMED: tuple[type[models.Model], ...] = (User, HIT, Person, Panel, Round, ExpressionOfInterest)


#: Every table the log reads: each source's events and the tables whose names its rows show (tracked by
#: core.versions in HitportalConfig.ready).
AUDIT_LOG_SOURCES: tuple[type[models.Model], ...] = tuple(
    dict.fromkeys([*(source.model for source in SOURCES), *NAMED])
)


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


def _entry(row: dict[str, Any]) -> AuditEntry:
    kind = row["log_kind"]
    what, object_url, detail = _BY_KIND[kind].describe(row)
    hit_id = row["log_hit_id"]
    return AuditEntry(
        kind=kind,
        kind_label=KIND_LABELS.get(kind, kind),
        when=row["log_when"],
        who=row["log_actor"] or "System",  # no user: a scheduled job or a command
        what=what,
        object_label=row["log_object"] or "",
        object_url=object_url,
        hit_label=row["log_hit"] or "",
        hit_url=_url("teams:hit-detail", hit_id) if hit_id else "",
        detail=detail,
    )


def audit_page_entries(rows: Iterable[dict[str, Any]]) -> list[AuditEntry]:
    return [_entry(row) for row in rows]
