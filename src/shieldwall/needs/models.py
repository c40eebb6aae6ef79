"""A requirement: what the partner needs, how urgently, by when and where (marked)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from shieldwall.core.models import Marked


class RequirementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VALIDATED = "validated", "Validated"
    OPEN = "open", "Open"
    PARTIALLY_MET = "partially_met", "Partially met"
    MET = "met", "Met"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Statuses in which a requirement is on the published list that donors pledge against and matching fills.
ACTIVE_STATUSES = (RequirementStatus.OPEN, RequirementStatus.PARTIALLY_MET)


class UseCategory(models.TextChoices):
    """What the items will be used for; donors may exclude some uses (matching honours it)."""

    FRONT_LINE = "front_line", "Front-line combat"
    TERRITORIAL_AIR_DEFENCE = "territorial_air_defence", "Territorial air defence"
    CROSS_BORDER = "cross_border", "Operations beyond the partner's territory"
    TRAINING = "training", "Training"
    SUSTAINMENT = "sustainment", "Sustainment and repair"
    HUMANITARIAN = "humanitarian", "Humanitarian demining and civil protection"


class Requirement(Marked):
    item_class = models.ForeignKey("catalogue.ItemClass", on_delete=models.PROTECT, related_name="requirements")
    title = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10**9)])
    priority = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 = most urgent … 5"
    )
    need_by = models.DateField()
    destination = models.CharField(max_length=120, help_text="A hub or a region")
    use_category = models.CharField(max_length=30, choices=UseCategory.choices, default=UseCategory.FRONT_LINE)
    justification = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=RequirementStatus.choices, default=RequirementStatus.DRAFT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Why it was last returned to draft or withdrawn (shown to the recipient; the audit log keeps each one).
    status_reason = models.CharField(max_length=500, blank=True)

    class Meta(Marked.Meta):
        ordering = ["priority", "need_by", "id"]
        indexes = [
            models.Index(fields=["status", "priority", "need_by"]),
            models.Index(fields=["item_class", "status"]),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.quantity} × {self.item_class_id} (P{self.priority})"
