"""Rounds (calls) and their review panels."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accreditation.enums import (
    ApplicationKind,
    ApplicationStatus,
    ConditionStatus,
    ConflictDeclaration,
    ConflictResolution,
    DecisionOutcome,
    EOIStatus,
    FeedbackStatus,
    PanelRole,
    PanelSeatChange,
    Recommendation,
    ReviewStatus,
    RoundChangeKind,
)
from accreditation.workflow import (
    APPLICATION_WORKFLOW,
    CONDITION_WORKFLOW,
    EOI_WORKFLOW,
    FINAL_APPLICATION_STATES,
)
from core.models import StatusEvent, TimeStampedModel, choices_constraint
from core.validators import LONG_TEXT, SHORT_TEXT, validate_date_in_range


class Round(TimeStampedModel):
    """A call for HITs: opening date, deadlines, guidance and review parameters (docs/domain.md section 3)."""

    name = models.CharField(max_length=200, unique=True)
    opens_on = models.DateField(validators=[validate_date_in_range])
    eoi_deadline = models.DateField("EOI deadline", validators=[validate_date_in_range])
    application_deadline = models.DateField(validators=[validate_date_in_range])
    guidance = models.TextField(blank=True, max_length=LONG_TEXT)
    reviewers_per_application = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    accreditation_term_years = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(eoi_deadline__gte=F("opens_on")) & Q(application_deadline__gte=F("eoi_deadline")),
                name="accreditation_round_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(reviewers_per_application__gte=1), name="accreditation_round_reviewers_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.application_deadline


class Panel(TimeStampedModel):
    """The steering-group panel that reviews one round's applications."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="panels")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["round", "name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="accreditation_panel_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.round})"


