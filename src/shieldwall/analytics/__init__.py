"""Burden-sharing analytics: contribution facts, metrics, charts, exports and external data imports (Kiel UST)."""
