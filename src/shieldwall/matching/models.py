"""Matching in the product: routes (transit times), scenarios, runs and what a run found — assignments of pledge
lines to requirements, gaps with their reasons, and the marginal value of one more unit per item class.

A scenario and its runs are marked records of the coordinator who keeps them. Assignments, gaps and marginal
values are unmarked rows of a run: they are read only through the run, and an assignment or gap only where its
pledge line and requirement are visible to the reader (see `matching.selectors`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from shieldwall.core.models import Marked, Tracked


class TransitTime(Tracked):
    """Whole days from a donor nation to a destination; the row without a destination is the nation's default
    route, and names the consolidation hub its lots pass through (hub capacities apply there)."""

    origin = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(max_length=120, blank=True, help_text="Blank: any destination")
    days = models.PositiveSmallIntegerField(validators=[MaxValueValidator(365)])
    hub = models.CharField(max_length=120, blank=True,
                           help_text="Consolidation hub of the donor's lots (only on the default route)")

    class Meta:
        ordering = ["origin__code", "destination"]
        constraints = [
            models.UniqueConstraint(fields=["origin", "destination"], name="transit_once",
                                    violation_error_message="this route already has a transit time"),
        ]

    def __str__(self) -> str:
        return f"{self.origin_id} → {self.destination or 'anywhere'}: {self.days} d"

    def clean(self) -> None:
        super().clean()
        if self.hub and self.destination:
            raise ValidationError({"hub": "a consolidation hub is set on the nation's default route (no destination)"})


class Scenario(Marked):
    """A named set of matching inputs and parameters: what is in scope, how lateness is discounted, and weekly
    hub capacities. Empty scope lists mean "all"."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    half_life_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A unit arriving this many days late is worth half as much")
    max_lateness_days = models.PositiveSmallIntegerField(
        default=56, validators=[MaxValueValidator(730)], help_text="Later than this, a unit is worth nothing")
    areas = models.ManyToManyField("catalogue.CapabilityArea", blank=True, related_name="+")
    item_classes = models.ManyToManyField("catalogue.ItemClass", blank=True, related_name="+")
    donors = models.ManyToManyField("coalition.Nation", blank=True, related_name="+")
    priority_min = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1),
                                                                           MaxValueValidator(5)])
    priority_max = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1),
                                                                           MaxValueValidator(5)])
    need_by_from = models.DateField(null=True, blank=True)
    need_by_to = models.DateField(null=True, blank=True)

    class Meta(Marked.Meta):
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.priority_min and self.priority_max and self.priority_min > self.priority_max:
            raise ValidationError({"priority_max": "the lowest priority cannot come before the highest"})
        if self.need_by_from and self.need_by_to and self.need_by_from > self.need_by_to:
            raise ValidationError({"need_by_to": "the window ends before it starts"})


class ScenarioHubCapacity(Tracked):
    """Units a hub can forward in the ISO week starting on `week_start` (a Monday); weeks without a row are
    uncapacitated."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="hub_capacities")
    hub = models.CharField(max_length=120)
    week_start = models.DateField()
    capacity = models.PositiveIntegerField(validators=[MaxValueValidator(10**9)])

    class Meta:
        ordering = ["hub", "week_start"]
        constraints = [models.UniqueConstraint(fields=["scenario", "hub", "week_start"], name="hub_week_once")]

    def __str__(self) -> str:
        return f"{self.hub} week of {self.week_start}: {self.capacity}"

    def clean(self) -> None:
        super().clean()
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": "a hub week starts on a Monday"})


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ApprovalStatus(models.TextChoices):
    QUEUED = "queued", "Approval under way"
    FAILED = "failed", "Approval refused"


class MatchingRun(Marked):
    """One solve of a scenario: its state and progress while it runs, then what it found, the fingerprint of the
    inputs it used (approval is refused once they changed) and, once approved, who approved it."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    half_life_days = models.PositiveSmallIntegerField(default=14)
    max_lateness_days = models.PositiveSmallIntegerField(default=56)
    solved_on = models.DateField(null=True, blank=True, help_text="Lines available earlier count from this day")
    inputs_fingerprint = models.CharField(max_length=64, blank=True)
    # Per-record hashes of the inputs ({"lines": {id: hash}, "requirements": {id: hash}, "context": hash}), so
    # a stale run can say how many records changed.
    inputs = models.JSONField(default=dict, blank=True)
    objective = models.DecimalField(max_digits=24, decimal_places=3, null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    # An approval asked for from a page or the API runs as a task: queued until it is done (approved_at set) or
    # refused (failed, with the reason).
    approval_status = models.CharField(max_length=10, choices=ApprovalStatus.choices, blank=True)
    approval_error = models.CharField(max_length=500, blank=True)

    class Meta(Marked.Meta):
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="run_progress_percent"),
            models.CheckConstraint(condition=Q(finished_at__isnull=True) | Q(started_at__isnull=False),
                                   name="run_finished_after_start"),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.scenario_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def is_settled(self) -> bool:
        """Nothing more will happen by itself: finished, and no approval under way."""
        return self.is_finished and self.approval_status != ApprovalStatus.QUEUED


