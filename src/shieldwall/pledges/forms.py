"""Forms of the pledges pages. Choices come from selectors, so every choice is one the actor may see; marking
inputs offer classifications up to the deployment ceiling and the actor's clearance (`MarkingMixin`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from shieldwall.coalition.forms import DATE, ActorForm, MarkingMixin, NationMultipleChoiceField
from shieldwall.coalition.selectors import nation_list
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification, Releasability, ceiling
from shieldwall.needs.models import UseCategory
from shieldwall.pledges import selectors, services
from shieldwall.pledges.importing import MAX_BYTES
from shieldwall.pledges.models import LineStatus, PackageSource, Restriction, ValuationMethod

_FUNDER = re.compile(r"^\s*([A-Za-z]{3})\s*[:= ]\s*([0-9.]+)\s*$")


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(v), str(lbl)) for v, lbl in choices]]


class ItemTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.item_class.name}"


class RequirementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"#{obj.pk} {obj} — {obj.quantity} {obj.item_class.unit}, P{obj.priority}, by {obj.need_by}"


class AnnouncementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.meeting.date} {obj.meeting.title}: {obj.nation.code} — {obj.text[:60]}"


def parse_funders(text: str) -> list[services.FunderShare]:
    """`FRA 0.6, DEU 0.4` (also `FRA=0.6` or one per line) → funder shares; blank → none (yours alone)."""
    shares = []
    for part in re.split(r"[,;\n]", text or ""):
        if not part.strip():
            continue
        match = _FUNDER.match(part)
        if not match:
            raise forms.ValidationError(f"cannot read {part.strip()!r}; write e.g. 'FRA 0.6, DEU 0.4'")
        try:
            share = Decimal(match[2])
        except InvalidOperation as exc:
            raise forms.ValidationError(f"{match[2]!r} is not a number") from exc
        shares.append(services.FunderShare(match[1].upper(), share))
    return shares


class PackageForm(MarkingMixin):
    title = forms.CharField(label="Title", max_length=200)
    date = forms.DateField(label="Date", widget=DATE, help_text="When the package was announced")
    source = forms.ChoiceField(label="Source", choices=PackageSource.choices)
    funders = forms.CharField(
        label="Funders", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For a co-funded package: each nation and its share, adding up to 1, your nation among them, "
                  "e.g. 'FRA 0.6, DEU 0.4'. Leave empty when your nation funds it alone.")
    announcement = AnnouncementChoiceField(label="Announced at", queryset=None, required=False,
                                           empty_label="— no meeting announcement —")
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["title", "date", "source", "funders", "announcement", "description", "classification",
                   "releasability", "rel_to", "version"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        field = self.fields["announcement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.announcement_choices(actor=actor)

    def clean_funders(self) -> list[services.FunderShare]:
        return parse_funders(self.cleaned_data.get("funders", ""))

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        announcement = data.get("announcement")
        return {
            "title": data["title"], "date": data["date"], "source": data["source"],
            "announcement_id": announcement.pk if announcement else None, "description": data["description"],
            **self.marking_values(),
        }


class LineForm(ActorForm):
    """A line's details; its marking defaults to the package's (leave the classification on 'as package')."""

    item_type = ItemTypeChoiceField(label="Item type", queryset=None, required=False,
                                    empty_label="— an amount of money (financing) —")
    description = forms.CharField(label="Description", max_length=300, required=False)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=10**9, initial=1)
    value_amount = forms.DecimalField(label="Value", min_value=0, max_digits=18, decimal_places=2,
                                      help_text="In the original currency")
    currency = forms.CharField(label="Currency", max_length=3, initial="EUR",
                               widget=forms.TextInput(attrs={"size": 4}))
    value_date = forms.DateField(label="Value date", widget=DATE, required=False,
                                 help_text="The ECB rate of this day converts the value to EUR (default: the "
                                           "package date)")
    valuation_method = forms.ChoiceField(label="Valuation", choices=ValuationMethod.choices)
    available_from = forms.DateField(label="Available from", widget=DATE, required=False)
    requirement = RequirementChoiceField(label="Pledged against", queryset=None, required=False,
                                         empty_label="— no requirement —")
    restrictions = forms.CharField(label="Restrictions", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    restriction_flags = forms.MultipleChoiceField(label="Restriction flags", choices=Restriction.choices,
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    excluded_uses = forms.MultipleChoiceField(label="Excluded uses", choices=UseCategory.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    classification = forms.TypedChoiceField(label="Classification", coerce=int, empty_value=None, required=False)
    releasability = forms.ChoiceField(label="Releasability", required=False,
                                      choices=_blank("as the package", Releasability.choices))
    rel_to = NationMultipleChoiceField(label="REL TO nations", queryset=None, to_field_name="code", required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self._set("item_type", selectors.item_type_choices(actor=actor))
        self._set("requirement", selectors.requirement_choices(actor=actor))
        self._set("rel_to", nation_list(actor=actor))
        highest = min(ceiling(), actor.clearance)
        field = self.fields["classification"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "as the package"), *[(c.value, c.label) for c in Classification if c <= highest]]

    def _set(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def spec(self) -> services.LineSpec:
        data = self.cleaned_data
        rel_to = [n.code for n in data["rel_to"]]
        return services.LineSpec(
            item_type_id=data["item_type"].pk if data["item_type"] else None, description=data["description"],
            quantity=data["quantity"], value_amount=data["value_amount"], currency=data["currency"].upper(),
            value_date=data["value_date"], valuation_method=data["valuation_method"],
            available_from=data["available_from"],
            requirement_id=data["requirement"].pk if data["requirement"] else None,
            restrictions=data["restrictions"], restriction_flags=data["restriction_flags"],
            excluded_uses=data["excluded_uses"], classification=data["classification"],
            releasability=data["releasability"] or None, rel_to=rel_to or None,
        )

    def changes(self, fields: set[str]) -> dict[str, Any]:
        """The line's changes for `line_update`, limited to `fields` (what the line's stage lets change)."""
        spec = self.spec()
        values = {
            "item_type_id": spec.item_type_id, "description": spec.description, "quantity": spec.quantity,
            "value_amount": spec.value_amount, "currency": spec.currency, "value_date": spec.value_date,
            "valuation_method": spec.valuation_method, "available_from": spec.available_from,
            "requirement_id": spec.requirement_id, "restrictions": spec.restrictions,
            "restriction_flags": list(spec.restriction_flags), "excluded_uses": list(spec.excluded_uses),
            "classification": spec.classification, "releasability": spec.releasability,
            "rel_to": spec.rel_to,
        }
        return {k: v for k, v in values.items() if k in fields and not (k == "value_date" and v is None)}


class StepForm(forms.Form):
    """A lifecycle step; which inputs apply depends on the step (quantity, requirement, reason)."""

    date = forms.DateField(label="Effective date", widget=DATE, required=False, help_text="Default: today")
    quantity = forms.IntegerField(label="Units", min_value=1, max_value=10**9, required=False)
    requirement = RequirementChoiceField(label="Requirement", queryset=None, required=False)
    reason = forms.CharField(label="Reason", max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    NEEDS = {"allocate": "requirement", "ship": "quantity", "deliver": "quantity", "split": "quantity",
             "cancel": "reason"}

    def __init__(self, *args: Any, actor: Actor, verb: str, item_type_id: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verb = verb
        field = self.fields["requirement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.requirement_choices(actor=actor, item_type_id=item_type_id)
        needed = self.NEEDS.get(verb)
        for name in ("quantity", "requirement", "reason"):
            if name != needed:
                del self.fields[name]
            else:
                self.fields[name].required = True
        self.prefix = verb


class PackageFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "title or description"}))
    donor = forms.CharField(label="Funder", required=False, max_length=3,
                            widget=forms.TextInput(attrs={"size": 4, "placeholder": "FRA"}))
    source = forms.ChoiceField(label="Source", required=False, choices=_blank("any", PackageSource.choices))
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="To", required=False, widget=DATE)

    def filters(self) -> selectors.PackageFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.PackageFilters(q=data.get("q", "").strip(), donor=data.get("donor", "").strip(),
                                        source=data.get("source", ""), date_from=data.get("date_from"),
                                        date_to=data.get("date_to"))


class LineFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label="Status", required=False, choices=_blank("any", LineStatus.choices))
    donor = forms.CharField(label="Funder", required=False, max_length=3,
                            widget=forms.TextInput(attrs={"size": 4, "placeholder": "FRA"}))
    available_before = forms.DateField(label="Available by", required=False, widget=DATE)

    def filters(self) -> selectors.LineFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.LineFilters(q=data.get("q", "").strip(), status=data.get("status", ""),
                                     donor=data.get("donor", "").strip(),
                                     available_before=data.get("available_before"))


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or XLSX file",
                           help_text=f"At most {MAX_BYTES // (1024 * 1024)} MB; columns as in the template below")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"the file is {upload.size / 1048576:.1f} MB; the limit is "
                                        f"{MAX_BYTES // 1048576} MB: split it into smaller files")
        return upload
