"""Contribution facts (DESIGN.md §4) and what an imported data set brings besides them.

Amounts are stored as integer micro-euros (`amount_micro_eur`): exact like a Decimal, but summed by the
database as a 64-bit integer on SQLite and PostgreSQL alike, so a sum over a million facts is both fast and
exact (SQLite keeps DECIMAL columns as binary floats, which would not be). Values leave this module as `Decimal`
(`amount_eur`). A fact's donor is a code: an ISO 3166 alpha-3 nation, or an institution such as Kiel's "EU"
(Commission and Council), with the registry's `Nation` linked when there is one.

The metrics read `ContributionCell`s, not facts: the facts of one data set, measure, month, donor, category and
channel that share one marking, summed (a million facts make about a quarter of a million cells, of which some
54,000 are PUBLIC). A cell is marked like each of its facts, REL TO rows included, so the access rule releases a
cell exactly as far as the facts it sums. The services that write facts rewrite the cells they touch in the same
transaction, and bump the data set's `data_version`.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models

from shieldwall.core.models import Marked, Tracked

MICRO = Decimal(1_000_000)
BILLION_MICRO = Decimal(10) ** 15  # micro-euros in one billion euros
DONOR_CODE = RegexValidator(r"^[A-Z]{2,8}$", "an ISO 3166 alpha-3 code, or an institution code such as EU")
SOURCE_CODE = RegexValidator(r"^[a-z0-9][a-z0-9.-]{1,39}$", "lower-case letters, digits, dots and dashes")


class SourceKind(models.TextChoices):
    EXTERNAL = "external", "External data set"
    SYSTEM = "system", "This system's own pledges"


class Measure(models.TextChoices):
    COMMITMENT = "commitment", "Commitment"
    ALLOCATION = "allocation", "Allocation"
    DELIVERY = "delivery", "Delivery"


class Category(models.TextChoices):
    MILITARY = "military", "Military"
    FINANCIAL = "financial", "Financial"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    # Kiel reports commitments as one figure, not split by category.
    UNSPECIFIED = "unspecified", "Not broken down"


class DataSource(Tracked):
    """A named, versioned data set (`kiel-ust-r29`), or `shieldwall` for this system's own pledges.

    The catalogue of data sets is reference data, like nations: its entries are not marked, the facts are.
    A deployment importing a sensitive data set gives it a neutral code and title.
    """

    code = models.CharField(max_length=40, unique=True, validators=[SOURCE_CODE])
    kind = models.CharField(max_length=10, choices=SourceKind.choices, default=SourceKind.EXTERNAL)
    family = models.CharField(max_length=40, help_text="Releases of one data set share it, e.g. kiel-ust")
    title = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200, blank=True)
    release = models.CharField(max_length=20, blank=True)
    period = models.CharField(max_length=20, blank=True, help_text="The data's last month as the source says it")
    published = models.DateField(null=True, blank=True)
    label = models.CharField(max_length=300, help_text="The attribution every chart and export carries")
    measures = models.JSONField(default=list, help_text="Measures the data set reports")
    gdp_year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Base year of its GDP figures")
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the imported files")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    data_version = models.PositiveIntegerField(default=1, help_text="Bumped whenever its facts change")

    class Meta:
        ordering = ["kind", "family", "-published", "code"]

    def __str__(self) -> str:
        return self.code


class DonorFigure(Tracked):
    """What a data set says about one donor besides its facts: its name, GDP and EU-level attribution."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="donor_figures")
    donor = models.CharField(max_length=8, validators=[DONOR_CODE])
    name = models.CharField(max_length=100)
    gdp_eur_bn = models.DecimalField(max_digits=30, decimal_places=15, null=True, blank=True)
    gdp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    bilateral_pct_gdp = models.DecimalField(max_digits=20, decimal_places=12, null=True, blank=True)
    eu_share_pct_gdp = models.DecimalField(max_digits=20, decimal_places=12, null=True, blank=True)
    total_pct_gdp = models.DecimalField(max_digits=20, decimal_places=12, null=True, blank=True)
    eu_share_bn = models.DecimalField(max_digits=24, decimal_places=12, null=True, blank=True)

    class Meta:
        ordering = ["source", "donor"]
        constraints = [models.UniqueConstraint(fields=["source", "donor"], name="donor_figure_once")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.donor}"


