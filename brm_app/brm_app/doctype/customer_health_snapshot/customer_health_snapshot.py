# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""A portfolio's health at one date (docs/relationship-rhythm.md "Health over time").

Rows are written set-based by brm_app's health jobs only; nobody edits them from the desk or the API.
"""

import frappe
from frappe import _
from frappe.model.document import Document


class CustomerHealthSnapshot(Document):
	def validate(self):
		if not frappe.flags.in_health_snapshot:
			frappe.throw(_("Health snapshots are written by the system only."), frappe.PermissionError)

	def on_trash(self):
		if not frappe.flags.in_health_snapshot:
			frappe.throw(_("Health snapshots are written by the system only."), frappe.PermissionError)
