"""Enumerations of the teams app (docs/domain.md sections 2-4)."""

from django.db import models


class Sector(models.TextChoices):
    NHS_PROVIDER = "nhs_provider", "NHS provider"
    COMMISSIONER = "commissioner", "Commissioner"
    LOCAL_GOVERNMENT = "local_government", "Local government and public health"
    OTHER_PUBLIC = "other_public", "Other public body"
    ACADEMIC = "academic", "University or research institute"
    THIRD_SECTOR = "third_sector", "Voluntary, community and social enterprise"
    INDUSTRY = "industry", "Industry"
    PUBLIC = "public", "Patient and public group"


class Appointment(models.TextChoices):
    ACADEMIC = "academic", "Academic"
    SERVICE = "service", "Service"
    DUAL = "dual", "Dual (academic and service)"
    OTHER = "other", "Other"


class HITStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    IN_APPLICATION = "in_application", "In application"
    SET_UP = "set_up", "Set-up"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"


class LifecycleStage(models.TextChoices):
    """Collaboration life-cycle stage (docs/domain.md R6.6), separate from the HIT status."""

    CONTEMPLATING = "contemplating", "Contemplating"
    CONNECTING = "connecting", "Connecting"
    PLANNING = "planning", "Planning"
    IMPLEMENTATION = "implementation", "Implementation"
    MAINTENANCE = "maintenance", "Maintenance"
    DISSOLUTION = "dissolution", "Dissolution"


class ProfileChangeSource(models.TextChoices):
    """Where a change of a HIT's profile came from."""

    EDIT = "edit", "Edited on the HIT's page"
    APPLICATION = "application", "Taken from the accredited application"


class ClosureReason(models.TextChoices):
    AIMS_ACHIEVED = "aims_achieved", "Aims achieved"
    MAINSTREAMED = "mainstreamed", "Mainstreamed into services"
    MERGED = "merged", "Merged into another HIT"
    CAPACITY_LOST = "capacity_lost", "Capacity lost"
    CONFLICT = "conflict", "Irreconcilable conflict"
    OTHER = "other", "Other"


class ProfessionalGroup(models.TextChoices):
    """A person's professional group (docs/domain.md section 5.2): the first three are the professionals and
    front-line staff whose stakeholder rows count in STAFF as well as their organisation's category."""

    CLINICAL = "clinical", "Clinical: doctors"
    NURSING_AHP = "nursing_ahp", "Nursing, midwifery and allied health professions"
    SOCIAL_CARE = "social_care", "Social care and other front-line staff"
    MANAGEMENT = "management", "Management and executive"
    ACADEMIC = "academic", "Academic and research"
    PUBLIC = "public", "Patient, carer or member of the public"
    OTHER = "other", "Other"


#: The professional groups that count as "professionals and front-line staff" (STAFF).
FRONT_LINE_GROUPS = frozenset(
    {ProfessionalGroup.CLINICAL, ProfessionalGroup.NURSING_AHP, ProfessionalGroup.SOCIAL_CARE}
)


class MembershipRole(models.TextChoices):
    DIRECTOR = "director", "Director"
    CO_DIRECTOR = "co_director", "Co-director"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    MANAGEMENT_GROUP = "management_group", "Management group member"
    WORKING_GROUP_LEAD = "working_group_lead", "Working-group lead"
    THEME_LEAD = "theme_lead", "Theme lead"
    PPI_LEAD = "ppi_lead", "PPI lead"
    MEMBER = "member", "Member"


class MembershipChangeKind(models.TextChoices):
    """What happened to a membership (teams.models.MembershipChange)."""

    ADDED = "added", "Added"
    ENDED = "ended", "Ended"
    ROLE_CHANGED = "role_changed", "Role changed"


class ProposalStatus(models.TextChoices):
    """Where a membership proposed by an accredited application stands (teams.models.ProposedMembership)."""

    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class LeadSide(models.TextChoices):
    """Which side a working-group lead represents: every working group has one of each."""

    ACADEMIC = "academic", "Academic"
    SERVICE = "service", "Service"


