"""Holding an uploaded import file between the dry run and the confirmed import of the import page.

The browser cannot send the same file twice without the user choosing it again, so the page keeps it on disk
under an unguessable token bound to the user and the package; the confirmed import validates everything again.
Files are removed once imported, and any older than a day when the next one is staged.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(user_id: int, package_id: int, token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return _dir() / f"{user_id}-{package_id}-{token}"


def stage(chunks: Iterable[bytes], *, user_id: int, package_id: int) -> str:
    """Write the upload to disk chunk by chunk; returns the token that finds it again."""
    _sweep()
    token = secrets.token_urlsafe(24)
    path = _path(user_id, package_id, token)
    assert path is not None
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return token


def staged(*, user_id: int, package_id: int, token: str) -> Path | None:
    path = _path(user_id, package_id, token)
    return path if path is not None and path.is_file() else None


def discard(path: Path) -> None:
    path.unlink(missing_ok=True)


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in _dir().iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
