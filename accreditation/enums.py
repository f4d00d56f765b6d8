from django.db import models


class PanelRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    REVIEWER = "reviewer", "Reviewer"
    LAY_REVIEWER = "lay_reviewer", "Lay (public review group) reviewer"


class PanelSeatChange(models.TextChoices):
    ADDED = "added", "Seated"
    REMOVED = "removed", "Removed"
    REPLACED = "replaced", "Replaced"


class RoundChangeKind(models.TextChoices):
    """What happened to a round (accreditation.models.RoundChange)."""

    CREATED = "created", "Round created"
    CHANGED = "changed", "Round changed"
    PANEL_CREATED = "panel_created", "Panel created"


class ApplicationKind(models.TextChoices):
    NEW = "new", "New accreditation"
    RENEWAL = "renewal", "Renewal"


class ConflictDeclaration(models.TextChoices):
    PENDING = "pending", "Not yet declared"
    NONE = "none", "No conflict"
    DECLARED = "declared", "Conflict declared"


class ConflictResolution(models.TextChoices):
    OPEN = "open", "Awaiting the chair"
    DISMISSED = "dismissed", "Dismissed (no real conflict)"
    WAIVED = "waived", "Waived with a note"
    RECUSED = "recused", "Recused"


class Recommendation(models.TextChoices):
    ACCREDIT = "accredit", "Accredit"
    ACCREDIT_WITH_CONDITIONS = "accredit_with_conditions", "Accredit with conditions"
    REVISE = "revise", "Revise and resubmit"
    DEFER = "defer", "Defer"
    NOT_ACCREDIT = "not_accredit", "Do not accredit"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class FeedbackStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"


class DecisionOutcome(models.TextChoices):
    ACCREDITED = "accredited", "Accredited"
    ACCREDITED_WITH_CONDITIONS = "accredited_with_conditions", "Accredited with conditions"
    DEFERRED = "deferred", "Deferred"
    NOT_ACCREDITED = "not_accredited", "Not accredited"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    FEEDBACK = "feedback", "Feedback released"
    ACCREDITED = "accredited", "Accredited"
    ACCREDITED_WITH_CONDITIONS = "accredited_with_conditions", "Accredited with conditions"
    DEFERRED = "deferred", "Deferred"
    NOT_ACCREDITED = "not_accredited", "Not accredited"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConditionStatus(models.TextChoices):
    OPEN = "open", "Open"
    AWAITING_ACCEPTANCE = "awaiting_acceptance", "Awaiting acceptance"
    CLOSED = "closed", "Closed"


class EOIStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    INVITED = "invited", "Invited to apply"
    DECLINED = "declined", "Declined"
