"""Forms of the matching pages. Choice fields read through selectors, so every choice is one the actor may see;
the marking offers classifications up to the deployment ceiling and the actor's clearance."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from shieldwall.catalogue.models import CapabilityArea, ItemClass, ItemType
from shieldwall.coalition.forms import DATE, MarkingMixin, NationChoiceField, NationMultipleChoiceField
from shieldwall.coalition.selectors import nation_list
from shieldwall.core.actor import Actor
from shieldwall.matching.models import Scenario
from shieldwall.matching.services import HubCapacity, HypotheticalLine
from shieldwall.needs.models import ACTIVE_STATUSES, UseCategory
from shieldwall.needs.selectors import RequirementFilters, requirement_list

PRIORITIES = [(p, f"{p}{' (most urgent)' if p == 1 else ''}") for p in range(1, 6)]


class ScenarioForm(MarkingMixin):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    half_life_days = forms.IntegerField(label="Half-life (days)", min_value=1, max_value=365, initial=14,
                                        help_text="A unit arriving this many days late is worth half as much.")
    max_lateness_days = forms.IntegerField(label="Maximum lateness (days)", min_value=0, max_value=730, initial=56,
                                           help_text="Later than this, a unit is worth nothing.")
    areas = forms.ModelMultipleChoiceField(label="Capability areas", queryset=CapabilityArea.objects.none(),
                                           to_field_name="code", required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 5}), help_text="None: all.")
    item_classes = forms.ModelMultipleChoiceField(label="Item classes", queryset=ItemClass.objects.none(),
                                                  required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
                                                  help_text="None: all.")
    donors = NationMultipleChoiceField(label="Donors", queryset=None, to_field_name="code", required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 6}), help_text="None: all.")
    priority_min = forms.TypedChoiceField(label="Priorities from", choices=PRIORITIES, coerce=int, initial=1)
    priority_max = forms.TypedChoiceField(label="Priorities to", choices=PRIORITIES, coerce=int, initial=5)
    need_by_from = forms.DateField(label="Needed from", required=False, widget=DATE)
    need_by_to = forms.DateField(label="Needed until", required=False, widget=DATE)
    hub_capacities = forms.CharField(
        label="Hub capacities", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line: hub; week starting Monday (YYYY-MM-DD); units, e.g. “Rzeszów-Jasionka; 2026-05-04; "
                  "400”. Weeks not listed are uncapacitated.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        # ActorForm gave every model choice field the nations; scope lists have their own choices.
        self.fields["areas"].queryset = CapabilityArea.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["item_classes"].queryset = ItemClass.objects.order_by("name")  # type: ignore[attr-defined]

    def clean_hub_capacities(self) -> list[HubCapacity]:
        rows, errors = [], []
        for n, text in enumerate(self.cleaned_data.get("hub_capacities", "").splitlines(), start=1):
            if not text.strip():
                continue
            parts = [p.strip() for p in text.split(";")]
            try:
                hub, day, units = parts
                rows.append(HubCapacity(hub, date.fromisoformat(day), int(units)))
            except ValueError:
                errors.append(f"line {n}: write hub; YYYY-MM-DD; units")
        if errors:
            raise forms.ValidationError(errors)
        return rows

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"], "description": data["description"], "half_life_days": data["half_life_days"],
            "max_lateness_days": data["max_lateness_days"], "areas": [a.code for a in data["areas"]],
            "item_classes": [c.pk for c in data["item_classes"]], "donors": [n.code for n in data["donors"]],
            "priority_min": data["priority_min"], "priority_max": data["priority_max"],
            "need_by_from": data["need_by_from"], "need_by_to": data["need_by_to"],
            "hub_capacities": data["hub_capacities"], **self.marking_values(),
        }


def scenario_initial(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name, "description": scenario.description, "half_life_days": scenario.half_life_days,
        "max_lateness_days": scenario.max_lateness_days, "areas": [a.code for a in scenario.areas.all()],
        "item_classes": [c.pk for c in scenario.item_classes.all()],
        "donors": [n.code for n in scenario.donors.all()], "priority_min": scenario.priority_min,
        "priority_max": scenario.priority_max, "need_by_from": scenario.need_by_from,
        "need_by_to": scenario.need_by_to,
        "hub_capacities": "\n".join(f"{c.hub}; {c.week_start.isoformat()}; {c.capacity}"
                                    for c in scenario.hub_capacities.all()),
        "classification": scenario.classification, "releasability": scenario.releasability,
        "rel_to": [n.code for n in scenario.rel_to.all()], "version": scenario.version,
    }


class ItemTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.item_class.name})"


class RequirementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"#{obj.pk} {obj} — P{obj.priority}, {obj.quantity} {obj.item_class.unit}"


class WhatIfForm(forms.Form):
    """One hypothetical pledge line and/or one priority change."""

    item_type = ItemTypeChoiceField(label="Item type", queryset=ItemType.objects.none(), required=False)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=10**9, required=False)
    available_from = forms.DateField(label="Available from", required=False, widget=DATE)
    origin = NationChoiceField(label="Origin (donor)", queryset=None, to_field_name="code", required=False)
    excluded_uses = forms.MultipleChoiceField(label="Excluded uses", choices=UseCategory.choices, required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 3}))
    requirement = RequirementChoiceField(label="Requirement", queryset=None, required=False)
    priority = forms.TypedChoiceField(label="New priority", choices=[("", "—"), *PRIORITIES], coerce=int,
                                      required=False, empty_value=None)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_type"].queryset = (  # type: ignore[attr-defined]
            ItemType.objects.select_related("item_class").order_by("name"))
        self.fields["origin"].queryset = nation_list(actor=actor)  # type: ignore[attr-defined]
        self.fields["requirement"].queryset = requirement_list(  # type: ignore[attr-defined]
            actor=actor, filters=RequirementFilters(status=tuple(ACTIVE_STATUSES)))
        self.fields["available_from"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        line = [data.get(k) for k in ("item_type", "quantity", "origin")]
        if any(line) and not all(line):
            raise forms.ValidationError("a hypothetical line needs its item type, quantity and origin")
        if bool(data.get("requirement")) != bool(data.get("priority")):
            raise forms.ValidationError("a priority change needs the requirement and its new priority")
        if not any(line) and not data.get("requirement"):
            raise forms.ValidationError("add a hypothetical pledge line or change a priority")
        return data

    def lines(self) -> list[HypotheticalLine]:
        data = self.cleaned_data
        if not data.get("item_type"):
            return []
        return [HypotheticalLine(item_type_id=data["item_type"].pk, quantity=data["quantity"],
                                 available_from=data.get("available_from") or timezone.localdate(),
                                 origin=data["origin"].code, excluded_uses=tuple(data["excluded_uses"]))]

    def priorities(self) -> dict[int, int]:
        data = self.cleaned_data
        return {data["requirement"].pk: data["priority"]} if data.get("requirement") else {}