class Assignment(models.Model):
    """`quantity` units of a pledge line go to a requirement, arriving on `expected_arrival`; `value` is the
    objective's (priority weight × timeliness per unit), `value_eur` the line's EUR value of those units."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="assignments")
    line = models.ForeignKey("pledges.PledgeLine", on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey("needs.Requirement", on_delete=models.PROTECT, related_name="+")
    # The line's donor (its originating nation), kept here so per-donor sums need not go through the line.
    donor = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    expected_arrival = models.DateField()
    lateness_days = models.PositiveIntegerField(default=0)
    value = models.DecimalField(max_digits=24, decimal_places=3)
    value_eur = models.DecimalField(max_digits=18, decimal_places=2)
    # Set on approval: the line allocated for this assignment (the line itself, or the part split off it).
    allocated_line = models.ForeignKey("pledges.PledgeLine", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")

    class Meta:
        ordering = ["run", "requirement", "line"]
        indexes = [models.Index(fields=["run", "requirement"]), models.Index(fields=["run", "line"])]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="assignment_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.line_id} → requirement {self.requirement_id}"


REASON_LABELS = {
    "nothing_compatible": "nothing compatible offered",
    "restricted": "restricted by the donor",
    "too_late": "offered, but too late (or no route)",
    "hub_capacity": "hub capacity",
    "taken_by_higher_priority": "taken by higher priority",
}


class Gap(models.Model):
    """Unmet units of a requirement in a run, split by reason (`reasons`: {reason: units}, only reasons with
    units); `required` is what the run tried to cover (the requirement's quantity not yet allocated)."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="gaps")
    requirement = models.ForeignKey("needs.Requirement", on_delete=models.PROTECT, related_name="+")
    required = models.PositiveIntegerField()
    unmet = models.PositiveIntegerField()
    reasons = models.JSONField(default=dict)
    primary = models.CharField(max_length=30)

    class Meta:
        ordering = ["run", "requirement"]
        constraints = [
            models.UniqueConstraint(fields=["run", "requirement"], name="gap_once"),
            models.CheckConstraint(condition=Q(unmet__lte=F("required")), name="gap_unmet_le_required"),
        ]

    def __str__(self) -> str:
        return f"{self.unmet} unmet of requirement {self.requirement_id}"

    @property
    def reason_labels(self) -> list[tuple[str, int]]:
        return [(REASON_LABELS.get(k, k), v) for k, v in sorted(self.reasons.items(), key=lambda kv: -kv[1])]

    @property
    def primary_label(self) -> str:
        return REASON_LABELS.get(self.primary, self.primary)


class MarginalValue(models.Model):
    """The objective gained by one more on-time unit satisfying `item_class` (the dual price of the class)."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="marginal_values")
    item_class = models.ForeignKey("catalogue.ItemClass", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=24, decimal_places=3)

    class Meta:
        ordering = ["run", "-value", "item_class"]
        constraints = [models.UniqueConstraint(fields=["run", "item_class"], name="marginal_value_once")]

    def __str__(self) -> str:
        return f"{self.item_class_id}: {self.value}"
