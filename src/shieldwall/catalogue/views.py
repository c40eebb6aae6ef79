"""Pages of the catalogue: the browser (areas → classes → types, with what each type satisfies) and one item
class with every type that fills it. Reference data: no marking, shown to everyone signed in."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from shieldwall.catalogue import selectors
from shieldwall.coalition.models import CapabilityAreaCode
from shieldwall.core.requests import get_actor
from shieldwall.core.views_support import domain_errors, render_page


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "class, type or family"}))
    area = forms.ChoiceField(label="Capability area", required=False,
                             choices=[("", "any"), *CapabilityAreaCode.choices])


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    areas = selectors.catalogue_tree(actor=get_actor(request), area=data.get("area", ""), q=data.get("q", "").strip())
    context = {"form": form, "areas": areas, "title": "Catalogue"}
    return render_page(request, "catalogue/catalogue.html", context, partial="catalogue/_tree.html")


@login_required
@domain_errors
def item_class_detail(request: HttpRequest, id: int) -> HttpResponse:
    item_class = selectors.item_class_get(actor=get_actor(request), id=id)
    context = {"item_class": item_class, "satisfying": item_class.satisfying,  # type: ignore[attr-defined]
               "title": item_class.name}
    return render_page(request, "catalogue/item_class_detail.html", context)
