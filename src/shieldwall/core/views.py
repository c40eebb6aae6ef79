"""Pages owned by core: sign-in with its TOTP second factor, the home page, the audit log and API tokens.

Views are thin: parse the form, get the actor, call one service or selector, render (DESIGN.md §3).
"""

from __future__ import annotations

from base64 import b32encode
from io import BytesIO
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from shieldwall.coalition.selectors import actor_overview
from shieldwall.core import services
from shieldwall.core.banner import ceiling_banner, page_banner
from shieldwall.core.forms import ApiTokenForm, AuditFilterForm, TokenCodeForm
from shieldwall.core.requests import get_actor
from shieldwall.core.selectors import audit_event_list, token_list
from shieldwall.core.views_support import domain_errors, paginate, render_page, safe_next, submit
from shieldwall.logistics.selectors import home_overdue


class LoginView(auth_views.LoginView):
    """Django's sign-in; django-axes counts the failures and answers with `core/locked_out.html`."""

    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign-out by POST only (a link or prefetch cannot sign anyone out)."""


def _qr_svg(data: str) -> SafeString:
    # Drawn on the server as SVG so enrolment works air-gapped; the payload is our own otpauth URL.
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration: the SVG is inlined into HTML
    return mark_safe(svg.replace("<svg", '<svg role="img" aria-label="QR code of your authenticator key"', 1))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def otp_enrol(request: HttpRequest) -> HttpResponse:
    # Someone holding only the password must not add an authenticator of their own: verify the existing one first.
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():  # type: ignore[union-attr]
        return redirect(f"{reverse('otp_verify')}?next={reverse('otp_enrol')}")
    actor = get_actor(request)
    device = services.totp_enrol_start(actor=actor)
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["token"]
        confirmed = submit(form, lambda: services.totp_enrol_confirm(actor=actor, device_id=device.pk, token=code))
        if confirmed is not None:
            django_otp.login(request, confirmed)
            messages.success(request, "Your authenticator is enrolled; you will be asked for a code at each sign-in.")
            return redirect("home")
    secret = b32encode(device.bin_key).decode()
    context = {"form": form, "qr_svg": _qr_svg(device.config_url), "title": "Set up two-factor sign-in",
               "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))}
    return render_page(request, "core/otp_enrol.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user, confirmed=True):
        return redirect("otp_enrol")
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = get_actor(request)
        device = submit(form, lambda: services.totp_verify(actor=actor, token=form.cleaned_data["token"]))
        if device is not None:
            django_otp.login(request, device)
            return redirect(safe_next(request, reverse("home")))
    context = {"form": form, "next": safe_next(request, ""), "title": "Two-factor verification"}
    return render_page(request, "core/otp_verify.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    overview = actor_overview(actor=actor)
    late = home_overdue(actor=actor)
    context = {"overview": overview, "overdue": late, "title": "Overview"}
    records = [*overview.next_meetings, *(late.shipments + late.lines if late else [])]
    return render_page(request, "core/home.html", context, banner=page_banner(records))


@login_required
@domain_errors
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list(actor=get_actor(request), filters=form.filters() if form.is_bound else None)
    context: dict[str, Any] = {"form": form, "page": paginate(request, events), "title": "Audit log"}
    # Audit rows are not marked one by one and may describe any record, so the page is marked at the ceiling.
    return render_page(request, "core/audit_log.html", context, banner=ceiling_banner("AUDIT DATA"),
                       partial="core/_audit_table.html")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def tokens(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = submit(form, lambda: services.token_create(actor=actor, name=data["name"] or "",
                                                             expires_in_days=data["expires_in_days"]))
        if created is not None:
            form = ApiTokenForm()  # the clear text is shown once, in this response only: never redirect with it
    context = {"form": form, "created": created, "tokens": token_list(actor=actor), "now": timezone.now(),
               "title": "API tokens"}
    response = render_page(request, "core/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@domain_errors
def token_revoke(request: HttpRequest, id: int) -> HttpResponse:
    token = services.token_revoke(actor=get_actor(request), id=id)
    messages.success(request, f"Token “{token.name}” is revoked; requests using it are now refused.")
    return redirect("tokens")
