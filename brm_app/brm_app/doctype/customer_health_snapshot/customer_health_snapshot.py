# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""A portfolio's health at one date (docs/health-over-time.md).

Rows are written set-based by brm_app's health jobs only (brm_app.jobs.health); nobody edits them from the
desk or the API: no role has a write permission, and the controller refuses any save or delete outside the
jobs (frappe.flags.in_health_snapshot), whoever asks. They go with their portfolio.
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


def delete_health_snapshots(portfolio: str) -> None:
	"""Remove the snapshots of a portfolio being deleted (one DELETE; their controller is not involved)."""
	frappe.db.delete("Customer Health Snapshot", {"portfolio": portfolio})
