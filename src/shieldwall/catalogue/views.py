"""Pages of the catalogue: the browser (areas → classes → types, with what each type satisfies) and one item
class with every type that fills it. Reference data: no marking, shown to everyone signed in; admins create and
edit classes, types and what a type also satisfies, over the same services as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shieldwall.catalogue import selectors, services
from shieldwall.catalogue.forms import CompatibilityForm, CompatibilityRemoveForm, ItemClassForm, ItemTypeForm
from shieldwall.catalogue.models import ItemClass, ItemType
from shieldwall.coalition.models import CapabilityAreaCode
from shieldwall.core import writes
from shieldwall.core.access import can
from shieldwall.core.actor import Actor
from shieldwall.core.errors import PermissionDenied
from shieldwall.core.requests import get_actor
from shieldwall.core.views_support import domain_errors, render_page, submit


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
    context = {"form": form, "areas": areas, "title": "Catalogue",
               "can_edit": can(get_actor(request), "create", ItemClass)}
    return render_page(request, "catalogue/catalogue.html", context, partial="catalogue/_tree.html")


@login_required
@domain_errors
def item_class_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    item_class = selectors.item_class_get(actor=actor, id=id)
    context = {"item_class": item_class, "satisfying": item_class.satisfying,  # type: ignore[attr-defined]
               "title": item_class.name, "can_edit": can(actor, "change", item_class)}
    return render_page(request, "catalogue/item_class_detail.html", context)


# --- admin pages: item classes ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def item_class_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    writes.require(actor, "create", ItemClass)
    form = ItemClassForm(request.POST or None, actor=actor, initial={"area": request.GET.get("area")})
    if request.method == "POST" and form.is_valid():
        obj = submit(form, lambda: services.item_class_create(actor=actor, **form.values()))
        if obj is not None:
            messages.success(request, f"Item class “{obj.name}” created.")
            return redirect("item_class_detail", id=obj.pk)
    context = {"form": form, "title": "New item class"}
    return render_page(request, "catalogue/item_class_form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def item_class_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    item_class = selectors.item_class_get(actor=actor, id=id)
    writes.require(actor, "change", item_class)
    form = ItemClassForm(request.POST or None, actor=actor, initial=ItemClassForm.initial_of(item_class))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        obj = submit(form, lambda: services.item_class_update(actor=actor, id=id, expected_version=version,
                                                             **form.values()))
        if obj is not None:
            messages.success(request, f"Item class “{obj.name}” saved.")
            return redirect("item_class_detail", id=id)
    context = {"form": form, "item_class": item_class, "title": f"Edit {item_class.name}"}
    return render_page(request, "catalogue/item_class_form.html", context, status=422 if form.errors else 200)


# --- admin pages: item types and what they also satisfy ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def item_type_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    writes.require(actor, "create", ItemType)
    form = ItemTypeForm(request.POST or None, actor=actor, initial={"item_class": request.GET.get("item_class")})
    if request.method == "POST" and form.is_valid():
        obj = submit(form, lambda: services.item_type_create(actor=actor, **form.values()))
        if obj is not None:
            messages.success(request, f"Item type “{obj.name}” created.")
            return redirect("item_class_detail", id=obj.item_class_id)
    context = {"form": form, "title": "New item type"}
    return render_page(request, "catalogue/item_type_form.html", context, status=422 if form.errors else 200)


def _type_page(request: HttpRequest, actor: Actor, item_type: ItemType, *, form: ItemTypeForm | None = None,
               compat_form: CompatibilityForm | None = None) -> HttpResponse:
    form = form or ItemTypeForm(actor=actor, initial=ItemTypeForm.initial_of(item_type))
    compat_form = compat_form or CompatibilityForm(actor=actor)
    errors = bool(form.errors or compat_form.errors)
    context: dict[str, Any] = {
        "form": form, "compat_form": compat_form, "item_type": item_type,
        "compatibilities": item_type.compatibilities.all(), "title": f"Edit {item_type.name}",
    }
    return render_page(request, "catalogue/item_type_form.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def item_type_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    item_type = selectors.item_type_get(actor=actor, id=id)
    writes.require(actor, "change", item_type)
    form = ItemTypeForm(request.POST or None, actor=actor, initial=ItemTypeForm.initial_of(item_type))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        obj = submit(form, lambda: services.item_type_update(actor=actor, id=id, expected_version=version,
                                                            **form.values()))
        if obj is not None:
            messages.success(request, f"Item type “{obj.name}” saved.")
            return redirect("item_class_detail", id=obj.item_class_id)
    return _type_page(request, actor, item_type, form=form)


@login_required
@require_POST
@domain_errors
def compatibility_add(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    item_type = selectors.item_type_get(actor=actor, id=id)
    writes.require(actor, "change", item_type)
    form = CompatibilityForm(request.POST, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        obj = submit(form, lambda: services.compatibility_create(
            actor=actor, item_type_id=id, item_class_id=data["item_class"].pk, note=data["note"].strip()))
        if obj is not None:
            messages.success(request, f"{item_type.name} now also satisfies {obj.item_class.name}.")
            return redirect("item_type_edit", id=id)
    return _type_page(request, actor, item_type, compat_form=form)


@login_required
@require_POST
@domain_errors
def compatibility_remove(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    item_type = selectors.item_type_get(actor=actor, id=id)
    writes.require(actor, "change", item_type)
    form = CompatibilityRemoveForm(request.POST)
    if form.is_valid():
        compat = selectors.compatibility_get(actor=actor, id=form.cleaned_data["compatibility"])
        if compat.item_type_id != item_type.pk:
            raise PermissionDenied("that compatibility belongs to another item type")

        def remove() -> bool:
            services.compatibility_delete(actor=actor, id=compat.pk, expected_version=form.cleaned_data["version"])
            return True

        if submit(form, remove):
            messages.success(request, f"{item_type.name} no longer satisfies {compat.item_class.name}.")
            return redirect("item_type_edit", id=id)
    for errors in form.errors.values():
        messages.error(request, " ".join(str(e) for e in errors))
    return redirect("item_type_edit", id=id)
