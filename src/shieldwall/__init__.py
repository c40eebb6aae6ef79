"""Shieldwall: a coalition's source of truth for security assistance."""

__version__ = "0.1.0"
