"""Hubs, shipments of pledge lines through them, and the recipient's receipts (DESIGN.md §4).

Hubs and shipments are marked. Stops, shipment lines, receipts and receipt lines belong to their shipment and
are read only through it (their visibility is the shipment's).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from shieldwall.core.models import Marked, Tracked


class Hub(Marked):
    """A logistics hub: where it is, whose it is, how many shipments it can handle a day."""

    name = models.CharField(max_length=200)
    nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    location = models.CharField(max_length=200, help_text="Place name, e.g. 'Rzeszów-Jasionka'")
    latitude = models.DecimalField(max_digits=8, decimal_places=5,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(max_digits=8, decimal_places=5,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    capacity_per_day = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text="Shipments the hub can handle a day")
    notes = models.TextField(blank=True)

    class Meta(Marked.Meta):
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TransportMode(models.TextChoices):
    ROAD = "road", "Road"
    RAIL = "rail", "Rail"
    AIR = "air", "Air"
    SEA = "sea", "Sea"
    MULTIMODAL = "multimodal", "Multimodal"


class ShipmentStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DISPATCHED = "dispatched", "Dispatched"
    AT_HUB = "at_hub", "At hub"
    HANDED_OVER = "handed_over", "Handed over"
    RECEIVED = "received", "Received"
    LOST = "lost", "Lost"
    DAMAGED = "damaged", "Damaged"


class Shipment(Marked):
    """Units of one donor's pledge lines on their way to the recipient, through hubs."""

    reference = models.CharField(max_length=60, blank=True)
    recipient = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(max_length=200)
    destination = models.CharField(max_length=200)
    transport_mode = models.CharField(max_length=12, choices=TransportMode.choices, default=TransportMode.ROAD)
    planned_dispatch = models.DateField()
    planned_arrival = models.DateField()
    dispatched_on = models.DateField(null=True, blank=True)
    handed_over_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.PLANNED)
    incident_on = models.DateField(null=True, blank=True)
    incident_report = models.TextField(blank=True, help_text="What happened, for a lost or damaged shipment")
    notes = models.TextField(blank=True)

    class Meta(Marked.Meta):
        ordering = ["-planned_dispatch", "-id"]
        indexes = [models.Index(fields=["status", "planned_arrival"]),
                   models.Index(fields=["status", "planned_dispatch"])]
        constraints = [
            models.CheckConstraint(condition=Q(planned_arrival__gte=F("planned_dispatch")),
                                   name="shipment_planned_ordered",
                                   violation_error_message="the planned arrival cannot be before the dispatch"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Shipment {self.pk}"


class ShipmentStop(Tracked):
    """A hub on the way, in order, with its planned and actual times."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="stops")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="stops")
    sequence = models.PositiveSmallIntegerField()
    planned_arrival = models.DateField()
    planned_departure = models.DateField()
    arrived_on = models.DateField(null=True, blank=True)
    departed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["shipment", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "sequence"], name="stop_sequence_once"),
            models.CheckConstraint(condition=Q(planned_departure__gte=F("planned_arrival")),
                                   name="stop_planned_ordered"),
        ]
        indexes = [models.Index(fields=["hub", "planned_arrival"])]

    def __str__(self) -> str:
        return f"{self.sequence}. hub {self.hub_id}"


class ShipmentLine(Tracked):
    """Units of one pledge line in a shipment; `received_quantity` is the sum of its receipt lines."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    pledge_line = models.ForeignKey("pledges.PledgeLine", on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10**9)])
    received_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["shipment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "pledge_line"], name="shipment_line_once"),
            models.CheckConstraint(condition=Q(received_quantity__lte=F("quantity")),
                                   name="shipment_received_le_shipped"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.pledge_line_id}"


class Condition(models.TextChoices):
    GOOD = "good", "Good"
    DAMAGED = "damaged", "Damaged"
    UNUSABLE = "unusable", "Unusable"


class Receipt(Tracked):
    """The recipient confirms what arrived: quantities per line, condition, discrepancies."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="receipts")
    received_on = models.DateField()
    unit = models.CharField(max_length=200, help_text="The receiving unit or depot")
    location = models.CharField(max_length=200, blank=True)
    discrepancies = models.TextField(blank=True)
    final = models.BooleanField(default=False, help_text="Closes the shipment: what is missing is not coming")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["shipment", "received_on", "id"]

    def __str__(self) -> str:
        return f"Receipt {self.pk} of shipment {self.shipment_id}"


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    shipment_line = models.ForeignKey(ShipmentLine, on_delete=models.CASCADE, related_name="receipt_lines")
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.GOOD)

    class Meta:
        ordering = ["receipt", "id"]
        constraints = [models.UniqueConstraint(fields=["receipt", "shipment_line"], name="receipt_line_once")]

    def __str__(self) -> str:
        return f"{self.quantity} ({self.condition})"
