"""Complaint tickets count against the customer's portfolio (docs/design.md S3 g, K7).

A ticket is a complaint when its type is one of BRM Settings' complaint issue types: the Issue's
``issue_type``, or the HD Ticket's ``ticket_type`` of the same name. It is open until Resolved or Closed.
The count is stored on the Customer Portfolio (``open_complaints``) where the health score uses it.
"""

import frappe
from frappe.query_builder.functions import Count

from brm_app.integrations import HD_TICKET, helpdesk_installed
from brm_app.settings import get_settings

CLOSED_TICKET_STATUSES = ("Resolved", "Closed")
PORTFOLIO = "Customer Portfolio"


def complaint_types() -> list[str]:
	return [row.issue_type for row in get_settings().get("complaint_issue_types") or [] if row.issue_type]


def open_complaint_counts(customers: list[str] | None = None) -> dict[str, int]:
	"""Open complaint tickets per ERPNext Customer (Issues and, when installed, HD Tickets); set-based."""
	types = complaint_types()
	if not types or customers == []:
		return {}
	counts: dict[str, int] = {}
	for customer, count in _open_counts("Issue", "issue_type", types, customers):
		counts[customer] = counts.get(customer, 0) + int(count)

	if helpdesk_installed():
		rows = _open_counts(HD_TICKET, "ticket_type", types, customers)
		known = set(
			frappe.get_all("Customer", filters={"name": ("in", [r[0] for r in rows])}, pluck="name")
			if rows
			else []
		)
		for hd_customer, count in rows:
			if hd_customer in known:  # an HD Customer counts for the ERPNext Customer of the same name
				counts[hd_customer] = counts.get(hd_customer, 0) + int(count)
	return counts


def _open_counts(doctype: str, type_field: str, types: list[str], customers: list[str] | None) -> list:
	"""(customer, open complaints) of one ticket doctype: its tickets of a complaint type, not closed."""
	ticket = frappe.qb.DocType(doctype)
	query = (
		frappe.qb.from_(ticket)
		.select(ticket.customer, Count("*"))
		.where(getattr(ticket, type_field).isin(types))
		.where(ticket.status.notin(CLOSED_TICKET_STATUSES))
		.where(ticket.customer.isnotnull())
		.groupby(ticket.customer)
	)
	if customers:
		query = query.where(ticket.customer.isin(customers))
	return query.run()


def refresh_open_complaints(customers: list[str | None]) -> None:
	"""Store the open complaint count on these customers' portfolios (without touching `modified`).

	Called when a ticket of the customer changes: the customer has a ticket, so the count is data, 0
	included (a portfolio without any ticket keeps NULL, "no data", from the health job)."""
	customers = sorted({c for c in customers if c})
	if not customers:
		return
	counts = open_complaint_counts(customers)
	portfolios = frappe.get_all(
		PORTFOLIO, filters={"customer": ("in", customers)}, fields=["name", "customer", "open_complaints"]
	)
	for portfolio in portfolios:
		count = counts.get(portfolio.customer, 0)
		if portfolio.open_complaints != count:
			frappe.db.set_value(PORTFOLIO, portfolio.name, "open_complaints", count, update_modified=False)


def is_complaint(ticket_type: str | None) -> bool:
	return bool(ticket_type) and ticket_type in complaint_types()
