"""The filter form of the analytics pages: the same options as the API and the CLI."""

from __future__ import annotations

from typing import Any

from django import forms

from shieldwall.analytics import selectors
from shieldwall.core.actor import Actor

MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


class MetricForm(forms.Form):
    source = forms.ChoiceField(label="Data set", required=False)
    measure = forms.ChoiceField(label="Measure", required=False, initial="allocation", choices=[
        ("allocation", "Allocations"), ("commitment", "Commitments"), ("delivery", "Deliveries")])
    date_from = forms.CharField(label="From", required=False, max_length=7, widget=MONTH)
    date_to = forms.CharField(label="To", required=False, max_length=7, widget=MONTH)
    group = forms.ChoiceField(label="Donors", required=False, initial="all", choices=[
        ("all", "All donors"), ("e5", "E5"), ("nordic-baltic", "Nordic-Baltic"), ("eu", "EU"), ("g7", "G7")])
    category = forms.ChoiceField(label="Category", required=False, choices=[
        ("", "all"), ("military", "Military"), ("financial", "Financial"), ("humanitarian", "Humanitarian")])

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.code, s.label) for s in selectors.source_list(actor=actor)]

    def values(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {key: data.get(key) or "" for key in ("source", "measure", "date_from", "date_to", "group",
                                                     "category")}

    def filters(self) -> selectors.Filters:
        v = self.values()
        return selectors.build_filters(measure=v["measure"], date_from=v["date_from"], date_to=v["date_to"],
                                       group=v["group"], category=v["category"])
