"""The abstract bases every app's models build on, and the base app's own table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.validators import LONG_TEXT
from core.workflow import Workflow


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(
        self,
        *,
        force_insert: bool | tuple[models.base.ModelBase, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        """Every save moves `updated_at` on, a partial one (`update_fields`) included.

        `updated_at` is the row's version for the edit forms (core.concurrency): a save that left it
        behind would let a stale form overwrite the change it made.
        """
        if update_fields is not None:
            update_fields = list(update_fields)
            if update_fields and "updated_at" not in update_fields:
                update_fields.append("updated_at")
        super().save(
            force_insert=force_insert, force_update=force_update, using=using, update_fields=update_fields
        )


def choices_constraint(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A named CheckConstraint that keeps `field` within its TextChoices at the database level."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


class StatusEvent(models.Model):
    """One recorded move of an object along its workflow (core.workflow): who, what, from, to, why, when.

    Every event table extends it with the foreign key to its object (the related manager that
    `core.workflow.perform` writes through) and names `workflow`, the table that labels its actions
    and states. The audit log (hitportal/audit/selectors.py) lists every table that extends it.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=32)
    to_status = models.CharField(max_length=32)
    comment = models.TextField(blank=True, max_length=LONG_TEXT)
    # A default, not auto_now_add, so a row can be written with an earlier time (demo data, tests).
    created_at = models.DateTimeField(default=timezone.now)

    workflow: ClassVar[Workflow]

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        # The audit log reads each event table newest first, a page at a time.
        indexes = [models.Index(fields=["created_at", "id"])]

    @property
    def action_label(self) -> str:
        return self.workflow.label_for(self.action)

    @property
    def from_label(self) -> str:
        return self.workflow.state_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self.workflow.state_label(self.to_status)


class FormSubmission(TimeStampedModel):
    """The one-time key of a create form, claimed by its first submission (core.idempotency).

    A second submission of the same form (a double click, two tabs, the back button, a retry after a
    lost answer) finds the key taken and is sent to what the first one created instead of creating
    it again. Rows are deleted a few days later; by then no open form still carries the key.
    """

    key = models.UUIDField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            # The claim itself: the second INSERT of a key fails, on every database, whatever the timing.
            models.UniqueConstraint(fields=["key"], name="core_formsubmission_key_unique"),
        ]
        indexes = [
            # The nightly clean-up deletes by age.
            models.Index(fields=["created_at"], name="core_formsubmission_age_idx"),
        ]

    def __str__(self) -> str:
        return f"Form {self.key}"
