"""Integration with the helpdesks (ERPNext Issue, Helpdesk HD Ticket) and ERPNext Project (docs/design.md
"Helpdesk hooks"): surveys when tickets close and projects are delivered, complaints counted against the
customer's portfolio, improvement opportunities from tickets and low-score surveys, dashboard connections.

The Helpdesk app is optional. Nothing here imports it: its doctypes are reached by name, through
doc_events keyed by "HD Ticket" (never called when the doctype does not exist) and guarded queries
(``helpdesk_installed``).
"""

import frappe

HD_TICKET = "HD Ticket"


def helpdesk_installed() -> bool:
	return "helpdesk" in frappe.get_installed_apps() and bool(frappe.db.exists("DocType", HD_TICKET))
