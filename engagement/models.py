"""Stakeholder maps, PPI, readiness surveys, the maturity matrix and the stored scores."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import StatusEvent, TimeStampedModel, choices_constraint
from core.validators import LONG_TEXT, SHORT_TEXT, validate_date_in_range
from engagement.domain.quality import item_flags, reliability_flags
from engagement.enums import (
    ActionStatus,
    ActivityType,
    CollaborationLevel,
    DecisionForum,
    Depth,
    Dimension,
    InvolvementLevel,
    MaturityLevel,
    NetworkRoundStatus,
    NetworkSource,
    PPIStandard,
    Recognition,
    RoleGroup,
    ScoreKind,
    StakeholderSource,
    StandardRating,
    SupportStatus,
)
from engagement.workflow import NETWORK_ROUND_WORKFLOW

# --- Stakeholder map ---------------------------------------------------------------------------------


class Stakeholder(TimeStampedModel):
    """Someone, or some organisation, at the HIT's table: category, depth and dates.

    Rows from memberships and from the accredited application's stakeholder table are kept in step
    by engagement.services (source + source_key), so nothing is typed twice.
    """

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="stakeholders")
    person = models.ForeignKey(
        "teams.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="stakeholder_links"
    )
    organisation = models.ForeignKey(
        "teams.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stakeholder_links",
    )
    category = models.ForeignKey("teams.StakeholderCategory", on_delete=models.PROTECT, related_name="+")
    depth = models.PositiveSmallIntegerField(choices=Depth.choices, default=Depth.INFORMED)
    role = models.CharField("role in the HIT's structures", max_length=300, blank=True)
    start_date = models.DateField(default=timezone.localdate, validators=[validate_date_in_range])
    end_date = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    evidence = models.TextField("evidence note", blank=True, max_length=SHORT_TEXT)
    source = models.CharField(
        max_length=16, choices=StakeholderSource.choices, default=StakeholderSource.MANUAL
    )
    source_key = models.CharField(
        max_length=64, blank=True, help_text="Which membership or table row fed it."
    )

    class Meta:
        ordering = ["hit", "category__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(organisation__isnull=False),
                name="engagement_stakeholder_person_or_organisation",
            ),
            models.CheckConstraint(condition=Q(depth__lte=3), name="engagement_stakeholder_depth_0_3"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="engagement_stakeholder_dates_ordered",
            ),
            choices_constraint("source", StakeholderSource, "engagement_stakeholder_source_valid"),
            models.UniqueConstraint(
                fields=["hit", "source", "source_key"],
                condition=~Q(source=StakeholderSource.MANUAL),
                name="engagement_stakeholder_one_per_source_row",
            ),
        ]
        indexes = [
            # Coverage aggregates group one HIT's (or all HITs') links by category.
            models.Index(fields=["hit", "category"], name="engagement_stakeholder_hit_idx"),
        ]

    def __str__(self) -> str:
        return str(self.person or self.organisation)


class CoverageScore(models.Model):
    """The worker's latest engagement coverage of one HIT (docs/domain.md section 5), with its inputs' fingerprint."""

    hit = models.OneToOneField("teams.HIT", on_delete=models.CASCADE, related_name="coverage")
    breadth = models.FloatField()
    degrees = models.FloatField()
    weighted = models.FloatField()
    leadership = models.FloatField()
    commissioner_in_leadership = models.BooleanField()
    ppi_depth = models.PositiveSmallIntegerField()
    category_depths = models.JSONField(default=dict, help_text="Category code -> max depth.")
    gaps = models.JSONField(default=list, help_text="Uncovered categories and stressed blind spots.")
    organisations = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["hit"]

    def __str__(self) -> str:
        return f"{self.hit}: {self.degrees:.0f} degrees"


class CoverageSnapshot(models.Model):
    """Coverage at a moment: after a change to the map (one per day) or for an application revision."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="coverage_snapshots")
    taken_on = models.DateField(validators=[validate_date_in_range])
    label = models.CharField(max_length=80, help_text='"map" or "application v2"...')
    breadth = models.FloatField()
    degrees = models.FloatField()
    weighted = models.FloatField()
    leadership = models.FloatField()
    category_depths = models.JSONField(default=dict)
    gaps = models.JSONField(
        default=list, blank=True, help_text="Uncovered categories and stressed blind spots, by name."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["hit", "taken_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hit", "taken_on", "label"], name="engagement_snapshot_unique_day"
            )
        ]
        indexes = [models.Index(fields=["taken_on"], name="engagement_snapshot_day_idx")]

    def __str__(self) -> str:
        return f"{self.hit} {self.label} {self.taken_on}"


