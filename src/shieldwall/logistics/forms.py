"""Forms of the logistics pages. Choices come from selectors, so every hub or pledge line offered is one the actor
may see; the shipment form offers the actor's own shippable lines with a quantity box each."""

from __future__ import annotations

from typing import Any

from django import forms

from shieldwall.coalition.forms import DATE, ActorForm, MarkingMixin, NationChoiceField
from shieldwall.core.actor import Actor
from shieldwall.logistics import selectors
from shieldwall.logistics.models import Condition, ShipmentStatus, TransportMode
from shieldwall.logistics.services import LinePlan, StopPlan
from shieldwall.pledges.models import PledgeLine

HUB_STOPS = 3


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(v), str(lbl)) for v, lbl in choices]]


class ShipmentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=_blank("any", ShipmentStatus.choices))
    donor = forms.CharField(label="Donor", required=False, max_length=3, widget=forms.TextInput(attrs={"size": 4}))
    recipient = forms.CharField(label="Recipient", required=False, max_length=3,
                                widget=forms.TextInput(attrs={"size": 4}))
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def filters(self) -> selectors.ShipmentFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.ShipmentFilters(q=data.get("q", ""), status=data.get("status", ""),
                                         donor=data.get("donor", ""), recipient=data.get("recipient", ""),
                                         overdue=bool(data.get("overdue")))


class HubForm(MarkingMixin):
    name = forms.CharField(label="Name", max_length=200)
    nation = NationChoiceField(label="Nation", queryset=None, to_field_name="code")
    location = forms.CharField(label="Location", max_length=200)
    latitude = forms.DecimalField(label="Latitude", min_value=-90, max_value=90, max_digits=8, decimal_places=5)
    longitude = forms.DecimalField(label="Longitude", min_value=-180, max_value=180, max_digits=8, decimal_places=5)
    capacity_per_day = forms.IntegerField(label="Capacity (shipments a day)", min_value=1, max_value=100_000)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["name", "nation", "location", "latitude", "longitude", "capacity_per_day", "notes",
                   "classification", "releasability", "rel_to"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "nation": data["nation"].code, "location": data["location"],
                "latitude": data["latitude"], "longitude": data["longitude"],
                "capacity_per_day": data["capacity_per_day"], "notes": data["notes"], **self.marking_values()}


class HubChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.nation.code})"


class ShipmentForm(ActorForm):
    """A shipment of the actor's lines: a quantity for each line it ships, up to three hubs on the way."""

    recipient = NationChoiceField(label="Recipient", queryset=None, to_field_name="code", initial="UKR")
    origin = forms.CharField(label="Origin", max_length=200)
    destination = forms.CharField(label="Destination", max_length=200)
    planned_dispatch = forms.DateField(label="Planned dispatch", widget=DATE)
    planned_arrival = forms.DateField(label="Planned arrival", widget=DATE)
    transport_mode = forms.ChoiceField(label="Transport", choices=TransportMode.choices)
    reference = forms.CharField(label="Reference", max_length=60, required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, actor: Actor, lines: list[PledgeLine], **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.lines = lines
        for number in range(1, HUB_STOPS + 1):
            self.fields[f"hub_{number}"] = HubChoiceField(label=f"Hub {number}", required=False,
                                                          queryset=selectors.hub_list(actor=actor),
                                                          empty_label="— none —")
            self.fields[f"hub_{number}_on"] = forms.DateField(label=f"Hub {number} arrival", required=False,
                                                              widget=DATE)
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"Line {line.pk}", required=False, min_value=0, max_value=line.quantity,
                widget=forms.NumberInput(attrs={"size": 6}))

    def line_fields(self) -> list[tuple[PledgeLine, Any]]:
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("recipient", "origin", "destination", "planned_dispatch", "planned_arrival",
                                        "transport_mode", "reference", "notes")]

    def hub_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"hub_{n}"], self[f"hub_{n}_on"]) for n in range(1, HUB_STOPS + 1)]

    def plans(self) -> tuple[list[LinePlan], list[StopPlan]]:
        data = self.cleaned_data
        lines = [LinePlan(line.pk, data[f"line_{line.pk}"]) for line in self.lines if data.get(f"line_{line.pk}")]
        stops = []
        for number in range(1, HUB_STOPS + 1):
            hub, day = data.get(f"hub_{number}"), data.get(f"hub_{number}_on")
            if hub is not None:
                stops.append(StopPlan(hub.pk, day or data["planned_dispatch"]))
        return lines, stops

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("origin", "destination", "planned_dispatch", "planned_arrival",
                                              "transport_mode", "reference", "notes")} | {
            "recipient": data["recipient"].code}


class MoveForm(forms.Form):
    on = forms.DateField(label="On", required=False, widget=DATE, help_text="Default: today")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IncidentForm(MoveForm):
    kind = forms.ChoiceField(label="What happened", choices=[("lost", "Lost"), ("damaged", "Damaged")])
    report = forms.CharField(label="Report", widget=forms.Textarea(attrs={"rows": 3}))


class ReceiptForm(forms.Form):
    """Per shipment line: units received, their condition and — for serial-numbered items — which ones."""

    received_on = forms.DateField(label="Received on", required=False, widget=DATE, help_text="Default: today")
    unit = forms.CharField(label="Receiving unit or depot", max_length=200)
    location = forms.CharField(label="Location", max_length=200, required=False)
    discrepancies = forms.CharField(label="Discrepancies", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    final = forms.BooleanField(label="Final receipt: close the shipment (what is missing is not coming)",
                               required=False)

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            left = row.quantity - row.received_quantity
            self.fields[f"qty_{row.pk}"] = forms.IntegerField(label="Units", min_value=0, max_value=left,
                                                              required=False, initial=left,
                                                              widget=forms.NumberInput(attrs={"size": 6}))
            self.fields[f"cond_{row.pk}"] = forms.ChoiceField(label="Condition", choices=Condition.choices)
            self.fields[f"serials_{row.pk}"] = forms.CharField(
                label="Serial numbers", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 24}),
                help_text="One per line; leave empty when all those in transit arrived")

    def line_fields(self) -> list[tuple[Any, Any, Any, Any]]:
        return [(row, self[f"qty_{row.pk}"], self[f"cond_{row.pk}"], self[f"serials_{row.pk}"]) for row in self.rows]

    def received(self) -> list[Any]:
        from shieldwall.logistics.services import ReceivedLine

        data = self.cleaned_data
        return [ReceivedLine(row.pk, data[f"qty_{row.pk}"], data[f"cond_{row.pk}"],
                             [s.strip() for s in data[f"serials_{row.pk}"].splitlines() if s.strip()])
                for row in self.rows if data.get(f"qty_{row.pk}")]
