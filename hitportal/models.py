"""Abstract bases shared by every app's models."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, **kwargs: object) -> None:
        """Every save moves `updated_at` on, a partial one (`update_fields`) included.

        `updated_at` is the row's version for the edit forms (core.concurrency): a save that left it
        behind would let a stale form overwrite the change it made.
        """
        update_fields = kwargs.get("update_fields")
        if update_fields and "updated_at" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "updated_at"]
        super().save(**kwargs)  # type: ignore[arg-type]


def choices_constraint(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A named CheckConstraint that keeps `field` within its TextChoices at the database level."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)
