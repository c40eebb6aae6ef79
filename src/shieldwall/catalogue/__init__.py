"""The capability catalogue: capability areas, item classes, item types, compatibility, reference prices."""
