"""Markings, the Actor, the access policy, scoped managers, the audit chain, errors and shared adapters."""
