"""Tests: the same settings, a fast password hasher, synchronous tasks; the database comes from DATABASE_URL."""

from __future__ import annotations

import os

from shieldwall.config.settings.base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 20
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MAX_CLASSIFICATION = os.environ.get("SHIELDWALL_MAX_CLASSIFICATION", "SECRET").upper()
# Tests that load the whole demo do not need its full size; the demo's own tests choose theirs.
DEMO_SCALE = float(os.environ.get("SHIELDWALL_DEMO_SCALE", "0.05"))