class ScoreRequest(models.Model):
    """A pending recomputation. One row per HIT and kind debounces a burst of edits into one job."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ScoreKind.choices)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hit", "kind"], name="engagement_scorerequest_one_pending"),
            choices_constraint("kind", ScoreKind, "engagement_scorerequest_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.hit_id}"


# --- Patient and public involvement ------------------------------------------------------------------


class InvolvementActivity(TimeStampedModel):
    """One entry of a HIT's PPI log. Counts, not names, unless people consented to be named."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="involvement_activities")
    happened_on = models.DateField(validators=[validate_date_in_range])
    activity_type = models.CharField(max_length=24, choices=ActivityType.choices)
    description = models.TextField(blank=True, max_length=LONG_TEXT)
    patients = models.PositiveIntegerField(default=0)
    carers = models.PositiveIntegerField(default=0)
    public = models.PositiveIntegerField("members of the public", default=0)
    named_with_consent = models.TextField(
        blank=True,
        help_text="Names only of people who consented to be named; otherwise leave empty.",
        max_length=SHORT_TEXT,
    )
    hours = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    level = models.CharField(max_length=16, choices=InvolvementLevel.choices)
    decision_forum = models.CharField(
        max_length=24, choices=DecisionForum.choices, default=DecisionForum.NONE
    )
    impact = models.TextField(blank=True, max_length=LONG_TEXT)
    recognition = models.CharField(
        "payment or recognition", max_length=16, choices=Recognition.choices, default=Recognition.NONE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name_plural = "involvement activities"
        constraints = [
            choices_constraint("activity_type", ActivityType, "engagement_activity_type_valid"),
            choices_constraint("level", InvolvementLevel, "engagement_activity_level_valid"),
            choices_constraint("decision_forum", DecisionForum, "engagement_activity_forum_valid"),
            choices_constraint("recognition", Recognition, "engagement_activity_recognition_valid"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="engagement_activity_hours_nonneg"),
        ]
        indexes = [models.Index(fields=["hit", "happened_on"], name="engagement_activity_hit_idx")]

    def __str__(self) -> str:
        return f"{self.hit} {self.happened_on} {self.get_activity_type_display()}"

    @property
    def people_involved(self) -> int:
        return self.patients + self.carers + self.public


class StandardsAssessment(TimeStampedModel):
    """A HIT's self-assessment against the six UK Standards for Public Involvement."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="standards_assessments")
    assessed_on = models.DateField(default=timezone.localdate, validators=[validate_date_in_range])
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.hit} standards {self.assessed_on}"


class StandardRatingRow(models.Model):
    assessment = models.ForeignKey(StandardsAssessment, on_delete=models.CASCADE, related_name="ratings")
    standard = models.CharField(max_length=32, choices=PPIStandard.choices)
    rating = models.PositiveSmallIntegerField(choices=StandardRating.choices)
    note = models.TextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            choices_constraint("standard", PPIStandard, "engagement_standardrating_standard_valid"),
            models.CheckConstraint(condition=Q(rating__lte=3), name="engagement_standardrating_0_3"),
            models.UniqueConstraint(
                fields=["assessment", "standard"], name="engagement_standardrating_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard}: {self.rating}"


class PublicReview(TimeStampedModel):
    """The public review group's assessment of a HIT's PPI arrangements."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="public_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField(default=timezone.localdate, validators=[validate_date_in_range])
    ppi_depth = models.PositiveSmallIntegerField(
        "PPI depth",
        validators=[MaxValueValidator(3)],
        help_text="0 none; 1 logistics or satisfaction only; 2 public members inside HIT groups; "
        "3 public members in decision-making, commissioning or policy forums.",
    )
    arrangements_adequate = models.BooleanField(
        help_text="Are the HIT's PPI arrangements genuine and adequate?"
    )
    comments = models.TextField(max_length=LONG_TEXT)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ppi_depth__lte=3), name="engagement_publicreview_0_3")
        ]

    def __str__(self) -> str:
        return f"{self.hit} public review {self.reviewed_on}"


