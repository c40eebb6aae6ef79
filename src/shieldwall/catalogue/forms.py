"""Forms of the catalogue's admin pages: an item class, an item type and what a type also satisfies. Choices read
through the selectors; the services check the rest (unique names, admins only)."""

from __future__ import annotations

from typing import Any

from django import forms

from shieldwall.catalogue import selectors
from shieldwall.catalogue.models import CapabilityArea, ItemClass, ItemType
from shieldwall.core.actor import Actor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _price(help_text: str) -> forms.DecimalField:
    return forms.DecimalField(label="Reference unit price (EUR)", required=False, min_value=0, max_digits=16,
                              decimal_places=2, help_text=help_text)


class ItemClassForm(forms.Form):
    area: forms.ModelChoiceField[CapabilityArea] = forms.ModelChoiceField(label="Capability area", queryset=None)
    name = forms.CharField(label="Name", max_length=120)
    unit = forms.CharField(label="Unit", max_length=30, initial="units", help_text="e.g. rounds, systems, units")
    serial_tracked = forms.BooleanField(label="Serial-tracked", required=False,
                                        help_text="each item delivered is recorded by its serial number")
    family = forms.CharField(label="Family", max_length=60, required=False,
                             help_text="groups classes sharing calibres or platforms")
    reference_unit_price_eur = _price("what requirements in this class are valued at; empty: no value")
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.capability_area_list(actor=actor)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"area_id": data["area"].pk, "name": data["name"].strip(), "unit": data["unit"].strip(),
                "serial_tracked": data["serial_tracked"], "family": data["family"].strip(),
                "reference_unit_price_eur": data["reference_unit_price_eur"], "description": data["description"]}

    @staticmethod
    def initial_of(obj: ItemClass) -> dict[str, Any]:
        return {"area": obj.area_id, "name": obj.name, "unit": obj.unit, "serial_tracked": obj.serial_tracked,
                "family": obj.family, "reference_unit_price_eur": obj.reference_unit_price_eur,
                "description": obj.description, "version": obj.version}


class ItemClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.area.name} — {obj.name}"


def _class_choices(form: forms.Form, actor: Actor) -> None:
    field = form.fields["item_class"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = selectors.item_class_list(actor=actor)


class ItemTypeForm(forms.Form):
    item_class = ItemClassChoiceField(label="Item class", queryset=None,
                                      help_text="the class it belongs to; it always satisfies it")
    name = forms.CharField(label="Name", max_length=160)
    reference_unit_price_eur = _price("EUR a unit; empty when unknown")
    price_source = forms.CharField(label="Price source", max_length=200, required=False,
                                   help_text="where the price comes from, e.g. a contract or an estimate")
    price_date = forms.DateField(label="Price date", required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _class_choices(self, actor)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"item_class_id": data["item_class"].pk, "name": data["name"].strip(),
                "reference_unit_price_eur": data["reference_unit_price_eur"],
                "price_source": data["price_source"].strip(), "price_date": data["price_date"]}

    @staticmethod
    def initial_of(obj: ItemType) -> dict[str, Any]:
        return {"item_class": obj.item_class_id, "name": obj.name,
                "reference_unit_price_eur": obj.reference_unit_price_eur, "price_source": obj.price_source,
                "price_date": obj.price_date, "version": obj.version}


class CompatibilityForm(forms.Form):
    """Say that an item type also satisfies another class."""

    item_class = ItemClassChoiceField(label="Also satisfies", queryset=None)
    note = forms.CharField(label="Note", max_length=200, required=False)

    prefix = "compat"

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _class_choices(self, actor)


class CompatibilityRemoveForm(forms.Form):
    compatibility = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
