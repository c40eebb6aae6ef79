"""Serial-numbered items, their custody chain, inspections, disposition and loss reports (DESIGN.md §4).

Serial items, inspections, disposition reports and loss reports are marked, RESTRICTED // REL TO the donor and
the recipient by default; an item handed on to another ally adds that nation to its REL TO rows, never removing
the donor's. Custody transfers, findings and report lines belong to their item or report and are read only
through it. `next_inspection_due`, `last_inventory_on` and `unaccounted` are kept by the services so that the
compliance dashboard counts by indexed columns instead of replaying histories.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from shieldwall.core.models import Marked


class SerialStatus(models.TextChoices):
    REGISTERED = "registered", "Registered, awaiting shipment"
    IN_TRANSIT = "in_transit", "In transit"
    IN_SERVICE = "in_service", "In service"
    UNDER_REPAIR = "under_repair", "Under repair"
    DESTROYED = "destroyed", "Destroyed in combat"
    LOST = "lost", "Lost"
    TRANSFERRED = "transferred", "Transferred"


# Items with a holder after receipt: they must be inspected (initial within 90 days, then annually).
ACCOUNTABLE = (SerialStatus.IN_SERVICE, SerialStatus.UNDER_REPAIR, SerialStatus.TRANSFERRED)
CLOSED = (SerialStatus.DESTROYED, SerialStatus.LOST)


class SerialItem(Marked):
    """One serial-numbered unit of a pledge line; `originator` is the donor."""

    item_type = models.ForeignKey("catalogue.ItemType", on_delete=models.PROTECT, related_name="+")
    # The item type's class, kept here so the dashboard groups without a join.
    item_class = models.ForeignKey("catalogue.ItemClass", on_delete=models.PROTECT, related_name="+")
    # Stored upper-cased (as scanners deliver them): unique per item type whatever case it was typed in.
    serial_number = models.CharField(max_length=100)
    pledge_line = models.ForeignKey("pledges.PledgeLine", on_delete=models.PROTECT, related_name="serial_items")
    shipment = models.ForeignKey("logistics.Shipment", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="serial_items")
    recipient = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=14, choices=SerialStatus.choices, default=SerialStatus.REGISTERED)
    status_since = models.DateField()
    custodian_nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    custodian_unit = models.CharField(max_length=200, blank=True)
    custodian_location = models.CharField(max_length=200, blank=True)
    custody_since = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    last_inventory_on = models.DateField(null=True, blank=True)
    next_inspection_due = models.DateField(null=True, blank=True)
    unaccounted = models.BooleanField(default=False, help_text="Not found at its last inspection")

    class Meta(Marked.Meta):
        ordering = ["item_type", "serial_number"]
        constraints = [
            models.UniqueConstraint(Upper("serial_number"), "item_type", name="serial_once_per_type",
                                    violation_error_message="this serial number is already recorded for this "
                                                            "item type"),
            models.CheckConstraint(condition=Q(serial_number=Upper("serial_number")), name="serial_upper_case",
                                   violation_error_message="serial numbers are recorded in upper case"),
        ]
        indexes = [
            models.Index(fields=["originator", "item_class", "status", "next_inspection_due"],
                         name="serial_dashboard"),
            models.Index(fields=["next_inspection_due"], name="serial_due"),
            models.Index(fields=["pledge_line", "shipment"], name="serial_line_shipment"),
            models.Index(fields=["serial_number"], name="serial_number"),
        ]

    def __str__(self) -> str:
        return self.serial_number


class TransferKind(models.TextChoices):
    REGISTERED = "registered", "Registered with the donor"
    DISPATCHED = "dispatched", "Dispatched"
    RECEIVED = "received", "Received by the recipient"
    TRANSFER = "transfer", "Transfer"


class CustodyTransfer(models.Model):
    """One link of an item's custody chain: from the previous holder to the next, on a date, by whom.

    Links are numbered from 1 and each starts where the previous ended, so the chain has no gaps; the item's
    custodian is the `to` of its last link.
    """

    item = models.ForeignKey(SerialItem, on_delete=models.CASCADE, related_name="transfers")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=TransferKind.choices)
    from_nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    from_unit = models.CharField(max_length=200, blank=True)
    from_location = models.CharField(max_length=200, blank=True)
    to_nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    to_unit = models.CharField(max_length=200, blank=True)
    to_location = models.CharField(max_length=200, blank=True)
    on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_by_name = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["item", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="custody_seq_once")]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.seq} → {self.to_nation_id} {self.to_unit}"


class InspectionKind(models.TextChoices):
    INITIAL = "initial", "Initial inventory"
    ANNUAL = "annual", "Annual inventory"
    SPOT = "spot", "Spot check"


class Inspection(Marked):
    """An inventory of one donor's items held by the recipient, by an inspector of `inspector_nation`."""

    kind = models.CharField(max_length=8, choices=InspectionKind.choices)
    inspected_on = models.DateField()
    inspector_nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    donor = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta(Marked.Meta):
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["inspected_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.inspected_on}"


class FindingResult(models.TextChoices):
    FOUND = "found", "Found"
    NOT_FOUND = "not_found", "Not found"
    DESTROYED = "destroyed", "Destroyed (with evidence)"


class InspectionFinding(models.Model):
    """What an inspection found of one item; `on_time` says whether it was done by the item's due date."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(SerialItem, on_delete=models.CASCADE, related_name="findings")
    result = models.CharField(max_length=10, choices=FindingResult.choices)
    evidence_ref = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    on_time = models.BooleanField(default=True)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="finding_once")]
        indexes = [models.Index(fields=["item", "inspection"], name="finding_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class InspectionTally(models.Model):
    """Counts of one inspection's findings per item class, kept by the inspection service: the dashboard's
    trend sums these over the inspections the reader may see instead of scanning millions of findings."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="tallies")
    item_class = models.ForeignKey("catalogue.ItemClass", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="First day of the inspection's month")
    findings = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    not_found = models.PositiveIntegerField(default=0)
    destroyed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item_class"], name="tally_once")]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_class_id}: {self.findings}"


class DispositionReport(Marked):
    """The recipient's quarterly statement of the status of every serial item of one donor; originated by the
    recipient."""

    donor = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    submitted_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta(Marked.Meta):
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["originator", "donor", "year", "quarter"], name="disposition_once",
                                    violation_error_message="a disposition report for this donor and quarter "
                                                            "is already filed"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"


class DispositionLine(models.Model):
    report = models.ForeignKey(DispositionReport, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(SerialItem, on_delete=models.CASCADE, related_name="disposition_lines")
    reported_status = models.CharField(max_length=14, choices=SerialStatus.choices)
    unit = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)
    matches = models.BooleanField(default=True, help_text="The reported status is the recorded one")

    class Meta:
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "item"], name="disposition_item_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.reported_status}"


