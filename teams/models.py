"""Organisations, people, users and their roles, HITs, memberships and working groups."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.hashers import acheck_password, check_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.models import StatusEvent, TimeStampedModel, choices_constraint
from core.validators import LONG_TEXT, SHORT_TEXT, validate_date_in_range
from teams.enums import (
    Appointment,
    ClosureReason,
    GdprActionKind,
    HITLinkKind,
    HITStatus,
    LeadSide,
    LifecycleStage,
    MembershipChangeKind,
    MembershipRole,
    ProfessionalGroup,
    ProfileChangeSource,
    ProgrammeRole,
    ProposalStatus,
    RoleChangeKind,
    Sector,
    SecurityEventKind,
    SponsorInteractionKind,
    VocabularyChangeKind,
    VocabularyKind,
)
from teams.workflow import HIT_WORKFLOW

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
    # Set by every way a password is set (set_password); API tokens created before it are refused
    # (hitportal/api/authentication.py). Empty for accounts whose password has not changed since
    # this was recorded.
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Replaced by every change to the records that grant the user roles (teams.roles.roles_changed, sent
    # by their signal receivers in the same transaction): the cached roles are keyed by it. A random
    # token, never a counter, so a restored database or a reused id never meets an old cache entry.
    roles_version = models.UUIDField(default=uuid.uuid4, editable=False)
    # Replaced by "sign out of every other browser" (hitportal.security): it is part of the hash each session
    # keeps of its user, so every other session of the login ends at its next request. Empty until first used,
    # so the sessions made before it existed stay valid.
    sessions_epoch = models.CharField(max_length=32, blank=True, default="", editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        # The latest edit is one index step (MAX(updated_at): reporting.selectors.board_dashboard_version).
        indexes = [models.Index(fields=["updated_at"], name="teams_user_updated_idx")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password: str) -> bool:
        # Django's own, except that re-hashing the same password at sign-in (a new hasher or work
        # factor) is not a password change: it must not end the user's API token.
        def rehash(raw: str) -> None:
            AbstractBaseUser.set_password(self, raw)
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash)

    async def acheck_password(self, raw_password: str) -> bool:
        async def rehash(raw: str) -> None:
            AbstractBaseUser.set_password(self, raw)
            self._password = None
            await self.asave(update_fields=["password"])

        return await acheck_password(raw_password, self.password, rehash)

    def save(self, *args: object, **kwargs: object) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "password" in update_fields:
            # The password and the time it changed are one fact: saving one saves the other, so a
            # service that saves only "password" cannot leave an old API token working.
            kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        elif update_fields is None and not args and not self._state.adding and not kwargs.get("force_insert"):
            # roles_version is written only by teams.roles.roles_changed: a copy of this user loaded
            # before a role was revoked must not write the old version back when it is saved, or the
            # roles cached under it (with the revoked role) would count again. Likewise sessions_epoch,
            # written only by hitportal.security.services.sessions_end_others.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in ("roles_version", "sessions_epoch")
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = f"{self.password}:{self.sessions_epoch}" if self.sessions_epoch else self.password
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

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


class RoleChange(models.Model):
    """A programme-wide role granted or revoked: the record a revocation leaves behind.

    RoleAssignment holds the roles a user has now; these rows say who changed them and when
    (teams/services/administration.py writes both in one transaction). The audit log lists them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_changes")
    role = models.CharField(max_length=32, choices=ProgrammeRole.choices)
    change = models.CharField(max_length=16, choices=RoleChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A default, not auto_now_add, so the rows of grants made before this table keep their time.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("role", ProgrammeRole, "teams_rolechange_role_valid"),
            choices_constraint("change", RoleChangeKind, "teams_rolechange_change_valid"),
        ]
        indexes = [
            # The person page lists a user's changes newest first.
            models.Index(fields=["user", "-created_at"], name="teams_rolechange_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.get_change_display().lower()}: user #{self.user_id}"


class AccountInvitation(models.Model):
    """A login created for a person in the directory, and the e-mail inviting them to set a password.

    The e-mail's link is Django's one-time password-reset token: it stops working once a password
    is set (docs/security.md). The audit log lists these rows as account creations.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation of user #{self.user_id}"


class AccountRegistration(models.Model):
    """A login an applicant created for themselves on the sign-up page (teams.services.accounts).

    The login stays inactive until its owner follows the e-mailed verification link; `verified_at`
    records when. Only a login with an unverified registration is ever activated that way: a login a
    programme manager deactivated stays inactive whatever anyone types on the sign-up page.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registration"
    )
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Registration of user #{self.user_id}"


# --- Configurable vocabularies (docs/domain.md section 2) -------------------------------------------------


class Vocabulary(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=SHORT_TEXT)
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


class VocabularyChange(models.Model):
    """A term of a vocabulary (docs/domain.md section 2) added, renamed, switched off or on, or changed.

    Terms are never deleted (rows elsewhere point at them); `term_name` is the name after the change
    and `detail` says what it was before. The audit log lists these rows.
    """

    vocabulary = models.CharField(max_length=32, choices=VocabularyKind.choices)
    term_id = models.PositiveBigIntegerField()
    term_name = models.CharField(max_length=120)
    change = models.CharField(max_length=16, choices=VocabularyChangeKind.choices)
    detail = models.TextField(blank=True, max_length=SHORT_TEXT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("vocabulary", VocabularyKind, "teams_vocabularychange_vocabulary_valid"),
            choices_constraint("change", VocabularyChangeKind, "teams_vocabularychange_change_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_vocabulary_display()}: {self.term_name} {self.get_change_display().lower()}"


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
    professional_group = models.CharField(
        max_length=16,
        choices=ProfessionalGroup.choices,
        blank=True,
        help_text="Doctors, nurses, midwives, allied health and social care staff also count as professionals "
        "and front-line staff in engagement coverage.",
    )
    organisations = models.ManyToManyField(Organisation, through="Affiliation", related_name="people")

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="teams_person_unique_email_when_set"
            ),
            models.CheckConstraint(
                condition=Q(professional_group="") | Q(professional_group__in=ProfessionalGroup.values),
                name="teams_person_professional_group_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["full_name"], name="teams_person_name_idx"),
            # The latest edit is one index step (MAX(updated_at): reporting.selectors.board_dashboard_version).
            models.Index(fields=["updated_at"], name="teams_person_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Affiliation(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="affiliations")
    job_title = models.CharField(max_length=200, blank=True)
    appointment = models.CharField(max_length=16, choices=Appointment.choices, default=Appointment.SERVICE)
    is_primary = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    end_date = models.DateField(null=True, blank=True, validators=[validate_date_in_range])

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
    """A Health Integration Team. Its status moves only through teams.services.hits.hit_transition."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    focus = models.CharField(
        max_length=200, help_text="The health problem the team forms around, in a phrase."
    )
    problem = models.TextField(
        blank=True, help_text="The problem and the boundaries it crosses.", max_length=LONG_TEXT
    )
    aims = models.TextField(blank=True, max_length=LONG_TEXT)
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


class HITStatusChange(StatusEvent):
    """One recorded move of a HIT's status: who, when, from, to, why (the reason is the comment)."""

    workflow = HIT_WORKFLOW

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=HITStatus.choices)
    to_status = models.CharField(max_length=32, choices=HITStatus.choices)

    class Meta(StatusEvent.Meta):
        constraints = [
            choices_constraint("from_status", HITStatus, "teams_hitstatuschange_from_valid"),
            choices_constraint("to_status", HITStatus, "teams_hitstatuschange_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.hit}: {self.from_status} -> {self.to_status}"


class HITProfileChange(TimeStampedModel):
    """One change of a HIT's profile (name, focus, problem, aims, host): who, when, from where, and
    each changed field before and after. Written only by teams.services.profile."""

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="profile_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=ProfileChangeSource.choices)
    source_label = models.CharField(
        max_length=200, blank=True, help_text="What the values came from, e.g. the accredited application v2."
    )
    changes = models.JSONField(
        default=list, help_text="One {field, label, before, after} per changed field, as text."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("source", ProfileChangeSource, "teams_hitprofilechange_source_valid")
        ]
        indexes = [
            # The HIT page and the history page list one HIT's changes, newest first.
            models.Index(fields=["hit", "-created_at"], name="teams_profilechange_hit_idx")
        ]

    def __str__(self) -> str:
        return f"{self.hit}: profile {self.source} {self.created_at:%Y-%m-%d}"


class WorkingGroup(TimeStampedModel):
    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="working_groups")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True, max_length=SHORT_TEXT)

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
    start_date = models.DateField(default=timezone.localdate, validators=[validate_date_in_range])
    end_date = models.DateField(null=True, blank=True, validators=[validate_date_in_range])

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
            # The latest edit is one index step (MAX(updated_at): reporting.selectors.board_dashboard_version).
            models.Index(fields=["updated_at"], name="teams_membership_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} - {self.get_role_display()} of {self.hit}"


class MembershipChange(models.Model):
    """One change to a HIT's membership: someone added, their membership ended, or their role changed;
    who made it (no one: the system, e.g. a HIT created from an expression of interest) and when.

    Append-only, written by the services of teams/services/members.py in the transaction of the
    change; the audit log lists it. `role` is the role after the change (for "role_changed",
    `from_role` the role before).
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="changes")
    change = models.CharField(max_length=16, choices=MembershipChangeKind.choices)
    role = models.CharField(max_length=24, choices=MembershipRole.choices)
    from_role = models.CharField(max_length=24, choices=MembershipRole.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True, max_length=LONG_TEXT)
    # A default, not auto_now_add, so a row can be written with an earlier time (demo data, tests).
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("change", MembershipChangeKind, "teams_membershipchange_change_valid"),
            choices_constraint("role", MembershipRole, "teams_membershipchange_role_valid"),
            models.CheckConstraint(
                condition=Q(from_role="") | Q(from_role__in=MembershipRole.values),
                name="teams_membershipchange_from_role_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["membership", "created_at"], name="teams_mchange_membership_idx"),
            # The audit log reads the changes newest first, a page at a time.
            models.Index(fields=["created_at", "id"], name="teams_mchange_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: membership #{self.membership_id}"


class ProposedMembership(TimeStampedModel):
    """A membership the accredited application names, waiting for the HIT's director (or a
    programme manager) to confirm it or dismiss it (docs/domain.md section 3.9).

    Written at accreditation by teams.services.proposals.membership_proposals_record, one row per
    director, sponsor, management-group line and working-group lead, with the name and organisation as
    the application wrote them and the directory person they match (none: no match, several matches
    or a placeholder such as "TBC"). Confirmation (teams.services.proposals.proposals_confirm) adds the
    membership through teams.services.members and keeps it here; a dismissal is kept too, and the
    audit log lists it. `source_key` is the accreditation application's id (teams does not import
    accreditation) and `source_label` says which application and revision, for people.
    """

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="proposed_memberships")
    source_key = models.PositiveBigIntegerField(help_text="The id of the application that proposed it.")
    source_label = models.CharField(max_length=300, help_text="Which application and revision, for people.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Its order in the application.")
    role = models.CharField(max_length=24, choices=MembershipRole.choices)
    name_as_written = models.CharField(max_length=200)
    organisation_as_written = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The directory entry the name matches (none: no single match).",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The directory organisation the written one matches.",
    )
    is_placeholder = models.BooleanField(
        default=False, help_text='The application named no one yet ("To be agreed", "TBC", "vacant").'
    )
    working_group_name = models.CharField(max_length=200, blank=True)
    lead_side = models.CharField(max_length=16, choices=LeadSide.choices, blank=True)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The membership its confirmation added.",
    )

    class Meta:
        ordering = ["hit", "position", "pk"]
        constraints = [
            choices_constraint("role", MembershipRole, "teams_proposedmembership_role_valid"),
            choices_constraint("status", ProposalStatus, "teams_proposedmembership_status_valid"),
            models.CheckConstraint(
                condition=(
                    Q(role=MembershipRole.WORKING_GROUP_LEAD)
                    & ~Q(working_group_name="")
                    & Q(lead_side__in=LeadSide.values)
                )
                | (~Q(role=MembershipRole.WORKING_GROUP_LEAD) & Q(working_group_name="") & Q(lead_side="")),
                name="teams_proposedmembership_wg_lead_has_group_and_side",
            ),
            # Decided rows say when; pending ones do not.
            models.CheckConstraint(
                condition=(Q(status=ProposalStatus.PROPOSED) & Q(decided_at__isnull=True))
                | (~Q(status=ProposalStatus.PROPOSED) & Q(decided_at__isnull=False)),
                name="teams_proposedmembership_decided_when",
            ),
        ]
        indexes = [models.Index(fields=["hit", "status"], name="teams_proposal_hit_status_idx")]

    def __str__(self) -> str:
        return (
            f"{self.name_as_written} - {self.get_role_display()} of {self.hit} ({self.get_status_display()})"
        )


class PortfolioSnapshot(TimeStampedModel):
    """HIT counts by status and stage on one day, written by the worker for trend charts."""

    taken_on = models.DateField(unique=True, validators=[validate_date_in_range])
    hits_total = models.PositiveIntegerField()
    by_status = models.JSONField(default=dict)
    by_stage = models.JSONField(default=dict)

    class Meta:
        ordering = ["-taken_on"]

    def __str__(self) -> str:
        return f"Portfolio on {self.taken_on}"


# What an accepted upload may be; teams/domain/uploads.py checks the content against the extension.
DOCUMENT_CONTENT_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


class PrivateDocumentStorage(FileSystemStorage):
    """Files under MEDIA_ROOT (outside every static directory) that have no public URL.

    MEDIA_URL is never served; documents go out only through the permission-checked
    teams:document-download view, so asking for a URL is a programming error.
    """

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Documents have no public URL; link to teams:document-download.")


def document_storage() -> PrivateDocumentStorage:
    # No location given: the storage follows settings.MEDIA_ROOT, including a test's override.
    return PrivateDocumentStorage()


def document_upload_to(instance: Document, filename: str) -> str:
    """documents/<hit id>/<random name><extension>: the uploader's file name never reaches the disk."""
    extension = PurePosixPath(filename).suffix.lower()
    return f"documents/{instance.hit_id}/{uuid.uuid4().hex}{extension}"


class HITLink(TimeStampedModel):
    """Two HITs that work together. The link is one row whichever HIT it was recorded from."""

    from_hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="links_out")
    to_hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=HITLinkKind.choices)
    note = models.TextField(blank=True, max_length=SHORT_TEXT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["from_hit", "to_hit", "kind"]
        verbose_name = "related HIT"
        constraints = [
            choices_constraint("kind", HITLinkKind, "teams_hitlink_kind_valid"),
            models.CheckConstraint(condition=~Q(from_hit=F("to_hit")), name="teams_hitlink_not_self"),
            # A-B and B-A are the same pair: one link of each kind, whichever way it was recorded.
            models.UniqueConstraint(
                Least("from_hit", "to_hit"),
                Greatest("from_hit", "to_hit"),
                "kind",
                name="teams_hitlink_unique_pair_kind",
            ),
        ]
        indexes = [
            # The HIT page lists the links pointing at the HIT (links_out uses the FK index of from_hit).
            models.Index(fields=["to_hit", "kind"], name="teams_hitlink_to_hit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_hit_id} - {self.get_kind_display()} - {self.to_hit_id}"


class Document(TimeStampedModel):
    """One version of a HIT's document: typed, versioned per (HIT, title), content checked on upload."""

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    file = models.FileField(storage=document_storage, upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(max_length=255, help_text="The file name the uploader's computer gave.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["hit", "title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["hit", "title", "version"], name="teams_document_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="teams_document_version_positive"),
            models.CheckConstraint(
                condition=Q(content_type__in=DOCUMENT_CONTENT_TYPES), name="teams_document_content_type_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="teams_document_title_not_empty"),
        ]
        indexes = [
            # The document list of a HIT: newest uploads first.
            models.Index(fields=["hit", "-uploaded_at"], name="teams_document_hit_upl_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Meeting(TimeStampedModel):
    """A meeting of one of the HIT's groups: a working group, or a named group such as the steering group."""

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="meetings")
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="meetings"
    )
    group_name = models.CharField(
        max_length=200, blank=True, help_text="For a group that is not a working group: management group..."
    )
    held_on = models.DateField(validators=[validate_date_in_range])
    notes = models.TextField(blank=True, max_length=LONG_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["hit", "-held_on", "-pk"]
        constraints = [
            # Exactly one way of naming the group.
            models.CheckConstraint(
                condition=(Q(working_group__isnull=False) & Q(group_name=""))
                | (Q(working_group__isnull=True) & ~Q(group_name="")),
                name="teams_meeting_names_one_group",
            ),
        ]
        indexes = [
            # The meeting list of a HIT, newest first.
            models.Index(fields=["hit", "-held_on"], name="teams_meeting_hit_held_idx"),
        ]

    def __str__(self) -> str:
        return f"Meeting of {self.held_on}"


class SponsorInteraction(TimeStampedModel):
    """A dated contact between the HIT and its executive sponsor. Liveness is derived from these dates."""

    hit = models.ForeignKey(HIT, on_delete=models.CASCADE, related_name="sponsor_interactions")
    sponsor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sponsor_interactions")
    happened_on = models.DateField(validators=[validate_date_in_range])
    kind = models.CharField(max_length=16, choices=SponsorInteractionKind.choices)
    note = models.TextField(blank=True, max_length=SHORT_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["hit", "-happened_on", "-pk"]
        constraints = [
            choices_constraint("kind", SponsorInteractionKind, "teams_sponsorinteraction_kind_valid")
        ]
        indexes = [
            # The sponsor log and the liveness lookup read a HIT's latest interaction.
            models.Index(fields=["hit", "-happened_on"], name="teams_sponsorint_hit_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on}"


class ClosureRecord(TimeStampedModel):
    """What a closing HIT leaves behind, written in the same transaction as its move to closing or closed."""

    hit = models.OneToOneField(HIT, on_delete=models.CASCADE, related_name="closure_record")
    what_continues = models.TextField(
        help_text="The work, services or groups that carry on.", max_length=LONG_TEXT
    )
    partners_leaving = models.TextField(blank=True, max_length=SHORT_TEXT)
    closure_report = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(what_continues=""), name="teams_closurerecord_says_what_continues"
            ),
        ]

    def __str__(self) -> str:
        return f"Closure record of HIT {self.hit_id}"


class GdprAction(TimeStampedModel):
    """One export or erasure of a person's data: who did it, when, and why.

    `person_number` keeps the person's id even if the (anonymised) row is deleted later, so the
    record of the request outlives the data it was about.
    """

    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="gdpr_actions"
    )
    person_number = models.PositiveBigIntegerField(help_text="The person's id, kept if the row goes.")
    action = models.CharField(max_length=16, choices=GdprActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(
        blank=True, help_text="Why; required for an erasure. Do not name the person.", max_length=SHORT_TEXT
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "GDPR action"
        constraints = [
            choices_constraint("action", GdprActionKind, "teams_gdpraction_action_valid"),
            models.CheckConstraint(
                condition=~Q(action=GdprActionKind.ERASE) | ~Q(reason=""),
                name="teams_gdpraction_erase_has_reason",
            ),
        ]
        indexes = [
            # The audit log reads these newest first; the person's data page lists theirs.
            models.Index(fields=["-created_at"], name="teams_gdpraction_created_idx"),
            models.Index(fields=["person_number", "-created_at"], name="teams_gdpraction_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: person #{self.person_number}"


class SecurityEvent(models.Model):
    """A change to how a login signs in: a second factor set up or removed, recovery codes made or
    used (hitportal.security.services). Never a code or a secret. The audit log lists these rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events"
    )
    kind = models.CharField(max_length=24, choices=SecurityEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [choices_constraint("kind", SecurityEventKind, "teams_securityevent_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: user #{self.user_id}"


class LoginSession(models.Model):
    """One signed-in browser or device of a login, for the list of one's sessions (hitportal.security).

    Written when the login signs in (its session key, the browser's own description of itself), touched at
    most every few minutes while it is used, deleted when it signs out. A row whose session has ended or
    expired is not listed. The client address is not kept.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self) -> str:
        return f"Session of user #{self.user_id}"


class SsoLink(models.Model):
    """A login's identity at a single sign-on provider (hitportal.security.sso): the provider's id (from
    OIDC_PROVIDERS) and its stable subject for the person. Made at the first sign-in through the provider,
    by a verified e-mail address; later sign-ins find the login by it. Audited as a SecurityEvent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_links")
    provider = models.CharField(max_length=40)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="teams_ssolink_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} link of user #{self.user_id}"


class Passkey(models.Model):
    """A passkey (WebAuthn credential) a login registered as a second factor (hitportal.security.passkeys):
    the authenticator's credential id, its public key and signature counter. No private key ever reaches the
    portal."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=60)
    credential_id = models.CharField(max_length=1400, unique=True, help_text="base64url")
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Passkey {self.name} of user #{self.user_id}"


class RecoveryCode(models.Model):
    """One unused recovery code of a login's second factor (hitportal.security.services), kept only as a
    salted SHA-256 of the code: the code itself (about 59 random bits) is shown once, when made, and is
    never stored. Deleted when it is used, and all of a login's when new ones are made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    salt = models.CharField(max_length=32, help_text="hex")
    code_hash = models.CharField(max_length=64, help_text="SHA-256 of the salt and the code, hex")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Recovery code of user #{self.user_id}"
