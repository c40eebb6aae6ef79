"""Coalition registry models (DESIGN.md §4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from shieldwall.core.models import Marked, Tracked


class Tier(models.TextChoices):
    CORE = "core", "Core"
    MEMBER = "member", "Member"
    PARTNER = "partner", "Partner"
    INTERESTED = "interested", "Interested"


# Tiers whose nations count as current members for COALITION releasability; "interested" nations do not.
MEMBER_TIERS = (Tier.CORE, Tier.MEMBER, Tier.PARTNER)


class CapabilityAreaCode(models.TextChoices):
    AIR_DEFENCE = "air_defence", "Integrated air and missile defence"
    ARTILLERY = "artillery", "Artillery"
    ARMOUR = "armour", "Armour"
    AIR_FORCE = "air_force", "Air force"
    MARITIME = "maritime", "Maritime"
    DRONES = "drones", "Drones"
    IT_CYBER = "it_cyber", "IT and cyber"
    DEMINING = "demining", "Demining"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class Nation(Tracked):
    code = models.CharField(
        max_length=3, unique=True, validators=[RegexValidator(r"^[A-Z]{3}$", "an ISO 3166 alpha-3 code")]
    )
    alpha2 = models.CharField(max_length=2, blank=True)
    name = models.CharField(max_length=100)
    gdp_eur_bn = models.DecimalField(
        "GDP (EUR bn)", max_digits=14, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    gdp_year = models.PositiveSmallIntegerField("GDP base year", null=True, blank=True)
    population = models.PositiveBigIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    defence_budget_eur_bn = models.DecimalField(
        "Defence budget (EUR bn)", max_digits=12, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    defence_budget_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        if self.gdp_eur_bn is not None and self.gdp_year is None:
            raise ValidationError({"gdp_year": "give the base year of the GDP figure"})
        if self.defence_budget_eur_bn is not None and self.defence_budget_year is None:
            raise ValidationError({"defence_budget_year": "give the year of the defence budget"})


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", "Ministry"
    AGENCY = "agency", "Agency"
    INTERNATIONAL = "international", "International body"


class Organisation(Tracked):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        super().clean()
        if self.kind in {OrganisationKind.MINISTRY, OrganisationKind.AGENCY} and self.nation_id is None:
            raise ValidationError({"nation": "a ministry or agency belongs to a nation"})


class Membership(Tracked):
    """A nation's tier over a period; a change of tier closes one row and opens another (the history)."""

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="memberships")
    tier = models.CharField(max_length=12, choices=Tier.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["nation__name", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="membership_period_ordered",
                violation_error_message="the end date cannot be before the start date",
            )
        ]
        indexes = [models.Index(fields=["nation", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.nation.code} {self.tier} from {self.valid_from}"


class CapabilityCoalition(Tracked):
    name = models.CharField(max_length=100, unique=True)
    capability_area = models.CharField(max_length=20, choices=CapabilityAreaCode.choices)
    leads = models.ManyToManyField(Nation, related_name="led_coalitions")
    members = models.ManyToManyField(Nation, related_name="capability_coalitions", blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    HYBRID = "hybrid", "Hybrid"
    VIRTUAL = "virtual", "Virtual"


class Meeting(Marked):
    title = models.CharField(max_length=200)
    date = models.DateField()
    place = models.CharField(max_length=120, blank=True)
    format = models.CharField(max_length=12, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON)
    chair = models.ForeignKey(Nation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    notes = models.TextField(blank=True)

    class Meta(Marked.Meta):
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date"]), models.Index(fields=["classification", "releasability"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    REMOTE = "remote", "Remote (video link)"


class Attendance(Tracked):
    """Who attended; visible exactly when its meeting is (read only through the meeting)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    representative = models.CharField(max_length=200)
    mode = models.CharField(max_length=10, choices=AttendanceMode.choices, default=AttendanceMode.IN_PERSON)

    class Meta:
        ordering = ["nation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "nation", "representative"],
                name="attendance_once",
                violation_error_message="this representative is already recorded for this meeting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nation.code}: {self.representative}"


class Announcement(Marked):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="announcements")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta(Marked.Meta):
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return f"{self.nation.code}: {self.text[:60]}"


class SecurityAgreement(Marked):
    """A multi-year bilateral security agreement with yearly obligations in EUR."""

    title = models.CharField(max_length=200)
    donor = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    signed = models.DateField()
    duration_years = models.PositiveSmallIntegerField(default=10)
    description = models.TextField(blank=True)

    class Meta(Marked.Meta):
        ordering = ["-signed", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.donor_id and self.donor_id == self.partner_id:
            raise ValidationError({"partner": "the partner must differ from the donor"})
        if not 1 <= (self.duration_years or 0) <= 50:
            raise ValidationError({"duration_years": "an agreement lasts between 1 and 50 years"})


class Obligation(Tracked):
    agreement = models.ForeignKey(SecurityAgreement, on_delete=models.CASCADE, related_name="obligations")
    year = models.PositiveSmallIntegerField()
    amount_eur = models.DecimalField(max_digits=18, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["agreement", "year"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year"], name="obligation_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount_eur} EUR"