class SupportRequest(TimeStampedModel):
    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="support_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    topic = models.CharField(max_length=200)
    details = models.TextField(blank=True, max_length=LONG_TEXT)
    status = models.CharField(max_length=16, choices=SupportStatus.choices, default=SupportStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [choices_constraint("status", SupportStatus, "engagement_supportrequest_status_valid")]

    def __str__(self) -> str:
        return self.topic


class SupportGiven(TimeStampedModel):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="support")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    given_on = models.DateField(default=timezone.localdate, validators=[validate_date_in_range])
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    note = models.TextField(max_length=SHORT_TEXT)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name_plural = "support given"

    def __str__(self) -> str:
        return f"{self.request} on {self.given_on}"


# --- Readiness surveys -------------------------------------------------------------------------------


class Instrument(TimeStampedModel):
    """A versioned readiness item bank. A published version is frozen; edits make a new version."""

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    is_published = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="engagement_instrument_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Item(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=16)
    dimension = models.CharField(max_length=24, choices=Dimension.choices)
    text = models.CharField(max_length=300)
    reverse_worded = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "position", "pk"]
        constraints = [
            choices_constraint("dimension", Dimension, "engagement_item_dimension_valid"),
            models.UniqueConstraint(fields=["instrument", "code"], name="engagement_item_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


class Wave(TimeStampedModel):
    """A round of the readiness survey of one HIT.

    Anonymity rests on its three moments (docs/security.md): answers are taken while it is open;
    it closes when its closing date has passed or a director or programme manager closes it
    (`closed_at`), and from then every answer is refused; the worker then computes its results once
    (`released_at`) and never again, so no figure can be compared with an earlier or later one.
    """

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="survey_waves")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="waves")
    title = models.CharField(max_length=200)
    opens_on = models.DateField(validators=[validate_date_in_range])
    closes_on = models.DateField(
        validators=[validate_date_in_range],
        help_text="The last day answers are taken, unless it is closed earlier.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it stopped taking answers (its closing date passed, or closed early).",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who closed it before its closing date (empty when the date closed it).",
    )
    released_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker stored its results, once and for good."
    )

    class Meta:
        ordering = ["hit", "-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="engagement_wave_dates_ordered"
            ),
            # Results exist only for a wave that no longer takes answers.
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(closed_at__isnull=False),
                name="engagement_wave_released_only_when_closed",
            ),
        ]
        indexes = [
            # The release job's query: closed or past their date, results not yet stored.
            models.Index(
                fields=["closes_on"],
                condition=Q(released_at__isnull=True),
                name="engagement_wave_to_release_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hit}: {self.title}"

    def is_closed(self, today: datetime.date | None = None) -> bool:
        """No longer takes answers: closed early, or its closing day has passed."""
        return self.closed_at is not None or (today or timezone.localdate()) > self.closes_on

    def closed_on(self) -> datetime.date:
        """The last day it took answers."""
        if self.closed_at is not None:
            return min(timezone.localtime(self.closed_at).date(), self.closes_on)
        return self.closes_on


class Invitation(models.Model):
    """One anonymous survey link. The email sends and reminds; it is never joined to an answer.

    Only a digest of the token is kept (`token_digest`), salted differently from the response's
    own key, so nothing stored links an invitation to a response.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_digest = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    used = models.BooleanField(default=False)

    class Meta:
        ordering = ["wave", "email"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "email"], name="engagement_invitation_one_per_email")
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.wave}"


class Response(models.Model):
    """An anonymous response: organisation and role group only, and the day (not the time)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    response_key = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        "teams.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role_group = models.CharField(max_length=16, choices=RoleGroup.choices, blank=True)
    is_submitted = models.BooleanField(default=False)
    submitted_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])

    class Meta:
        ordering = ["wave", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role_group="") | Q(role_group__in=RoleGroup.values),
                name="engagement_response_role_valid",
            )
        ]
        indexes = [models.Index(fields=["wave", "is_submitted"], name="engagement_response_wave_idx")]

    def __str__(self) -> str:
        return f"Response to {self.wave_id}"


