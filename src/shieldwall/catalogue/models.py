"""Catalogue models: what a need is expressed in (ItemClass) and what can fill it (ItemType)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models

from shieldwall.coalition.models import CapabilityAreaCode
from shieldwall.core.models import Tracked


class CapabilityArea(Tracked):
    code = models.CharField(max_length=20, unique=True, choices=CapabilityAreaCode.choices)
    name = models.CharField(max_length=100)
    capability_coalition = models.ForeignKey(
        "coalition.CapabilityCoalition", on_delete=models.SET_NULL, null=True, blank=True, related_name="areas"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemClass(Tracked):
    """What a requirement is expressed in, e.g. "155 mm artillery ammunition" (unit: rounds)."""

    area = models.ForeignKey(CapabilityArea, on_delete=models.PROTECT, related_name="item_classes")
    name = models.CharField(max_length=120, unique=True)
    unit = models.CharField(max_length=30, default="units")
    serial_tracked = models.BooleanField(default=False)
    # Family groups classes that share calibres or platforms; compatibility rarely crosses it.
    family = models.CharField(max_length=60, blank=True)
    reference_unit_price_eur = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["area__name", "name"]
        verbose_name_plural = "item classes"

    def __str__(self) -> str:
        return self.name


class ItemType(Tracked):
    """A concrete system or product, e.g. "Leopard 2A6", with a reference unit price and its source."""

    item_class = models.ForeignKey(ItemClass, on_delete=models.PROTECT, related_name="item_types")
    name = models.CharField(max_length=160, unique=True)
    reference_unit_price_eur = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    price_source = models.CharField(max_length=200, blank=True)
    price_date = models.DateField(null=True, blank=True)
    satisfies = models.ManyToManyField(ItemClass, through="Compatibility", related_name="satisfied_by")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Compatibility(Tracked):
    """An item type satisfies an item class (its own class, and possibly others)."""

    item_type = models.ForeignKey(ItemType, on_delete=models.CASCADE, related_name="compatibilities")
    item_class = models.ForeignKey(ItemClass, on_delete=models.CASCADE, related_name="compatibilities")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "compatibilities"
        constraints = [
            models.UniqueConstraint(fields=["item_type", "item_class"], name="compatibility_once",
                                    violation_error_message="this item type already satisfies this class")
        ]

    def __str__(self) -> str:
        return f"{self.item_type} satisfies {self.item_class}"
