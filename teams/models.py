"""Organisations, people, users and their roles, HITs, memberships and working groups."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from hitportal.models import TimeStampedModel, choices_constraint
from teams.enums import (
    Appointment,
    ClosureReason,
    HITStatus,
    LeadSide,
    LifecycleStage,
    MembershipRole,
    ProgrammeRole,
    Sector,
)

# --- Users -----------------------------------------------------------------------------------------


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. People in the directory need not have one; a login links to at most one Person."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can open the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleAssignment(TimeStampedModel):
    """A programme-wide role. HIT roles come from memberships; panel roles from panel membership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=32, choices=ProgrammeRole.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            choices_constraint("role", ProgrammeRole, "teams_roleassignment_role_valid"),
            models.UniqueConstraint(fields=["user", "role"], name="teams_roleassignment_unique_user_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()}"


# --- Configurable vocabularies (DOMAIN.md section 2) -------------------------------------------------


class Vocabulary(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists (lowest first).")
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class StakeholderCategory(Vocabulary):
    """A whole-system stakeholder category (the research's six, plus research)."""

    weight = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    counts_toward_coverage = models.BooleanField(
        default=True, help_text="Switch off to leave this category out of breadth and coverage scores."
    )

    class Meta(Vocabulary.Meta):
        verbose_name_plural = "stakeholder categories"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="teams_stakeholdercategory_weight_nonneg"
            ),
        ]


class OrganisationType(Vocabulary):
    sector = models.CharField(max_length=32, choices=Sector.choices)
    default_category = models.ForeignKey(
        StakeholderCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation_types",
        help_text="The stakeholder category an organisation of this type usually belongs to.",
    )
    is_mental_health = models.BooleanField(
        default=False, help_text="Mental health providers are a typical blind spot; gaps are stressed."
    )

    class Meta(Vocabulary.Meta):
        constraints = [choices_constraint("sector", Sector, "teams_organisationtype_sector_valid")]


class Theme(Vocabulary):
    """A cross-cutting theme (evidence synthesis, inequalities, PPI...)."""


class DocumentType(Vocabulary):
    pass


class OutcomeDomain(Vocabulary):
    pass


# --- Organisations and people ------------------------------------------------------------------------


class Organisation(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    org_type = models.ForeignKey(
        OrganisationType, on_delete=models.PROTECT, related_name="organisations", verbose_name="type"
    )
    is_programme_partner = models.BooleanField(
        "programme partner", default=False, help_text="A member organisation of the partnership."
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="teams_organisation_not_own_parent"),
        ]
        indexes = [
            # The directory filters by type and partner flag and sorts by name.
            models.Index(fields=["org_type", "name"], name="teams_org_type_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    """Someone in the directory: a HIT member, a partner contact, a reviewer. May have a login."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    is_public_member = models.BooleanField(
        "patient or public member",
        default=False,
        help_text="A patient, service user, carer or member of the public.",
    )
    organisations = models.ManyToManyField(Organisation, through="Affiliation", related_name="people")

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="teams_person_unique_email_when_set"
            ),
        ]
        indexes = [models.Index(fields=["full_name"], name="teams_person_name_idx")]

    def __str__(self) -> str:
        return self.full_name


