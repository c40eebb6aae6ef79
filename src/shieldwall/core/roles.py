"""The roles a user can hold (DESIGN.md §2)."""

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    DONOR = "donor", "Donor officer"
    RECIPIENT = "recipient", "Recipient officer"
    ANALYST = "analyst", "Analyst"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"