class PanelMember(TimeStampedModel):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_memberships"
    )
    role = models.CharField(max_length=16, choices=PanelRole.choices)

    class Meta:
        ordering = ["panel", "role", "user__full_name"]
        constraints = [
            choices_constraint("role", PanelRole, "accreditation_panelmember_role_valid"),
            models.UniqueConstraint(fields=["panel", "user"], name="accreditation_panelmember_unique_user"),
            models.UniqueConstraint(
                fields=["panel"], condition=Q(role=PanelRole.CHAIR), name="accreditation_panel_one_chair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} of {self.panel}"


class RoundChange(models.Model):
    """A round made or changed, or a panel made for it: by whom, when and what (each changed field
    before and after). Append-only; the audit log lists it (docs/domain.md section 3.8)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="changes")
    panel = models.ForeignKey(Panel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    change = models.CharField(max_length=16, choices=RoundChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.TextField(blank=True, max_length=LONG_TEXT)
    # A default, not auto_now_add, so a row can be written with an earlier time (demo data, tests).
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("change", RoundChangeKind, "accreditation_roundchange_change_valid")
        ]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.round_id}"


class PanelSeatEvent(models.Model):
    """One change to a panel's seats (docs/domain.md section 3.8): who was seated, removed or replaced,
    in which role, by whom and why. Append-only: it stays when the seat (a PanelMember row) is gone,
    and the audit log lists it."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="seat_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who took the seat over, for a replacement.",
    )
    role = models.CharField(max_length=16, choices=PanelRole.choices)
    change = models.CharField(max_length=16, choices=PanelSeatChange.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True, max_length=LONG_TEXT)
    # A default, not auto_now_add, so a row can be written with an earlier time (demo data, tests).
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("role", PanelRole, "accreditation_seatevent_role_valid"),
            choices_constraint("change", PanelSeatChange, "accreditation_seatevent_change_valid"),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(change=PanelSeatChange.REPLACED),
                name="accreditation_seatevent_successor_only_when_replaced",
            ),
        ]
        indexes = [
            # The panel page lists a panel's seat history, newest first.
            models.Index(fields=["panel", "created_at"], name="accr_seatevent_panel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.user_id} ({self.get_role_display()}) on {self.panel_id}"


# --- Expressions of interest -------------------------------------------------------------------------


class ExpressionOfInterest(TimeStampedModel):
    """A would-be HIT's first approach to a round (docs/domain.md section 3). Moves only through services."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="eois")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="eois")
    working_title = models.CharField(max_length=200)
    problem = models.TextField("the problem", blank=True, max_length=LONG_TEXT)
    boundaries = models.TextField(
        "boundaries it crosses",
        blank=True,
        help_text="Which organisations, sectors or professions the problem spans.",
        max_length=LONG_TEXT,
    )
    proposed_director = models.CharField(max_length=200, blank=True, help_text="Name and organisation.")
    known_risks = models.TextField(
        blank=True,
        help_text="For example a history of competition between partners, or capacity pressures.",
        max_length=LONG_TEXT,
    )
    status = models.CharField(max_length=16, choices=EOIStatus.choices, default=EOIStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=SHORT_TEXT)
    hit = models.OneToOneField(
        "teams.HIT", on_delete=models.SET_NULL, null=True, blank=True, related_name="expression_of_interest"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "expression of interest"
        verbose_name_plural = "expressions of interest"
        constraints = [choices_constraint("status", EOIStatus, "accreditation_eoi_status_valid")]
        indexes = [models.Index(fields=["round", "status"], name="accreditation_eoi_round_idx")]

    def __str__(self) -> str:
        return self.working_title


class EOIPartner(TimeStampedModel):
    eoi = models.ForeignKey(ExpressionOfInterest, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "teams.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation_name = models.CharField(
        max_length=200, blank=True, help_text="If the organisation is not in the directory yet."
    )
    category = models.ForeignKey("teams.StakeholderCategory", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(organisation_name=""),
                name="accreditation_eoipartner_names_an_organisation",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.organisation_name)


class EOIEvent(StatusEvent):
    """One recorded move of an expression of interest: actor, action, from, to, comment, time."""

    workflow = EOI_WORKFLOW

    eoi = models.ForeignKey(ExpressionOfInterest, on_delete=models.CASCADE, related_name="events")

    def __str__(self) -> str:
        return f"{self.eoi}: {self.from_status} -> {self.to_status}"


# --- Applications and revisions ----------------------------------------------------------------------


class Application(TimeStampedModel):
    """A HIT's structured application to a round; goes round the feedback loop until decided."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.PROTECT, related_name="applications")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(max_length=16, choices=ApplicationKind.choices, default=ApplicationKind.NEW)
    renewal_of = models.ForeignKey(
        "Accreditation", on_delete=models.PROTECT, null=True, blank=True, related_name="renewals"
    )
    status = models.CharField(
        max_length=32, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    version = models.PositiveIntegerField(
        default=1, help_text="The revision being drafted or last submitted."
    )
    director = models.ForeignKey(
        "teams.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="directed_applications"
    )
    executive_sponsor = models.ForeignKey(
        "teams.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="sponsored_applications"
    )
    sponsor_confirmed_at = models.DateTimeField(null=True, blank=True)
    sponsor_confirmed_for = models.ForeignKey(
        "teams.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The sponsor who confirmed; a change of sponsor needs a new confirmation.",
    )
    host_organisation = models.ForeignKey(
        "teams.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    host_unit = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            choices_constraint("status", ApplicationStatus, "accreditation_application_status_valid"),
            choices_constraint("kind", ApplicationKind, "accreditation_application_kind_valid"),
            # One open application per HIT at a time.
            models.UniqueConstraint(
                fields=["hit"],
                condition=~Q(status__in=sorted(FINAL_APPLICATION_STATES)),
                name="accreditation_application_one_open_per_hit",
            ),
            models.CheckConstraint(
                condition=Q(renewal_of__isnull=True) | Q(kind=ApplicationKind.RENEWAL),
                name="accreditation_application_renewal_links_accreditation",
            ),
        ]
        indexes = [
            # The chair's round board groups one round's applications by status.
            models.Index(fields=["round", "status"], name="accreditation_app_round_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.hit} ({self.round})"

    @property
    def sponsor_confirmed(self) -> bool:
        return (
            self.sponsor_confirmed_at is not None
            and self.executive_sponsor_id is not None
            and self.sponsor_confirmed_for_id == self.executive_sponsor_id
        )


class ApplicationSection(TimeStampedModel):
    """The applicant's working copy of one section; frozen into a Revision at each submit."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=40)
    data = models.JSONField(default=dict)
    is_complete = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["application", "key"]
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="accreditation_section_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.key}"


class StakeholderPlanRow(TimeStampedModel):
    """One line of "who needs to be involved, how, and for what outcome"."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stakeholder_rows")
    organisation = models.ForeignKey(
        "teams.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stakeholder = models.CharField(
        max_length=200, blank=True, help_text="A person, group or organisation not in the directory."
    )
    category = models.ForeignKey("teams.StakeholderCategory", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("how they are involved", max_length=300)
    outcome = models.CharField("for what outcome", max_length=300)
    depth = models.PositiveSmallIntegerField(
        "planned depth",
        default=1,
        help_text="0 none, 1 informed or consulted, 2 member of a HIT group, 3 leadership or decision role.",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(stakeholder=""),
                name="accreditation_stakeholderrow_names_someone",
            ),
            models.CheckConstraint(condition=Q(depth__lte=3), name="accreditation_stakeholderrow_depth_0_3"),
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.stakeholder)


class Revision(models.Model):
    """Revision N of an application, frozen at submit: every section and the stakeholder table."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    sections = models.JSONField(default=dict)
    stakeholders = models.JSONField(default=list)
    governance = models.JSONField(default=dict)
    organisation_count = models.PositiveIntegerField(default=0)
    category_count = models.PositiveIntegerField(default=0)
    feedback_responses = models.JSONField(
        default=list, help_text="The applicant's answers to the previous feedback, frozen with this revision."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    coverage = models.ForeignKey(
        "engagement.CoverageSnapshot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The coverage this revision's stakeholder table plans, stored at submit.",
    )

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="accreditation_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"


class ApplicationEvent(StatusEvent):
    """One recorded move of an application: actor, action, from, to, comment, time. Besides the
    moves it records the sponsor's confirmation and the start of a renewal."""

    workflow = APPLICATION_WORKFLOW

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status} -> {self.to_status}"


# --- Review ------------------------------------------------------------------------------------------


class ReviewAssignment(TimeStampedModel):
    """A panel member asked to review one application, with their conflict-of-interest state."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    is_lay = models.BooleanField(
        default=False, help_text="A lay (public review group) reviewer judges the PPI plan."
    )
    due_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flagged_organisations = models.TextField(
        blank=True,
        help_text="Organisations named in the application that the reviewer is affiliated with.",
        max_length=LONG_TEXT,
    )
    declaration = models.CharField(
        max_length=16, choices=ConflictDeclaration.choices, default=ConflictDeclaration.PENDING
    )
    declaration_note = models.TextField(blank=True, max_length=SHORT_TEXT)
    declared_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(
        max_length=16, choices=ConflictResolution.choices, default=ConflictResolution.OPEN
    )
    resolution_note = models.TextField(blank=True, max_length=SHORT_TEXT)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            choices_constraint(
                "declaration", ConflictDeclaration, "accreditation_assignment_declaration_valid"
            ),
            choices_constraint("resolution", ConflictResolution, "accreditation_assignment_resolution_valid"),
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="accreditation_assignment_unique"
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "due_on"], name="accr_assignment_reviewer_idx")]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application}"

    @property
    def has_conflict(self) -> bool:
        return bool(self.flagged_organisations) or self.declaration == ConflictDeclaration.DECLARED

    @property
    def conflict_unresolved(self) -> bool:
        """A flagged or declared conflict the chair has not dismissed or waived, or a recusal."""
        if self.resolution == ConflictResolution.RECUSED:
            return True
        return self.has_conflict and self.resolution not in (
            ConflictResolution.DISMISSED,
            ConflictResolution.WAIVED,
        )

    @property
    def may_open_application(self) -> bool:
        """Reviewers declare before they read; a conflict blocks reading until the chair clears it."""
        return self.declaration != ConflictDeclaration.PENDING and not self.conflict_unresolved


class Review(TimeStampedModel):
    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    revision_number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    recommendation = models.CharField(max_length=32, choices=Recommendation.choices, blank=True)
    summary = models.TextField(blank=True, max_length=LONG_TEXT)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            choices_constraint("status", ReviewStatus, "accreditation_review_status_valid"),
            models.CheckConstraint(
                condition=Q(recommendation="") | Q(recommendation__in=Recommendation.values),
                name="accreditation_review_recommendation_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Review by {self.assignment.reviewer_id} of v{self.revision_number}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(max_length=8)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["review", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="accreditation_score_unique_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=3), name="accreditation_score_0_3"
            ),
        ]

    # --- Feedback, decisions, accreditation --------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class FeedbackDocument(TimeStampedModel):
    """The chair's consolidated feedback on one revision, released to the applicants."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="feedback_documents")
    revision_number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summary = models.TextField(blank=True, max_length=LONG_TEXT)
    status = models.CharField(max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.DRAFT)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "revision_number"]
        constraints = [
            choices_constraint("status", FeedbackStatus, "accreditation_feedback_status_valid"),
            models.UniqueConstraint(
                fields=["application", "revision_number"], name="accreditation_feedback_one_per_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.application} v{self.revision_number}"


class FeedbackPoint(TimeStampedModel):
    document = models.ForeignKey(FeedbackDocument, on_delete=models.CASCADE, related_name="points")
    section = models.SlugField(max_length=40)
    text = models.TextField(max_length=SHORT_TEXT)
    quoted_comment = models.TextField(
        blank=True, help_text="A reviewer's comment, quoted without their name.", max_length=LONG_TEXT
    )
    response = models.TextField(
        blank=True, help_text="The applicant's answer, written while revising.", max_length=LONG_TEXT
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return f"{self.section}: {self.text[:40]}"


class Decision(TimeStampedModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    revision_number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=32, choices=DecisionOutcome.choices)
    rationale = models.TextField(max_length=LONG_TEXT)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            choices_constraint("outcome", DecisionOutcome, "accreditation_decision_outcome_valid"),
            # Two chairs deciding at once: the database keeps exactly one decision per revision.
            models.UniqueConstraint(
                fields=["application", "revision_number"], name="accreditation_decision_one_per_revision"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="accreditation_decision_has_rationale"),
        ]
        # The audit log reads the decisions newest first, a page at a time.
        indexes = [models.Index(fields=["decided_at", "id"], name="accreditation_decision_when")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"


class Condition(TimeStampedModel):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField(max_length=SHORT_TEXT)
    owner = models.ForeignKey("teams.Person", on_delete=models.PROTECT, related_name="conditions")
    due_on = models.DateField(validators=[validate_date_in_range])
    evidence = models.TextField(blank=True, max_length=SHORT_TEXT)
    # open -> awaiting_acceptance (evidence sent) -> closed (a programme manager accepted it) or back
    # to open (sent back with a reason); the moves are ConditionEvents (CONDITION_WORKFLOW).
    status = models.CharField(max_length=24, choices=ConditionStatus.choices, default=ConditionStatus.OPEN)
    # When it was accepted, and by whom (the programme manager): set exactly when closed.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The one reminder before the due date (CONDITION_REMINDER_DAYS), claimed so it is sent once.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(evidence=""),
                name="accreditation_condition_closed_with_evidence",
            ),
            choices_constraint("status", ConditionStatus, "accreditation_condition_status_valid"),
            models.CheckConstraint(
                condition=Q(status=ConditionStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=ConditionStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="accreditation_condition_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ConditionEvent(StatusEvent):
    """One move of a condition: evidence sent, accepted or sent back (with the reason), by whom, when."""

    workflow = CONDITION_WORKFLOW

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="events")

    def __str__(self) -> str:
        return f"{self.condition}: {self.from_status} -> {self.to_status}"


class Accreditation(TimeStampedModel):
    """An accreditation with its validity dates; "current" is derived from the dates."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.PROTECT, related_name="accreditations")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="accreditation")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="accreditation")
    valid_from = models.DateField(validators=[validate_date_in_range])
    valid_until = models.DateField(validators=[validate_date_in_range])
    reminded_6_months_at = models.DateTimeField(null=True, blank=True)
    reminded_1_month_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")), name="accreditation_accreditation_dates_ordered"
            )
        ]
        indexes = [models.Index(fields=["valid_until"], name="accreditation_valid_until_idx")]

    def __str__(self) -> str:
        return f"{self.hit}: {self.valid_from} to {self.valid_until}"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_until


class RoundCalibration(models.Model):
    """The worker's reviewer calibration of one round (docs/domain.md section 7.5), as the round board
    reads it: per application its raw mean total and calibrated score.

    Written only by accreditation.services.calibration.round_calibration_recompute, after a review of
    the round is submitted, reopened or removed, an assignment changes, or an application moves to a
    new version, and for every open round nightly. `results` is the list of
    {"application", "raw", "calibrated", "reviews", "calibrated_reviews"}; `inputs_fingerprint` is the
    sha256 of the review totals it was computed from, so a recompute of unchanged totals writes nothing.
    A round without a row has never been computed: the board says so instead of showing no order."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="calibration")
    results = models.JSONField(default=list)
    inputs_fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calibration of round {self.round_id} at {self.computed_at:%Y-%m-%d %H:%M}"
