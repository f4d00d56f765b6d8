"""Enumerations of the engagement app (docs/domain.md section 5)."""

from django.db import models


class Depth(models.IntegerChoices):
    """Engagement depth of one stakeholder (docs/domain.md R4.4)."""

    NONE = 0, "0 - not engaged"
    INFORMED = 1, "1 - informed or consulted"
    MEMBER = 2, "2 - member of a HIT group"
    LEADERSHIP = 3, "3 - leadership or decision role"


class StakeholderSource(models.TextChoices):
    MANUAL = "manual", "Entered on the map"
    MEMBERSHIP = "membership", "HIT membership"
    APPLICATION = "application", "Application stakeholder table"


class InvolvementLevel(models.TextChoices):
    INFORM = "inform", "Inform"
    CONSULT = "consult", "Consult"
    INVOLVE = "involve", "Involve"
    COPRODUCE = "coproduce", "Co-produce"
    USER_LED = "user_led", "User-led"


class ActivityType(models.TextChoices):
    MEETING = "meeting", "Group meeting"
    WORKSHOP = "workshop", "Workshop or event"
    SURVEY = "survey", "Survey or consultation"
    DOCUMENT_REVIEW = "document_review", "Reviewing documents"
    RECRUITMENT = "recruitment", "Recruitment or interviewing"
    GOVERNANCE = "governance", "Governance or decision forum"
    RESEARCH = "research", "Research design or delivery"
    OTHER = "other", "Other"


class DecisionForum(models.TextChoices):
    NONE = "none", "No decision forum"
    DELIVERY = "delivery", "Service delivery or satisfaction only"
    HIT_GROUP = "hit_group", "A HIT working or thematic group"
    HIT_LEADERSHIP = "hit_leadership", "HIT management or steering group"
    COMMISSIONING = "commissioning", "Commissioning, board or policy forum"


class Recognition(models.TextChoices):
    NONE = "none", "None"
    EXPENSES = "expenses", "Expenses"
    PAYMENT = "payment", "Payment"
    VOUCHER = "voucher", "Voucher or gift"
    OTHER = "other", "Other recognition"


class PPIStandard(models.TextChoices):
    """The six UK Standards for Public Involvement."""

    INCLUSIVE = "inclusive_opportunities", "Inclusive opportunities"
    WORKING_TOGETHER = "working_together", "Working together"
    SUPPORT = "support_and_learning", "Support and learning"
    COMMUNICATIONS = "communications", "Communications"
    IMPACT = "impact", "Impact"
    GOVERNANCE = "governance", "Governance"


class StandardRating(models.IntegerChoices):
    NOT_STARTED = 0, "Not started"
    EMERGING = 1, "Emerging"
    ESTABLISHED = 2, "Established"
    EXEMPLARY = 3, "Exemplary"


class SupportStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Dimension(models.TextChoices):
    """Readiness dimensions: the nine maturity elements plus capacity."""

    TRUST = "trust", "Trust"
    FAITH = "faith", "Faith"
    CONFIDENCE = "confidence", "Confidence"
    CULTURAL_INTEGRATION = "cultural_integration", "Ease of cultural integration"
    LEGITIMACY = "legitimacy", "Perceived legitimacy"
    COMMUNICATION = "communication", "Interpersonal communication"
    CLARITY = "clarity", "Clarity of vision"
    SHAREDNESS = "sharedness", "Sharedness of vision"
    RISK_TOLERANCE = "risk_tolerance", "Risk tolerance"
    CAPACITY = "capacity", "Capacity (time and resources)"


MATURITY_ELEMENTS = tuple(d for d in Dimension if d != Dimension.CAPACITY)


class RoleGroup(models.TextChoices):
    LEADERSHIP = "leadership", "Senior leadership"
    CLINICAL = "clinical", "Clinical or professional staff"
    MANAGEMENT = "management", "Management and administration"
    ACADEMIC = "academic", "Academic or research"
    PUBLIC = "public", "Patient, carer or public member"
    OTHER = "other", "Other"


class MaturityLevel(models.IntegerChoices):
    PATHOLOGICAL = 1, "Pathological"
    BUREAUCRATIC = 2, "Bureaucratic"
    GENERATIVE = 3, "Generative"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ScoreKind(models.TextChoices):
    COVERAGE = "coverage", "Engagement coverage"
    READINESS = "readiness", "Readiness"


class NetworkRoundStatus(models.TextChoices):
    """Where a partnership network round stands (engagement.workflow.NETWORK_ROUND_WORKFLOW)."""

    PLANNED = "planned", "Planned"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class CollaborationLevel(models.IntegerChoices):
    """The Levels of Collaboration scale a partner is rated on (docs/domain.md section 8)."""

    NONE = 0, "0 None"
    NETWORKING = 1, "1 Networking"
    COOPERATION = 2, "2 Cooperation"
    COORDINATION = 3, "3 Coordination"
    COALITION = 4, "4 Coalition"
    COLLABORATION = 5, "5 Collaboration"


class NetworkSource(models.TextChoices):
    """Where a stored network comes from: a network round's ratings, or the HIT's groups."""

    ROUND = "round", "Network round"
    CO_MEMBERSHIP = "co_membership", "Co-membership of the HIT's groups"
