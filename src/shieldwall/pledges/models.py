"""Packages, their funders, pledge lines and the dated, attributed history of each line's lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from shieldwall.core.models import Marked, Tracked


class PackageSource(models.TextChoices):
    STOCK = "stock", "From stocks"
    PROCUREMENT = "procurement", "New procurement"
    FINANCING = "financing", "Financing"


class Package(Marked):
    """A donor's package — or a co-funded one (PURL-style) with each funder's share in `funders`."""

    title = models.CharField(max_length=200)
    date = models.DateField()
    source = models.CharField(max_length=12, choices=PackageSource.choices)
    announcement = models.ForeignKey(
        "coalition.Announcement", on_delete=models.SET_NULL, null=True, blank=True, related_name="packages"
    )
    agreement = models.ForeignKey(
        "coalition.SecurityAgreement", on_delete=models.SET_NULL, null=True, blank=True, related_name="packages"
    )
    description = models.TextField(blank=True)

    class Meta(Marked.Meta):
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class PackageFunder(Tracked):
    """One funder of a package and its share (shares of a package add up to 1)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="funders")
    nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(
        max_digits=7, decimal_places=6, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )

    class Meta:
        ordering = ["-share", "nation__code"]
        constraints = [
            models.UniqueConstraint(fields=["package", "nation"], name="funder_once"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="funder_share_range"),
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} {self.share}"


class LineStatus(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    COMMITTED = "committed", "Committed"
    ALLOCATED = "allocated", "Allocated"
    CONTRACTED = "contracted", "Contracted"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


# Stages that count in totals: announced-only pledges never do (as in FTS), nor cancelled ones.
COUNTED_STATUSES = (LineStatus.COMMITTED, LineStatus.ALLOCATED, LineStatus.CONTRACTED, LineStatus.SHIPPED,
                    LineStatus.DELIVERED)
ALLOCATED_OR_LATER = (LineStatus.ALLOCATED, LineStatus.CONTRACTED, LineStatus.SHIPPED, LineStatus.DELIVERED)


class ValuationMethod(models.TextChoices):
    REPORTED = "reported", "Reported by donor"
    NEW_MARKET_PRICE = "market", "New market price"
    REPLACEMENT_COST = "replacement", "Replacement cost"
    NET_BOOK_VALUE = "book", "Net book value"


class Restriction(models.TextChoices):
    TERRITORY_ONLY = "territory_only", "Not for use outside the partner's territory"
    NO_RETRANSFER = "no_retransfer", "No re-transfer without donor consent"
    DEFENSIVE_ONLY = "defensive_only", "Defensive use only"
    END_USE_MONITORING = "eeum", "Enhanced end-use monitoring"


class PledgeLine(Marked):
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="lines")
    # An item type for in-kind lines; none for a financing line (an amount of money).
    item_type = models.ForeignKey(
        "catalogue.ItemType", on_delete=models.PROTECT, null=True, blank=True, related_name="pledge_lines"
    )
    description = models.CharField(max_length=300, blank=True)
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10**9)])
    value_amount = models.DecimalField(max_digits=18, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="EUR")
    value_date = models.DateField()
    fx_rate = models.DecimalField(max_digits=16, decimal_places=6, help_text="Units of currency per 1 EUR (ECB)")
    value_eur = models.DecimalField(max_digits=18, decimal_places=2)
    valuation_method = models.CharField(max_length=12, choices=ValuationMethod.choices,
                                        default=ValuationMethod.REPORTED)
    available_from = models.DateField(null=True, blank=True)
    restrictions = models.TextField(blank=True)
    restriction_flags = models.JSONField(default=list, blank=True)
    excluded_uses = models.JSONField(default=list, blank=True, help_text="Use categories the donor excludes")
    status = models.CharField(max_length=12, choices=LineStatus.choices, default=LineStatus.ANNOUNCED)
    requirement = models.ForeignKey(
        "needs.Requirement", on_delete=models.PROTECT, null=True, blank=True, related_name="pledge_lines",
        help_text="The requirement this line is pledged against or allocated to",
    )
    shipped_quantity = models.PositiveIntegerField(default=0)
    delivered_quantity = models.PositiveIntegerField(default=0)
    cancel_reason = models.CharField(max_length=300, blank=True)
    split_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(Marked.Meta):
        ordering = ["package", "id"]
        indexes = [
            models.Index(fields=["requirement", "status"]),
            models.Index(fields=["status"]),
            models.Index(fields=["item_type", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(delivered_quantity__lte=F("shipped_quantity")),
                                   name="line_delivered_le_shipped"),
            models.CheckConstraint(condition=Q(shipped_quantity__lte=F("quantity")), name="line_shipped_le_quantity"),
        ]

    def __str__(self) -> str:
        what = self.description or (str(self.item_type_id) if self.item_type_id else "financing")
        return f"{self.quantity} × {what}"


class PledgeEvent(models.Model):
    """One step of a line's lifecycle: when it took effect, who recorded it, how many units it concerned."""

    line = models.ForeignKey(PledgeLine, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=LineStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=LineStatus.choices)
    quantity = models.PositiveIntegerField(default=0)
    value_eur = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    effective_date = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["effective_date", "id"]
        indexes = [models.Index(fields=["to_status", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.from_status or '∅'} → {self.to_status} on {self.effective_date}"