class Role(models.TextChoices):
    """Every role of docs/domain.md section 4, whichever record grants it.

    Programme-wide roles are RoleAssignment rows; HIT roles come from Membership rows; panel roles
    come from accreditation.PanelMember rows. `teams.roles.roles_of` gathers them.
    """

    APPLICANT = "applicant", "Applicant"
    HIT_MEMBER = "hit_member", "HIT member"
    HIT_DIRECTOR = "hit_director", "HIT director"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    REVIEWER = "reviewer", "Reviewer"
    LAY_REVIEWER = "lay_reviewer", "Lay (public review group) reviewer"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    PPI_FACILITATOR = "ppi_facilitator", "PPI facilitator"
    BOARD_MEMBER = "board_member", "Board member"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"


class ProgrammeRole(models.TextChoices):
    """Roles granted programme-wide by a RoleAssignment (not tied to a HIT or a panel)."""

    APPLICANT = Role.APPLICANT.value, Role.APPLICANT.label
    PPI_FACILITATOR = Role.PPI_FACILITATOR.value, Role.PPI_FACILITATOR.label
    BOARD_MEMBER = Role.BOARD_MEMBER.value, Role.BOARD_MEMBER.label
    PROGRAMME_MANAGER = Role.PROGRAMME_MANAGER.value, Role.PROGRAMME_MANAGER.label


# --- Life after accreditation: related HITs, documents, meetings, sponsor log, closure ----------------
# Services in teams/services/lifecycle.py write these rows; teams/selectors/lifecycle.py reads them.


class HITLinkKind(models.TextChoices):
    COORDINATION = "coordination", "Coordination"
    OVERLAP = "overlap", "Overlapping work"
    JOINT_ACTIVITY = "joint_activity", "Joint activity"


class SponsorInteractionKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    EVENT = "event", "Event"
    OTHER = "other", "Other"


# --- Data protection (UK GDPR) requests ----------------------------------------------------------------
# hitportal/gdpr/services.py writes these rows; the audit log (hitportal/audit/selectors.py) lists them.


class GdprActionKind(models.TextChoices):
    EXPORT = "export", "Data exported"
    ERASE = "erase", "Person erased"


# --- Programme administration: role changes and vocabulary changes -----------------------------------
# teams/services/administration.py writes these rows; the audit log (hitportal/audit/selectors.py) lists them.


class SecurityEventKind(models.TextChoices):
    """What changed about how a login signs in (teams.SecurityEvent, listed in the audit log)."""

    FACTOR_ADDED = "factor_added", "Authenticator app set up"
    FACTOR_REMOVED = "factor_removed", "Authenticator app removed"
    RECOVERY_CODES_CREATED = "recovery_codes", "New recovery codes made"
    RECOVERY_CODE_USED = "recovery_used", "Recovery code used"
    PASSKEY_ADDED = "passkey_added", "Passkey added"
    PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
    SSO_LINKED = "sso_linked", "Linked to single sign-on"
    SSO_CREATED = "sso_created", "Login created by single sign-on"


class RoleChangeKind(models.TextChoices):
    GRANTED = "granted", "Granted"
    REVOKED = "revoked", "Revoked"


class VocabularyKind(models.TextChoices):
    """The vocabularies of docs/domain.md section 2 a programme manager edits in the portal."""

    STAKEHOLDER_CATEGORY = "stakeholder_category", "Stakeholder categories"
    ORGANISATION_TYPE = "organisation_type", "Organisation types"
    THEME = "theme", "Cross-cutting themes"
    DOCUMENT_TYPE = "document_type", "Document types"
    OUTCOME_DOMAIN = "outcome_domain", "Outcome domains"


class VocabularyChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    RENAMED = "renamed", "Renamed"
    SWITCHED_OFF = "switched_off", "Switched off"
    SWITCHED_ON = "switched_on", "Switched on"
    CHANGED = "changed", "Changed"
