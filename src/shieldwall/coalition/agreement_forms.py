"""Forms of the security agreement pages: the agreement with its yearly schedule typed one year per line, the
list filters, and the choice of a package to count towards an agreement (only packages the actor may link)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from shieldwall.coalition.forms import DATE, MarkingMixin, NationChoiceField
from shieldwall.coalition.selectors import AgreementFilters

_SCHEDULE_LINE = re.compile(r"^\s*(?P<year>\d{4})\s*[:=]?\s*(?:EUR\s*)?(?P<amount>[0-9][0-9 ,_]*(?:\.[0-9]+)?)\s*$",
                            re.IGNORECASE)


def parse_schedule(text: str) -> list[tuple[int, Decimal]]:
    """`2025 = 5,000,000.00` per line → [(2025, Decimal('5000000.00'))]; commas, spaces and underscores group
    thousands, the point marks decimals. Raises ValidationError naming the line."""
    schedule: list[tuple[int, Decimal]] = []
    errors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _SCHEDULE_LINE.match(raw)
        try:
            if match is None:
                raise InvalidOperation
            amount = Decimal(re.sub(r"[ ,_]", "", match["amount"]))
        except InvalidOperation:
            errors.append(f"line {number}: write YEAR = AMOUNT in EUR, e.g. 2025 = 5,000,000.00")
            continue
        schedule.append((int(match["year"]), amount))
    if errors:
        raise forms.ValidationError(errors)
    return schedule


def format_schedule(obligations: Any) -> str:
    return "\n".join(f"{o.year} = {o.amount_eur:,.2f}" for o in obligations)


class AgreementForm(MarkingMixin):
    title = forms.CharField(label="Title", max_length=200)
    donor = NationChoiceField(label="Donor", queryset=None, to_field_name="code")
    partner = NationChoiceField(label="Partner", queryset=None, to_field_name="code")
    signed = forms.DateField(label="Signed", widget=DATE)
    duration_years = forms.IntegerField(label="Duration (years)", min_value=1, max_value=50, initial=10)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    obligations = forms.CharField(
        label="Yearly obligations (EUR)", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One year per line, e.g. “2025 = 5,000,000.00”; each year within the agreement's term.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["title", "donor", "partner", "signed", "duration_years", "description", "obligations",
                   "classification", "releasability", "rel_to", "version"]

    def clean_obligations(self) -> list[tuple[int, Decimal]]:
        return parse_schedule(self.cleaned_data.get("obligations") or "")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"], "donor": data["donor"].code, "partner": data["partner"].code,
            "signed": data["signed"], "duration_years": data["duration_years"], "description": data["description"],
            "obligations": data["obligations"], **self.marking_values(),
        }


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "title or description"}))
    donor = forms.CharField(label="Donor", required=False, max_length=3,
                            widget=forms.TextInput(attrs={"size": 4, "placeholder": "DEU"}))
    partner = forms.CharField(label="Partner", required=False, max_length=3,
                              widget=forms.TextInput(attrs={"size": 4, "placeholder": "UKR"}))

    def filters(self) -> AgreementFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return AgreementFilters(q=data.get("q", "").strip(), donor=data.get("donor", "").strip(),
                                partner=data.get("partner", "").strip())


class PackageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.date:%Y-%m-%d} — {obj.title}"


class LinkPackageForm(forms.Form):
    package = PackageChoiceField(label="Package", queryset=None, empty_label="— choose a package —")

    prefix = "link"

    def __init__(self, *args: Any, packages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["package"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = packages
