"""The base app's own tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """The one-time key of a create form, claimed by its first submission (core.idempotency).

    A second submission of the same form (a double click, two tabs, the back button, a retry after a
    lost answer) finds the key taken and is sent to what the first one created instead of creating
    it again. Rows are deleted a few days later; by then no open form still carries the key.
    """

    key = models.UUIDField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
