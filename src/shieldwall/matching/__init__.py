"""Pure matching optimiser: pledged supply lots to open requirements (no Django, no ORM)."""
