"""Typed errors raised by brm_app; all are validation errors so the desk shows them as messages."""

import frappe


class BRMValidationError(frappe.ValidationError):
	"""Base class of brm_app's own validation errors."""
