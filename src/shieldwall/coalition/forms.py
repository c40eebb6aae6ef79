"""Forms of the coalition pages. Choice fields read through selectors, so every choice is one the actor may see;
marking inputs offer only classifications up to the deployment ceiling and the actor's clearance."""

from __future__ import annotations

from typing import Any

from django import forms

from shieldwall.coalition.models import (
    AttendanceMode,
    CapabilityAreaCode,
    MeetingFormat,
    OrganisationKind,
    Tier,
)
from shieldwall.coalition.selectors import MeetingFilters, nation_list
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification, Releasability, ceiling

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(v), str(lbl)) for v, lbl in choices]]


class NationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class NationMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class ActorForm(forms.Form):
    """A form whose choices depend on who is filling it in."""

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = nation_list(actor=actor)


class MarkingMixin(ActorForm):
    classification = forms.TypedChoiceField(label="Classification", coerce=int)
    releasability = forms.ChoiceField(label="Releasability", choices=Releasability.choices,
                                      initial=Releasability.COALITION)
    rel_to = NationMultipleChoiceField(
        label="REL TO nations", queryset=None, to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Only with releasability REL TO. Ctrl/⌘-click to pick several.",
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        highest = min(ceiling(), actor.clearance)
        field = self.fields["classification"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.value, c.label) for c in Classification if c <= highest]

    def marking_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "classification": data["classification"],
            "releasability": data["releasability"],
            "rel_to": [n.code for n in data["rel_to"]],
        }


class MeetingForm(MarkingMixin):
    title = forms.CharField(label="Title", max_length=200)
    date = forms.DateField(label="Date", widget=DATE)
    place = forms.CharField(label="Place", max_length=120, required=False)
    format = forms.ChoiceField(label="Format", choices=MeetingFormat.choices, initial=MeetingFormat.IN_PERSON)
    chair = NationChoiceField(label="Chair", queryset=None, to_field_name="code", required=False,
                              empty_label="— none —")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["title", "date", "place", "format", "chair", "notes", "classification", "releasability",
                   "rel_to", "version"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"], "date": data["date"], "place": data["place"], "format": data["format"],
            "chair": data["chair"].code if data["chair"] else None, "notes": data["notes"],
            **self.marking_values(),
        }


class AttendanceForm(ActorForm):
    nation = NationChoiceField(label="Nation", queryset=None, to_field_name="code")
    representative = forms.CharField(label="Representative", max_length=200)
    mode = forms.ChoiceField(label="Attendance", choices=AttendanceMode.choices, initial=AttendanceMode.IN_PERSON)

    prefix = "att"


class AnnouncementForm(MarkingMixin):
    nation = NationChoiceField(label="Nation", queryset=None, to_field_name="code")
    text = forms.CharField(label="Announcement", widget=forms.Textarea(attrs={"rows": 3}))

    prefix = "ann"
    field_order = ["nation", "text", "classification", "releasability", "rel_to"]


class MeetingFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "title or place"}))
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="To", required=False, widget=DATE)
    nation = forms.CharField(label="Attended by", required=False, max_length=3,
                             widget=forms.TextInput(attrs={"size": 4, "placeholder": "FRA"}))
    classification = forms.TypedChoiceField(
        label="Classification", required=False, coerce=int, empty_value=None,
        choices=_blank("any", Classification.choices),
    )

    def filters(self) -> MeetingFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return MeetingFilters(q=data.get("q", "").strip(), date_from=data.get("date_from"),
                              date_to=data.get("date_to"), nation=data.get("nation", "").strip(),
                              classification=data.get("classification"))


class NationFilterForm(forms.Form):
    q = forms.CharField(label="Name or code", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    tier = forms.ChoiceField(label="Current tier", required=False, choices=_blank("any", Tier.choices))


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="Name", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label="Kind", required=False, choices=_blank("any", OrganisationKind.choices))
    nation = forms.CharField(label="Nation", required=False, max_length=3,
                             widget=forms.TextInput(attrs={"size": 4, "placeholder": "FRA"}))


class CoalitionFilterForm(forms.Form):
    area = forms.ChoiceField(label="Capability area", required=False,
                             choices=_blank("any", CapabilityAreaCode.choices))
    nation = forms.CharField(label="Nation (lead or member)", required=False, max_length=3,
                             widget=forms.TextInput(attrs={"size": 4, "placeholder": "FRA"}))
