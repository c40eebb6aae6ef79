"""Tests of the pure matching optimiser (no database)."""
