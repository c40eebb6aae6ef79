"""Forms of the requirement pages. Item class choices come from the catalogue selectors; marking inputs offer
only classifications up to the deployment ceiling and the actor's clearance (`coalition.forms.MarkingMixin`)."""

from __future__ import annotations

from typing import Any

from django import forms

from shieldwall.catalogue.selectors import item_class_list
from shieldwall.coalition.forms import DATE, MarkingMixin
from shieldwall.coalition.models import CapabilityAreaCode
from shieldwall.core.actor import Actor
from shieldwall.needs.models import RequirementStatus, UseCategory
from shieldwall.needs.selectors import RequirementFilters

PRIORITIES = [(1, "1 — most urgent"), (2, "2"), (3, "3"), (4, "4"), (5, "5 — least urgent")]
ACTIVE = "active"


def item_class_choices(actor: Actor) -> list[tuple[str, list[tuple[int, str]]]]:
    """Item classes grouped by capability area, for a <select> with <optgroup>s."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for item_class in item_class_list(actor=actor):
        groups.setdefault(item_class.area.name, []).append((item_class.pk, f"{item_class.name} ({item_class.unit})"))
    return list(groups.items())


class RequirementForm(MarkingMixin):
    title = forms.CharField(label="Title", max_length=200, required=False,
                            help_text="A short name for the list, e.g. '155 mm for the eastern front'")
    item_class = forms.TypedChoiceField(label="Item class", coerce=int, help_text="What the need is expressed in")
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=10**9)
    priority = forms.TypedChoiceField(label="Priority", coerce=int, choices=PRIORITIES, initial=3)
    need_by = forms.DateField(label="Needed by", widget=DATE)
    destination = forms.CharField(label="Destination", max_length=120, help_text="A hub or a region")
    use_category = forms.ChoiceField(label="Use", choices=UseCategory.choices, initial=UseCategory.FRONT_LINE)
    justification = forms.CharField(label="Justification", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["title", "item_class", "quantity", "priority", "need_by", "destination", "use_category",
                   "justification", "classification", "releasability", "rel_to", "version"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        field = self.fields["item_class"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "— choose —"), *item_class_choices(actor)]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"], "item_class_id": data["item_class"], "quantity": data["quantity"],
            "priority": data["priority"], "need_by": data["need_by"], "destination": data["destination"],
            "use_category": data["use_category"], "justification": data["justification"], **self.marking_values(),
        }


class TransitionForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, max_length=500)
    priority = forms.TypedChoiceField(label="New priority", required=False, coerce=int, empty_value=None,
                                      choices=[("", "—"), *PRIORITIES])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RequirementFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "title, justification, class"}))
    status = forms.ChoiceField(label="Status", required=False, choices=[
        ("", "any"), (ACTIVE, "open or partially met"), *RequirementStatus.choices])
    priority = forms.TypedChoiceField(label="Priority", required=False, coerce=int, empty_value=None,
                                      choices=[("", "any"), *PRIORITIES])
    area = forms.ChoiceField(label="Area", required=False, choices=[("", "any"), *CapabilityAreaCode.choices])
    item_class = forms.TypedChoiceField(label="Item class", required=False, coerce=int, empty_value=None)
    need_by_from = forms.DateField(label="Needed from", required=False, widget=DATE)
    need_by_to = forms.DateField(label="Needed by", required=False, widget=DATE)
    destination = forms.CharField(label="Destination", required=False, max_length=120)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item_class"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "any"), *item_class_choices(actor)]

    def filters(self) -> RequirementFilters:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status", "")
        statuses = ("open", "partially_met") if status == ACTIVE else ((status,) if status else ())
        return RequirementFilters(
            status=statuses, priority=data.get("priority"), item_class=data.get("item_class"),
            area=data.get("area", ""), need_by_from=data.get("need_by_from"), need_by_to=data.get("need_by_to"),
            destination=data.get("destination", "").strip(), q=data.get("q", "").strip())
