"""Pledges: packages from one or several donors, pledge lines with their lifecycle and valuation in EUR."""