class LossKind(models.TextChoices):
    LOST = "lost", "Lost"
    DESTROYED = "destroyed", "Destroyed in combat"


class LossReport(Marked):
    """A loss or destruction of serial items, with the circumstances and the evidence; `holder` is the nation that
    held them (the recipient, or an ally they were handed on to), `originator` the nation that filed it."""

    kind = models.CharField(max_length=10, choices=LossKind.choices)
    occurred_on = models.DateField()
    donor = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+",
                               help_text="The nation holding the items when they were lost or destroyed")
    circumstances = models.TextField()
    evidence_ref = models.CharField(max_length=200, blank=True)
    items = models.ManyToManyField(SerialItem, related_name="loss_reports")

    class Meta(Marked.Meta):
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class ItemMarking(Marked):
    """One distinct marking of serial items (classification, releasability, REL TO rows, originating donor).

    Every item's marking is one of these, so an actor may read an item exactly when it may read the item's
    marking. The compliance dashboard reads its cells through the markings the actor may see: a handful of access
    checks instead of one per item. Kept by the services with the cells; never written by anyone else.
    """

    key = models.CharField(max_length=1300, unique=True, help_text="classification|releasability|originator|REL TO")

    class Meta(Marked.Meta):
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class ComplianceCell(models.Model):
    """How many items of one marking, donor and item class are in one state (status, unaccounted, inventoried,
    next inspection due): the dashboard sums these instead of scanning the items."""

    marking = models.ForeignKey(ItemMarking, on_delete=models.CASCADE, related_name="cells")
    donor = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    item_class = models.ForeignKey("catalogue.ItemClass", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=14, choices=SerialStatus.choices)
    unaccounted = models.BooleanField(default=False)
    inventoried = models.BooleanField(default=False)
    due = models.DateField(null=True, blank=True)
    items = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["marking", "donor", "item_class", "status", "unaccounted", "inventoried", "due"],
            name="compliance_cell_once", nulls_distinct=False)]
        indexes = [models.Index(fields=["donor", "item_class"], name="cell_donor_class")]

    def __str__(self) -> str:
        return f"{self.marking_id}/{self.donor_id}/{self.item_class_id}/{self.status}/{self.due}: {self.items}"
