"""Production: refuses to start without a real secret key or with debug on; whitenoise serves static files."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from shieldwall.config.settings.base import *  # noqa: F403
from shieldwall.config.settings.base import env_bool

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("SHIELDWALL_DEBUG must be off in production.")
if len(SECRET_KEY) < 32 or SECRET_KEY.startswith("django-insecure"):  # noqa: F405
    raise ImproperlyConfigured(
        "SHIELDWALL_SECRET_KEY must be set to a random value of at least 32 characters in production."
    )

# Behind TLS by default; the local demo sets SHIELDWALL_HTTPS=0 because it serves plain HTTP on 127.0.0.1.
_HTTPS = env_bool("SHIELDWALL_HTTPS", True)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS and env_bool("SHIELDWALL_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
