"""Pages of security agreements: list, detail with the fulfilment table and the packages it covers, create,
edit, delete, and linking packages to it. Thin, like every page (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shieldwall.coalition import selectors, services
from shieldwall.coalition.agreement_forms import (
    AgreementFilterForm,
    AgreementForm,
    LinkPackageForm,
    format_schedule,
)
from shieldwall.coalition.models import SecurityAgreement
from shieldwall.coalition.terms import last_day
from shieldwall.core.access import can
from shieldwall.core.actor import Actor
from shieldwall.core.banner import banner_for_marking, page_banner
from shieldwall.core.errors import PermissionDenied, PreconditionFailed, ValidationFailed
from shieldwall.core.requests import get_actor
from shieldwall.core.selectors import object_history
from shieldwall.core.views_support import domain_errors, paginate, render_page, sort_queryset, submit
from shieldwall.pledges import links, reports

R = TypeVar("R")
AGREEMENT_SORTS = {"signed": ["signed", "id"], "title": ["title", "id"], "donor": ["donor__code", "id"],
                   "partner": ["partner__code", "id"], "classification": ["classification", "releasability", "id"]}


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = AgreementFilterForm(request.GET)
    qs, sort = sort_queryset(request, selectors.agreement_list(actor=actor, filters=form.filters()),
                             AGREEMENT_SORTS, "-signed")
    page = paginate(request, qs)
    context = {"form": form, "page": page, "sort": sort, "title": "Security agreements",
               "can_create": can(actor, "create", SecurityAgreement)}
    return render_page(request, "coalition/agreement_list.html", context, banner=page_banner(page.object_list),
                       partial="coalition/_agreement_table.html")


def _detail_page(request: HttpRequest, actor: Actor, agreement_id: int, *, tab: str = "overview",
                 link_form: LinkPackageForm | None = None, status: int = 200) -> HttpResponse:
    result = reports.agreement_fulfilment(actor=actor, agreement_id=agreement_id)
    agreement = result.agreement
    linkable = reports.packages_linkable_to_agreement(actor=actor, agreement=agreement)
    context: dict[str, Any] = {
        "agreement": agreement, "result": result, "tab": tab, "title": agreement.title,
        "ends": last_day(agreement.signed, agreement.duration_years),
        "can_edit": can(actor, "change", agreement), "can_delete": can(actor, "delete", agreement),
        "link_form": link_form or LinkPackageForm(packages=linkable),
        "can_unlink": {p.package.pk for p in result.packages if can(actor, "change", p.package)},
    }
    if tab == "history":
        context["history"] = object_history(actor=actor, object_type="coalition.securityagreement",
                                            object_id=agreement.pk)
    return render_page(request, "coalition/agreement_detail.html", context,
                       banner=banner_for_marking(result.marking), status=status)


@login_required
@domain_errors
def agreement_detail(request: HttpRequest, id: int) -> HttpResponse:
    tab = "history" if request.GET.get("tab") == "history" else "overview"
    return _detail_page(request, get_actor(request), id, tab=tab)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can(actor, "create", SecurityAgreement):
        raise PermissionDenied("only coordinators and donor officers record security agreements")
    initial = {"donor": actor.nation_code, "partner": "UKR", "duration_years": 10}
    form = AgreementForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        agreement = submit(form, lambda: _permitted(form, lambda: services.agreement_create(actor=actor,
                                                                                           **form.values())))
        if agreement is not None:
            messages.success(request, f"Agreement “{agreement.title}” recorded.")
            return redirect("agreement_detail", id=agreement.pk)
    return render_page(request, "coalition/agreement_form.html", {"form": form, "title": "New security agreement"},
                       status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def agreement_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    agreement = selectors.agreement_get(actor=actor, id=id)
    if not can(actor, "change", agreement):
        raise PermissionDenied("you may not change this agreement")
    form = AgreementForm(request.POST or None, actor=actor, initial=_initial(agreement))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        updated = submit(form, lambda: services.agreement_update(actor=actor, id=id, expected_version=version,
                                                                **form.values()))
        if updated is not None:
            messages.success(request, f"Agreement “{updated.title}” saved.")
            return redirect("agreement_detail", id=id)
    context = {"form": form, "agreement": agreement, "title": f"Edit {agreement.title}"}
    return render_page(request, "coalition/agreement_form.html", context, banner=page_banner(agreement),
                       status=422 if form.errors else 200)


def _permitted(form: AgreementForm, call: Callable[[], R]) -> R | None:
    """Whose agreement it is decides who may record it (a donor officer: its own nation's), so a refusal is
    about the form's content and is shown on it rather than as a bare 403."""
    try:
        return call()
    except PermissionDenied:
        form.add_error("donor", "you may record agreements of your own nation only")
        return None


def _initial(agreement: SecurityAgreement) -> dict[str, Any]:
    return {
        "title": agreement.title, "donor": agreement.donor.code, "partner": agreement.partner.code,
        "signed": agreement.signed, "duration_years": agreement.duration_years,
        "description": agreement.description, "obligations": format_schedule(agreement.obligations.all()),
        "classification": agreement.classification, "releasability": agreement.releasability,
        "rel_to": [n.code for n in agreement.rel_to.all()], "version": agreement.version,
    }


@login_required
@require_POST
@domain_errors
def agreement_delete(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    agreement = selectors.agreement_get(actor=actor, id=id)
    version = _posted_version(request)
    if version is None:
        messages.error(request, "Reload the agreement and delete it from its page.")
        return redirect("agreement_detail", id=id)
    try:
        services.agreement_delete(actor=actor, id=id, expected_version=version)
    except (ValidationFailed, PreconditionFailed) as exc:
        messages.error(request, exc.detail)
        return redirect("agreement_detail", id=id)
    messages.success(request, f"Agreement “{agreement.title}” deleted.")
    return redirect("agreement_list")


@login_required
@require_POST
@domain_errors
def agreement_link_package(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    agreement = selectors.agreement_get(actor=actor, id=id)
    form = LinkPackageForm(request.POST, packages=reports.packages_linkable_to_agreement(actor=actor,
                                                                                        agreement=agreement))
    if form.is_valid():
        package = form.cleaned_data["package"]
        if submit(form, lambda: links.package_link_agreement(actor=actor, package_id=package.pk,
                                                             agreement_id=id)) is not None:
            messages.success(request, f"“{package.title}” now counts towards this agreement.")
            return redirect("agreement_detail", id=id)
    return _detail_page(request, actor, id, link_form=form, status=422)


@login_required
@require_POST
@domain_errors
def agreement_unlink_package(request: HttpRequest, id: int, package_id: int) -> HttpResponse:
    actor = get_actor(request)
    selectors.agreement_get(actor=actor, id=id)
    version = _posted_version(request)
    if version is None:
        messages.error(request, "Reload the agreement and unlink the package from its page.")
        return redirect("agreement_detail", id=id)
    try:
        links.package_unlink_agreement(actor=actor, package_id=package_id, agreement_id=id,
                                       expected_version=version)
    except PreconditionFailed as exc:
        messages.error(request, exc.detail)
        return redirect("agreement_detail", id=id)
    messages.success(request, "The package no longer counts towards this agreement.")
    return redirect("agreement_detail", id=id)


def _posted_version(request: HttpRequest) -> int | None:
    """The version the page showed: a button that changes a record without a form must still name what it saw,
    so a stale page (or a bare POST) changes nothing."""
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else None
