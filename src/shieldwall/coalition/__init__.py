"""The coalition registry: nations, organisations, memberships and tiers, capability coalitions, meetings."""