class Answer(models.Model):
    """1-5 agreement, or NULL for "don't know"."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["response", "item"]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="engagement_answer_one_per_item"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=1) & Q(value__lte=5)),
                name="engagement_answer_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class ReadinessResultQuerySet(models.QuerySet["ReadinessResult"]):
    def released(self) -> ReadinessResultQuerySet:
        """Results of waves that have closed and been released: the only ones any page may read."""
        return self.filter(wave__released_at__isnull=False)


class ReadinessResult(models.Model):
    """A stored result of a wave for one group and dimension. Suppressed groups keep no numbers.

    Written once, when the wave's results are released (engagement.services.readiness_release).
    Read them through `ReadinessResult.objects.released()`.
    """

    GROUP_OVERALL = "overall"
    GROUP_ORGANISATION = "organisation"
    GROUP_ROLE = "role"

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="results")
    group_type = models.CharField(max_length=16)
    group_key = models.CharField(max_length=64, blank=True)
    group_label = models.CharField(max_length=200, blank=True)
    dimension = models.CharField(max_length=24, choices=Dimension.choices)
    n = models.PositiveIntegerField()
    suppressed = models.BooleanField()
    score = models.FloatField(null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    sd = models.FloatField(null=True, blank=True)
    pct_agree = models.FloatField(null=True, blank=True)
    rwg = models.FloatField(
        "agreement (rWG)",
        null=True,
        blank=True,
        help_text="Within-group agreement rWG(J) on the dimension's items (docs/domain.md section 7.2).",
    )
    level = models.PositiveSmallIntegerField(choices=MaturityLevel.choices, null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    objects = ReadinessResultQuerySet.as_manager()

    class Meta:
        ordering = ["wave", "group_type", "group_label", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "group_type", "group_key", "dimension"], name="engagement_result_unique"
            ),
            # A suppressed group stores no figures, so no page or export can leak them.
            models.CheckConstraint(
                condition=Q(suppressed=False)
                | (Q(score__isnull=True) & Q(mean__isnull=True) & Q(sd__isnull=True)),
                name="engagement_result_suppressed_has_no_figures",
            ),
            # The spread of a group (SD, share agreeing, agreement) is kept only from ten respondents
            # up: in a group of five to nine it tells too much about each person.
            models.CheckConstraint(
                condition=Q(n__gte=10)
                | (Q(sd__isnull=True) & Q(pct_agree__isnull=True) & Q(rwg__isnull=True)),
                name="engagement_result_spread_needs_ten",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id} {self.group_type}:{self.group_key} {self.dimension}"


class ReadinessChange(models.Model):
    """The change of one dimension between a HIT's two latest released waves, for all respondents
    (docs/domain.md section 7.3): R2 - R1 with a Welch 95% interval and its label.

    Written by the worker when a wave's results are released, from the overall group's respondent
    means of both waves (each n >= 5); it keeps no per-respondent figure. Pages only read it.
    """

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="readiness_changes")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="changes")
    previous_wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=24, choices=Dimension.choices)
    n1 = models.PositiveIntegerField(help_text="Counted respondents in the previous wave.")
    n2 = models.PositiveIntegerField(help_text="Counted respondents in the later wave.")
    difference = models.FloatField(null=True, blank=True, help_text="R2 - R1 on the 0-100 scale.")
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    df = models.FloatField("degrees of freedom", null=True, blank=True)
    label = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["hit", "wave", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "dimension"], name="engagement_change_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id} vs {self.previous_wave_id} {self.dimension}: {self.label}"


class ItemBankQuality(models.Model):
    """The reliability of one dimension of one item bank version, pooled over the released waves that
    closed in the last 24 months (docs/domain.md section 7.1): Cronbach's alpha with its Feldt 95%
    interval on the respondents who answered every item of the dimension. Computed by the worker
    (engagement.services.item_bank) and only read by pages; `reason` says why there is no alpha."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="quality")
    dimension = models.CharField(max_length=24, choices=Dimension.choices)
    n = models.PositiveIntegerField(help_text="Respondents who answered every item of the dimension.")
    k = models.PositiveSmallIntegerField(help_text="Items of the dimension.")
    alpha = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True, help_text="Feldt 95% interval, lower end.")
    high = models.FloatField(null=True, blank=True, help_text="Feldt 95% interval, upper end.")
    reason = models.CharField(max_length=200, blank=True, help_text="Why there is no alpha.")
    window_from = models.DateField(
        help_text="Waves closed on or after this day are pooled.", validators=[validate_date_in_range]
    )
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["instrument", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "dimension"], name="engagement_item_bank_quality_unique"
            ),
            models.CheckConstraint(
                condition=Q(alpha__isnull=False) | ~Q(reason=""),
                name="engagement_item_bank_quality_reason_without_alpha",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.dimension}: alpha {self.alpha}"

    @property
    def flags(self) -> tuple[str, ...]:
        return reliability_flags(self.alpha)


