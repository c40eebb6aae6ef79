"""Second factor: a user with a confirmed TOTP device must verify it after the password; an admin must enrol."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp import user_has_device

# Pages reachable between the password and the second factor.
_OPEN_PATHS = ("/login", "/logout", "/otp/", "/static/", "/api/", "/public")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        pending = user is not None and user.is_authenticated and not user.is_verified()  # type: ignore[union-attr]
        if pending and not request.path.startswith(_OPEN_PATHS):
            if user_has_device(user, confirmed=True):
                return redirect(f"/otp/verify/?next={request.get_full_path()}")
            if user.is_admin_role:  # type: ignore[union-attr]
                return redirect("/otp/enrol/")
        return self.get_response(request)
