"""Shared behaviour of the records that hang off a Customer Portfolio.

Customer Agreement, Service Opportunity, Business Case and Satisfaction Survey all carry
`customer`, `customer_name`, `portfolio` and `relationship_manager`. The relationship manager is
copied from the portfolio so that row-level access (docs/design.md "Roles and access") can filter every
one of these doctypes on a single indexed column.
"""

import frappe
from frappe import _

from brm_app.exceptions import BRMValidationError

CUSTOMER_LINKED_DOCTYPES = (
	"Customer Agreement",
	"Service Opportunity",
	"Business Case",
	"Satisfaction Survey",
	# issue 18: review meetings with the customer (docs/service-reviews.md)
	"Service Review",
)


class MissingPortfolioError(BRMValidationError):
	pass


def link_portfolio(doc) -> None:
	"""Set doc.portfolio and doc.relationship_manager from doc.customer's portfolio.

	Refuses a customer without a portfolio: such a record would have no relationship manager,
	and so no one (but the process roles) could see it.
	"""
	if not doc.customer:
		doc.portfolio = None
		doc.relationship_manager = None
		return
	row = frappe.db.get_value(
		"Customer Portfolio",
		{"customer": doc.customer},
		["name", "relationship_manager", "customer_name"],
		as_dict=True,
	)
	if not row:
		frappe.throw(
			_("Customer {0} has no Customer Portfolio yet. Create the portfolio first.").format(
				frappe.bold(doc.customer)
			),
			exc=MissingPortfolioError,
			title=_("Missing Customer Portfolio"),
		)
	doc.portfolio = row.name
	doc.relationship_manager = row.relationship_manager
	if doc.meta.has_field("customer_name"):
		doc.customer_name = row.customer_name or doc.customer


# written by the health jobs only, but filtered on relationship_manager like the records above
SNAPSHOT_DOCTYPES = ("Customer Health Snapshot",)


def propagate_relationship_manager(portfolio: str, relationship_manager: str | None) -> None:
	"""Copy a portfolio's new relationship manager onto every record hanging off it (one UPDATE each)."""
	for doctype in (*CUSTOMER_LINKED_DOCTYPES, *SNAPSHOT_DOCTYPES):
		table = frappe.qb.DocType(doctype)
		(
			frappe.qb.update(table)
			.set(table.relationship_manager, relationship_manager)
			.where(table.portfolio == portfolio)
		).run()


def contacts_of_customer(contacts: list[str], customer: str | None) -> set[str]:
	"""The subset of `contacts` linked to `customer` (Contact → Dynamic Link), in one query."""
	contacts = [c for c in contacts if c]
	if not customer or not contacts:
		return set()
	return set(
		frappe.get_all(
			"Dynamic Link",
			filters={
				"parenttype": "Contact",
				"parent": ("in", contacts),
				"link_doctype": "Customer",
				"link_name": customer,
			},
			pluck="parent",
		)
	)


def is_contact_of_customer(contact: str, customer: str | None) -> bool:
	return contact in contacts_of_customer([contact], customer)


def require_contact_of_customer(
	contact: str | None, customer: str | None, message: str, exc: type[Exception], title: str
) -> None:
	"""Refuse a contact (a signatory, a budget holder, a respondent) that is not one of the customer's.
	`message`: {0} the contact, {1} the customer; an empty contact passes."""
	if contact and not is_contact_of_customer(contact, customer):
		frappe.throw(message.format(frappe.bold(contact), frappe.bold(customer)), exc=exc, title=title)
