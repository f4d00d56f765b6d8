from django.db import models


class PanelRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    REVIEWER = "reviewer", "Reviewer"
    LAY_REVIEWER = "lay_reviewer", "Lay (public review group) reviewer"
