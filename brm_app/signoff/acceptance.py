"""Acceptance at the end (docs/sign-off.md): when the project made from an approved case is completed, the
case's signatories validate each requirement's acceptance criteria through the same channels."""

import frappe


def after_decision(record) -> None:
	"""After a signatory's acceptance decision."""
	frappe.throw(frappe._("Acceptance sign-offs are not available yet."))
