"""The embedded demo: SQLite under ./var/, a generated secret kept in ./var/, plain HTTP on 127.0.0.1."""

from __future__ import annotations

import secrets

from shieldwall.config.settings.base import *  # noqa: F403
from shieldwall.config.settings.base import VAR_DIR, env_bool


def _demo_secret() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _demo_secret()  # noqa: F405
DEBUG = env_bool("SHIELDWALL_DEBUG", True)
