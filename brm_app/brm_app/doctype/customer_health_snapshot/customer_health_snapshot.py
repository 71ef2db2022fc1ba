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
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement_coverage: DF.Percent
		csat_score: DF.Percent
		customer: DF.Link | None
		customer_name: DF.Data | None
		health_rag: DF.Literal["", "Green", "Amber", "Red"]
		health_score: DF.Float
		nps_score: DF.Float
		open_complaints: DF.Int
		portfolio: DF.Link
		reason: DF.Literal["Weekly", "Band Change"]
		relationship_manager: DF.Link | None
		sla_compliance: DF.Percent
		snapshot_date: DF.Date

	# end: auto-generated types
	def validate(self):
		if not frappe.flags.in_health_snapshot:
			frappe.throw(_("Health snapshots are written by the system only."), frappe.PermissionError)

	def on_trash(self):
		if not frappe.flags.in_health_snapshot:
			frappe.throw(_("Health snapshots are written by the system only."), frappe.PermissionError)


def delete_health_snapshots(portfolio: str) -> None:
	"""Remove the snapshots of a portfolio being deleted (one DELETE; their controller is not involved)."""
	frappe.db.delete("Customer Health Snapshot", {"portfolio": portfolio})
