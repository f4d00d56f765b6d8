"""Enumerations of the reporting app (docs/domain.md section 3, "Progress report")."""

from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    SKIPPED = "skipped", "Skipped"


# The team holds the report in these states: it can be edited, is reminded about and may be overdue.
WITH_TEAM = (ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED)
# A HIT has at most one report in these states at a time (a database constraint).
OPEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.CHANGES_REQUESTED)


class Concept(models.TextChoices):
    """The four concepts (docs/domain.md section 1): two processes lead to two outcomes."""

    WSE = "WSE", "Whole-system engagement"
    COLLAB = "COLLAB", "Collaboration"
    INTEG = "INTEG", "Integration"
    INNOV = "INNOV", "Innovation"


class IndicatorRatingValue(models.IntegerChoices):
    """F8: how far an indicator is evidenced."""

    ABSENT = 0, "0 - absent"
    PLANNED = 1, "1 - planned"
    PARTLY = 2, "2 - partly evidenced"
    STRONGLY = 3, "3 - strongly evidenced"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    MET_ON_TIME = "met_on_time", "Met on time"
    LATE = "late", "Met late"
    MISSED = "missed", "Missed"


class FundingStatus(models.TextChoices):
    SECURED = "secured", "Secured"
    PENDING = "pending", "Pending"
    AT_RISK = "at_risk", "At risk"
    NONE = "none", "No funding"


class RiskKind(models.TextChoices):
    RISK = "risk", "Risk"
    CONFLICT = "conflict", "Conflict"


# --- Exports (GitHub issue 6) ------------------------------------------------------------------------


class ExportKind(models.TextChoices):
    HITS = "hits", "HITs"
    APPLICATIONS = "applications", "Applications"
    REPORTS = "reports", "Progress reports"
    STAKEHOLDERS = "stakeholders", "Stakeholder map"
    READINESS = "readiness", "Readiness results"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being written"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"
