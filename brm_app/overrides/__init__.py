"""Workarounds for frappe 15.44 behaviour that would let a relationship manager past row-level access
(docs/security.md cases 1 and 2; hooks.override_whitelisted_methods). See access.py."""