class ItemBankItemQuality(models.Model):
    """One item of an ItemBankQuality: its corrected item-total correlation (with the sum of the
    dimension's other items) and the dimension's alpha if it were deleted."""

    quality = models.ForeignKey(ItemBankQuality, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    item_total_r = models.FloatField(null=True, blank=True)
    alpha_if_deleted = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["quality", "item__position", "item"]
        constraints = [
            models.UniqueConstraint(fields=["quality", "item"], name="engagement_item_bank_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: r {self.item_total_r}"

    @property
    def flags(self) -> tuple[str, ...]:
        return item_flags(self.item_total_r)


# --- Maturity matrix and action plans ----------------------------------------------------------------


class MaturityAssessment(TimeStampedModel):
    """A consensus self-assessment of the nine elements (docs/domain.md R6.12)."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="maturity_assessments")
    assessed_on = models.DateField(default=timezone.localdate, validators=[validate_date_in_range])
    participants = models.TextField(
        blank=True, help_text="Who took part in the consensus discussion.", max_length=SHORT_TEXT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["hit", "-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.hit} maturity {self.assessed_on}"


class MaturityRating(models.Model):
    assessment = models.ForeignKey(MaturityAssessment, on_delete=models.CASCADE, related_name="ratings")
    element = models.CharField(max_length=24, choices=Dimension.choices)
    level = models.PositiveSmallIntegerField(choices=MaturityLevel.choices)
    rationale = models.TextField(max_length=SHORT_TEXT)

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "element"], name="engagement_maturityrating_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="engagement_maturity_1_3"
            ),
            models.CheckConstraint(condition=~Q(element=Dimension.CAPACITY), name="engagement_maturity_nine"),
        ]

    def __str__(self) -> str:
        return f"{self.element}: {self.level}"


class ActionStatement(models.Model):
    """One of the research's "if ... then ... because" statements (docs/domain.md R6.13)."""

    code = models.CharField(max_length=8, unique=True)
    task = models.CharField(max_length=120)
    text = models.TextField(max_length=SHORT_TEXT)
    elements = models.JSONField(default=list, help_text="Maturity elements it helps (F17).")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:50]}"


class ActionPlanItem(TimeStampedModel):
    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="action_plan")
    statement = models.ForeignKey(
        ActionStatement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    element = models.CharField(max_length=24, choices=Dimension.choices, blank=True)
    title = models.CharField(max_length=300)
    owner = models.ForeignKey("teams.Person", on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField(validators=[validate_date_in_range])
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED)

    class Meta:
        ordering = ["hit", "due_on", "pk"]
        constraints = [choices_constraint("status", ActionStatus, "engagement_actionitem_status_valid")]

    def __str__(self) -> str:
        return self.title


# --- Partnership network (docs/domain.md section 8) -----------------------------------------------


class NetworkRound(TimeStampedModel):
    """A round of the partnership network survey of one HIT: one named respondent per partner
    organisation on its map, each rating every other partner (engagement.services.network).

    Its moves (engagement.workflow.NETWORK_ROUND_WORKFLOW) are recorded as NetworkRoundEvent rows.
    Ratings are taken while it is open and up to its closing date; from its close they are frozen
    and the worker stores its metrics (NetworkResult).
    """

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="network_rounds")
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=NetworkRoundStatus.choices, default=NetworkRoundStatus.PLANNED
    )
    opens_on = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], help_text="The day its links were sent."
    )
    closes_on = models.DateField(
        validators=[validate_date_in_range],
        help_text="The last day ratings are taken, unless it is closed earlier.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["hit", "-closes_on", "-pk"]
        constraints = [
            choices_constraint("status", NetworkRoundStatus, "engagement_networkround_status_valid"),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__gte=F("opens_on")),
                name="engagement_networkround_dates_ordered",
            ),
            # One round at a time takes ratings.
            models.UniqueConstraint(
                fields=["hit"],
                condition=Q(status__in=[NetworkRoundStatus.PLANNED, NetworkRoundStatus.OPEN]),
                name="engagement_networkround_one_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hit}: {self.title}"

    def takes_ratings(self, today: datetime.date | None = None) -> bool:
        return self.status == NetworkRoundStatus.OPEN and (today or timezone.localdate()) <= self.closes_on


class NetworkRoundEvent(StatusEvent):
    """One move of a network round (opened, reminded, closed, cancelled): the audit log lists them."""

    network_round = models.ForeignKey(NetworkRound, on_delete=models.CASCADE, related_name="events")

    workflow = NETWORK_ROUND_WORKFLOW

    class Meta(StatusEvent.Meta):
        indexes = [models.Index(fields=["network_round", "-created_at"], name="engagement_nre_round_idx")]


class NetworkRespondent(models.Model):
    """The named contact who answers for one partner organisation in a round, by one-time link.

    The organisation's stakeholder category is copied when the round is planned, so the round's
    network does not change when the map does. Only a digest of the link's token is kept.
    """

    network_round = models.ForeignKey(NetworkRound, on_delete=models.CASCADE, related_name="respondents")
    organisation = models.ForeignKey("teams.Organisation", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("teams.StakeholderCategory", on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["network_round", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network_round", "organisation"], name="engagement_networkrespondent_one_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.network_round_id}"


class NetworkRating(models.Model):
    """What one partner organisation said about another in a round. Never shown one by one: pages
    read averages of >= 3 raters and the stored metrics (docs/domain.md section 8)."""

    network_round = models.ForeignKey(NetworkRound, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey("teams.Organisation", on_delete=models.PROTECT, related_name="+")
    ratee = models.ForeignKey("teams.Organisation", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=CollaborationLevel.choices)
    trust = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["network_round", "rater", "ratee"]
        constraints = [
            models.UniqueConstraint(
                fields=["network_round", "rater", "ratee"], name="engagement_networkrating_one_per_pair"
            ),
            models.CheckConstraint(condition=~Q(rater=F("ratee")), name="engagement_networkrating_not_self"),
            models.CheckConstraint(condition=Q(level__lte=5), name="engagement_networkrating_level_0_5"),
            models.CheckConstraint(
                condition=(Q(trust__isnull=True) | (Q(trust__gte=1) & Q(trust__lte=4) & Q(level__gte=1)))
                & (Q(value__isnull=True) | (Q(value__gte=1) & Q(value__lte=4) & Q(level__gte=1))),
                name="engagement_networkrating_trust_value_1_4_for_ties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater_id} -> {self.ratee_id}: {self.level}"


class NetworkResult(models.Model):
    """The stored metrics of one network (docs/domain.md section 8), written by the worker
    (engagement.services.network): a closed round's, or the HIT's co-membership network when it
    has no round. Pages only read it; `detail` holds the drawing (positions), the organisations'
    table, the category matrix and the asymmetric pairs."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="network_results")
    network_round = models.OneToOneField(
        NetworkRound, on_delete=models.CASCADE, null=True, blank=True, related_name="result"
    )
    source = models.CharField(max_length=16, choices=NetworkSource.choices)
    as_of = models.DateField(validators=[validate_date_in_range], help_text="The day the network describes.")
    nodes = models.PositiveIntegerField()
    respondents = models.PositiveIntegerField(default=0)
    response_rate = models.FloatField(null=True, blank=True)
    ties = models.PositiveIntegerField()
    density = models.FloatField(null=True, blank=True)
    degree_centralization = models.FloatField(null=True, blank=True)
    betweenness_centralization = models.FloatField(null=True, blank=True)
    components = models.PositiveIntegerField()
    isolates = models.PositiveIntegerField()
    articulation_points = models.PositiveIntegerField()
    ei_index = models.FloatField("E-I index", null=True, blank=True)
    asymmetric_pairs = models.PositiveIntegerField(default=0)
    mean_trust = models.FloatField(null=True, blank=True)
    mean_value = models.FloatField(null=True, blank=True)
    detail = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["hit", "-as_of", "-pk"]
        constraints = [
            choices_constraint("source", NetworkSource, "engagement_networkresult_source_valid"),
            models.CheckConstraint(
                condition=(Q(source=NetworkSource.ROUND) & Q(network_round__isnull=False))
                | (Q(source=NetworkSource.CO_MEMBERSHIP) & Q(network_round__isnull=True)),
                name="engagement_networkresult_round_matches_source",
            ),
            models.UniqueConstraint(
                fields=["hit"],
                condition=Q(source=NetworkSource.CO_MEMBERSHIP),
                name="engagement_networkresult_one_co_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hit_id} {self.source} {self.as_of}"
