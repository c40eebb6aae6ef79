"""Forms of the end-use monitoring pages. Item types and nations come from reference data; serial numbers are typed
or scanned one per line, or uploaded as CSV."""

from __future__ import annotations

from typing import Any

from django import forms

from shieldwall.catalogue.models import ItemClass, ItemType
from shieldwall.coalition.forms import DATE
from shieldwall.monitoring import selectors
from shieldwall.monitoring.models import FindingResult, InspectionKind, LossKind, SerialStatus


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(v), str(lbl)) for v, lbl in choices]]


class SerialFilterForm(forms.Form):
    q = forms.CharField(label="Serial or unit", required=False, max_length=200)
    donor = forms.CharField(label="Donor", required=False, max_length=3, widget=forms.TextInput(attrs={"size": 4}))
    custodian = forms.CharField(label="Held by", required=False, max_length=3,
                                widget=forms.TextInput(attrs={"size": 4}))
    status = forms.ChoiceField(label="Status", required=False, choices=_blank("any", SerialStatus.choices))
    due = forms.ChoiceField(label="Inspection", required=False, choices=[
        ("", "any"), ("overdue", "Overdue"), ("due_soon", "Due within 30 days"), ("unaccounted", "Unaccounted for"),
        ("never_inventoried", "Never inventoried")])
    item_class = forms.ModelChoiceField(label="Item class", required=False, empty_label="any",
                                        queryset=ItemClass.objects.filter(serial_tracked=True).order_by("name"))
    shipment = forms.IntegerField(label="Shipment", required=False, min_value=1, widget=forms.HiddenInput)

    def filters(self) -> selectors.SerialFilters:
        data = self.cleaned_data if self.is_valid() else {}
        item_class = data.get("item_class")
        return selectors.SerialFilters(q=data.get("q", ""), donor=data.get("donor", ""),
                                       custodian=data.get("custodian", ""), status=data.get("status", ""),
                                       due=data.get("due", ""), item_class_id=item_class.pk if item_class else None,
                                       shipment_id=data.get("shipment"))


class CaptureForm(forms.Form):
    serials = forms.CharField(label="Serial numbers", required=False,
                              widget=forms.Textarea(attrs={"rows": 10, "autofocus": True, "spellcheck": "false"}),
                              help_text="One per line, as a scanner types them. Recorded in upper case: g-1 and G-1 "
                                        "are the same serial number.")
    file = forms.FileField(label="…or a CSV file", required=False,
                           help_text="With a serial_number column, UTF-8, at most 5 MB.")
    unit = forms.CharField(label="Held by (unit)", required=False, max_length=200)
    on = forms.DateField(label="Recorded on", required=False, widget=DATE, help_text="Default: today")
    dry_run = forms.BooleanField(label="Check only (write nothing)", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("serials", "").strip() and not data.get("file"):
            raise forms.ValidationError("type or scan the serial numbers, or choose a CSV file")
        return data


class TransferForm(forms.Form):
    to_nation = forms.CharField(label="To nation", max_length=3, widget=forms.TextInput(attrs={"size": 4}))
    to_unit = forms.CharField(label="To unit", max_length=200)
    to_location = forms.CharField(label="Location", max_length=200, required=False)
    on = forms.DateField(label="On", required=False, widget=DATE)
    note = forms.CharField(label="Note", max_length=300, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=[(SerialStatus.IN_SERVICE, "In service"),
                                                        (SerialStatus.UNDER_REPAIR, "Under repair")])
    on = forms.DateField(label="Since", required=False, widget=DATE)


class ComplianceForm(forms.Form):
    donor = forms.CharField(label="Donor", required=False, max_length=3, widget=forms.TextInput(attrs={"size": 4}))
    item_class = forms.ModelChoiceField(label="Item class", required=False, empty_label="all",
                                        queryset=ItemClass.objects.filter(serial_tracked=True).order_by("name"))
    as_of = forms.DateField(label="As of", required=False, widget=DATE)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=InspectionKind.choices)
    inspected_on = forms.DateField(label="Inspected on", required=False, widget=DATE)
    item_type = forms.ModelChoiceField(label="Item type", queryset=ItemType.objects.filter(
        item_class__serial_tracked=True).order_by("name"))
    location = forms.CharField(label="Location", max_length=200, required=False)
    findings = forms.CharField(
        label="Findings", widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="One item per line: SERIAL, or SERIAL,not_found, or SERIAL,destroyed,EVIDENCE-REF")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def parsed(self) -> list[tuple[str, str, str]]:
        """(serial, result, evidence) per line; unknown results are left for the service to refuse."""
        out = []
        for line in self.cleaned_data["findings"].splitlines():
            parts = [p.strip() for p in line.split(",")]
            if parts and parts[0]:
                result = (parts[1] if len(parts) > 1 and parts[1] else FindingResult.FOUND).lower()
                out.append((parts[0], result, parts[2] if len(parts) > 2 else ""))
        return out


class DispositionImportForm(forms.Form):
    donor = forms.CharField(label="Donor", max_length=3, widget=forms.TextInput(attrs={"size": 4}))
    year = forms.IntegerField(label="Year", min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label="Quarter", min_value=1, max_value=4)
    file = forms.FileField(label="CSV file", help_text="Columns item_type, serial_number, status, unit, location, "
                                                       "note; UTF-8, at most 5 MB.")
    dry_run = forms.BooleanField(label="Check only (write nothing)", required=False, initial=True)


class LossReportForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=LossKind.choices)
    occurred_on = forms.DateField(label="Occurred on", required=False, widget=DATE)
    item_type = forms.ModelChoiceField(label="Item type", queryset=ItemType.objects.filter(
        item_class__serial_tracked=True).order_by("name"))
    serials = forms.CharField(label="Serial numbers", widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="One per line")
    circumstances = forms.CharField(label="Circumstances", widget=forms.Textarea(attrs={"rows": 3}))
    evidence_ref = forms.CharField(label="Evidence reference", max_length=200, required=False,
                                   help_text="Required for a destruction")

    def serial_list(self) -> list[str]:
        # As typed; the lookup normalises them (tables.normalise_serial), so the case does not matter.
        return [s.strip() for s in self.cleaned_data["serials"].splitlines() if s.strip()]