class Contribution(Marked):
    """One fact: a donor's amount in EUR for one month, category and measure, as one source reports it."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="contributions")
    donor = models.CharField(max_length=8, validators=[DONOR_CODE])
    donor_nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    period = models.DateField(help_text="The first day of the month")
    category = models.CharField(max_length=12, choices=Category.choices)
    subcategory = models.CharField(max_length=60, blank=True, help_text="A finer category where known")
    measure = models.CharField(max_length=10, choices=Measure.choices)
    amount_micro_eur = models.BigIntegerField(help_text="EUR × 1,000,000, exact")
    channel = models.CharField(max_length=40, blank=True, help_text="How it was sourced, where known (stock …)")
    # For the `shieldwall` source: the pledge line the fact was derived from (rebuilt when the line changes).
    pledge_line = models.ForeignKey("pledges.PledgeLine", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="+")

    class Meta(Marked.Meta):
        ordering = ["source", "period", "donor", "measure", "category"]
        indexes = [
            # The fact list's filters; the metrics read the cells instead.
            models.Index(fields=["source", "measure", "period"], name="contribution_list"),
            # The cells of a few donors and months are re-derived from their facts when lines change.
            models.Index(fields=["source", "donor", "period"], name="contribution_cell_facts"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.donor} {self.period:%Y-%m} {self.measure} {self.category}"

    @property
    def amount_eur(self) -> Decimal:
        return Decimal(self.amount_micro_eur) / MICRO


class ContributionCell(Marked):
    """The sum of a data set's facts of one measure, month, donor, category and channel that share one marking.

    `rel_key` tells REL TO lists apart (a digest of the sorted nation ids, empty for other releasabilities); the
    lists themselves are the cell's REL TO rows, which the access rule reads as it reads a fact's."""

    # Not indexed on its own: the unique constraint and both indexes lead with it.
    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="cells", db_index=False)
    measure = models.CharField(max_length=10, choices=Measure.choices)
    period = models.DateField()
    donor = models.CharField(max_length=8, validators=[DONOR_CODE])
    category = models.CharField(max_length=12, choices=Category.choices)
    channel = models.CharField(max_length=40, blank=True)
    rel_key = models.CharField(max_length=64, blank=True)
    amount_micro_eur = models.BigIntegerField()
    facts = models.PositiveIntegerField(help_text="How many facts the cell sums")

    class Meta(Marked.Meta):
        ordering = ["source", "period", "donor", "measure", "category"]
        constraints = [models.UniqueConstraint(
            fields=["source", "measure", "period", "donor", "category", "channel", "classification",
                    "releasability", "originator", "rel_key"], name="contribution_cell_once")]
        # Each covers the metrics' queries (SQLite reads the index alone) in the order they group by — measure,
        # releasability, then per donor or per month — so the sums are taken while reading the index instead of
        # after sorting every cell; the public's PUBLIC cells of a measure are one range of it. `id` closes them for
        # PostgreSQL too: the access rule's REL TO test reads the cell's id, and without it there PostgreSQL fetched
        # every cell from the table (1M facts, a member's donor ranking: 164 ms → 65 ms; SQLite indexes hold it).
        indexes = [
            models.Index(fields=["source", "measure", "releasability", "donor", "category", "period",
                                 "classification", "originator", "channel", "amount_micro_eur", "id"],
                         name="contribution_cell_donors"),
            models.Index(fields=["source", "measure", "releasability", "period", "category", "donor",
                                 "classification", "originator", "channel", "amount_micro_eur", "id"],
                         name="contribution_cell_months"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.donor} {self.period:%Y-%m} {self.measure} {self.category}"


class WeaponDelivery(Marked):
    """Heavy weapons of one category from one donor, with the systems the source names and their counts."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="weapons")
    donor = models.CharField(max_length=8, validators=[DONOR_CODE])
    donor_nation = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    category = models.CharField(max_length=60, help_text="As the source names it, e.g. Air Defense, Tanks")
    count = models.PositiveIntegerField()
    value_micro_eur = models.BigIntegerField()
    systems = models.JSONField(default=list, help_text='[{"system": "M777 howitzer", "count": 6}, …]')

    class Meta(Marked.Meta):
        ordering = ["source", "donor", "category"]
        verbose_name_plural = "weapon deliveries"
        indexes = [models.Index(fields=["source", "donor", "category"])]

    def __str__(self) -> str:
        return f"{self.donor} {self.category}: {self.count}"

    @property
    def value_eur(self) -> Decimal:
        return Decimal(self.value_micro_eur) / MICRO


class ChannelAllocation(Marked):
    """Military allocations of one month by how they were sourced (stocks, procurement, PURL …), all donors."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="channels")
    period = models.DateField()
    channel = models.CharField(max_length=40, help_text="The source's own channel name, e.g. stockpile, nato_purl")
    amount_micro_eur = models.BigIntegerField()

    class Meta(Marked.Meta):
        ordering = ["source", "period", "channel"]
        indexes = [models.Index(fields=["source", "period", "channel"])]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.channel}"
