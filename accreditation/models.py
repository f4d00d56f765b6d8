"""Rounds (calls) and their review panels."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from accreditation.enums import PanelRole
from hitportal.models import TimeStampedModel, choices_constraint


class Round(TimeStampedModel):
    """A call for HITs: opening date, deadlines, guidance and review parameters (DOMAIN.md 3)."""

    name = models.CharField(max_length=200, unique=True)
    opens_on = models.DateField()
    eoi_deadline = models.DateField("EOI deadline")
    application_deadline = models.DateField()
    guidance = models.TextField(blank=True)
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