class Affiliation(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="affiliations")
    job_title = models.CharField(max_length=200, blank=True)
    appointment = models.CharField(max_length=16, choices=Appointment.choices, default=Appointment.SERVICE)
    is_primary = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "organisation__name"]
        constraints = [
            choices_constraint("appointment", Appointment, "teams_affiliation_appointment_valid"),
            models.UniqueConstraint(
                fields=["person", "organisation", "job_title"], name="teams_affiliation_unique_post"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="teams_affiliation_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.organisation}"


# --- HITs --------------------------------------------------------------------------------------------


class HIT(TimeStampedModel):
    """A Health Integration Team. Its status moves only through teams.services.hit_transition."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    focus = models.CharField(
        max_length=200, help_text="The health problem the team forms around, in a phrase."
    )
    problem = models.TextField(blank=True, help_text="The problem and the boundaries it crosses.")
    aims = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=HITStatus.choices, default=HITStatus.PROPOSED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    stage = models.CharField(
        "life-cycle stage",
        max_length=16,
        choices=LifecycleStage.choices,
        default=LifecycleStage.CONTEMPLATING,
    )
    host_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="hosted_hits"
    )
    host_unit = models.CharField(
        max_length=200, blank=True, help_text="Division or unit the HIT is embedded in."
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="hits")
    is_illustrative = models.BooleanField(default=False, help_text="Demo data, not a real team.")
    closure_reason = models.CharField(max_length=16, choices=ClosureReason.choices, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "HIT"
        verbose_name_plural = "HITs"
        constraints = [
            choices_constraint("status", HITStatus, "teams_hit_status_valid"),
            choices_constraint("stage", LifecycleStage, "teams_hit_stage_valid"),
            models.CheckConstraint(
                condition=Q(closure_reason="") | Q(closure_reason__in=ClosureReason.values),
                name="teams_hit_closure_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(closure_reason=ClosureReason.MERGED),
                name="teams_hit_merged_into_needs_merged_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "name"], name="teams_hit_status_name_idx")]

    def __str__(self) -> str:
        return self.name


class HITStatusChange(models.Model):
    """One recorded move of a HIT's status: who, when, from, to, why."""

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="status_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, choices=HITStatus.choices)
    to_status = models.CharField(max_length=16, choices=HITStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("from_status", HITStatus, "teams_hitstatuschange_from_valid"),
            choices_constraint("to_status", HITStatus, "teams_hitstatuschange_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.hit}: {self.from_status} -> {self.to_status}"

    @property
    def action_label(self) -> str:
        from teams.workflow import label_for

        return label_for(self.action)


class WorkingGroup(TimeStampedModel):
    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="working_groups")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)

    class Meta:
        ordering = ["hit", "name"]
        constraints = [models.UniqueConstraint(fields=["hit", "name"], name="teams_workinggroup_unique_name")]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A person's role in a HIT. Working-group leads name their group and side (academic or service)."""

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=24, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The organisation this person represents in the HIT.",
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    lead_side = models.CharField(max_length=16, choices=LeadSide.choices, blank=True)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="leads")
    start_date = models.DateField(default=timezone.localdate)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["hit", "role", "person__full_name"]
        constraints = [
            choices_constraint("role", MembershipRole, "teams_membership_role_valid"),
            models.CheckConstraint(
                condition=Q(lead_side="") | Q(lead_side__in=LeadSide.values),
                name="teams_membership_side_valid",
            ),
            # A working-group lead names the group and the side; nobody else carries a side.
            models.CheckConstraint(
                condition=(
                    Q(role=MembershipRole.WORKING_GROUP_LEAD, working_group__isnull=False) & ~Q(lead_side="")
                )
                | (~Q(role=MembershipRole.WORKING_GROUP_LEAD) & Q(lead_side="")),
                name="teams_membership_wg_lead_has_group_and_side",
            ),
            models.CheckConstraint(
                condition=Q(theme__isnull=True) | Q(role=MembershipRole.THEME_LEAD),
                name="teams_membership_theme_only_for_theme_lead",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="teams_membership_dates_ordered",
            ),
            # One academic and one service lead per working group at a time.
            models.UniqueConstraint(
                fields=["working_group", "lead_side"],
                condition=Q(role=MembershipRole.WORKING_GROUP_LEAD, end_date__isnull=True),
                name="teams_membership_one_current_lead_per_side",
            ),
            models.UniqueConstraint(
                fields=["hit", "person", "role"],
                condition=Q(end_date__isnull=True, working_group__isnull=True, theme__isnull=True),
                name="teams_membership_unique_current_role",
            ),
        ]
        indexes = [
            # "My HITs" and the role lookups filter memberships by person.
            models.Index(fields=["person", "hit"], name="teams_membership_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} - {self.get_role_display()} of {self.hit}"


class PortfolioSnapshot(TimeStampedModel):
    """HIT counts by status and stage on one day, written by the worker for trend charts."""

    taken_on = models.DateField(unique=True)
    hits_total = models.PositiveIntegerField()
    by_status = models.JSONField(default=dict)
    by_stage = models.JSONField(default=dict)

    class Meta:
        ordering = ["-taken_on"]

    def __str__(self) -> str:
        return f"Portfolio on {self.taken_on}"
