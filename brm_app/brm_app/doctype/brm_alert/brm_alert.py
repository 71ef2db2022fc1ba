# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""An alert for the relationship manager (docs/alerts.md).

Rows are opened and closed set-based by the daily alert job (brm_app.jobs.alerts) only; nobody creates,
edits or deletes one from the desk, the REST API or a Data Import: every document path runs `validate` or
`on_trash`, which refuse.
"""

import frappe
from frappe import _
from frappe.model.document import Document


class BRMAlert(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		cause_doctype: DF.Link | None
		cause_key: DF.Data | None
		cause_name: DF.DynamicLink | None
		closed_on: DF.Datetime | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		message: DF.SmallText | None
		open_key: DF.Data | None
		opened_on: DF.Datetime | None
		portfolio: DF.Link | None
		relationship_manager: DF.Link | None
		rule: DF.Literal[
			"Health Score Fell",
			"At Risk",
			"Detractor Response",
			"Outcome Overdue",
			"Notice Window",
			"Review Overdue",
			"Opportunity Stuck",
		]
		status: DF.Literal["Open", "Closed"]
		todo: DF.Link | None

	# end: auto-generated types
	def validate(self):
		refuse()

	def on_trash(self):
		refuse()

	def before_rename(self, old, new, merge=False):
		refuse()


def delete_for_portfolio(portfolio: str) -> None:
	"""A deleted portfolio takes its alerts and the ToDos they opened with it (brm_app.integrations.customer).
	Straight SQL: the controller refuses a deletion by anyone."""
	alerts = frappe.get_all("BRM Alert", filters={"portfolio": portfolio}, pluck="name")
	if alerts:
		frappe.db.delete("ToDo", {"reference_type": "BRM Alert", "reference_name": ("in", alerts)})
		frappe.db.delete("BRM Alert", {"name": ("in", alerts)})


def refuse():
	if not frappe.flags.in_brm_alerts:
		frappe.throw(_("Alerts are opened and closed by the system only."), frappe.PermissionError)
