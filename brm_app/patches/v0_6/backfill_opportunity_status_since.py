"""Service Opportunity.status_since (issue 18) is set by the controller from now on; rows made before have
none. Backfill it from the row's last change (`modified`, else `creation`): the status is at least that old,
so the "opportunity stuck" alert (docs/alerts.md) never fires earlier than it should."""

import frappe


def execute():
	frappe.db.sql(
		"""update `tabService Opportunity` set `status_since` = coalesce(`modified`, `creation`)
		where `status_since` is null"""
	)
