"""The partner's prioritised requirements list and its coverage by pledges."""
