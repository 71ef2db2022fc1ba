"""doc_events for ERPNext's Customer: a portfolio for each new customer, no deletion under BRM records."""

import frappe
from frappe import _
from frappe.utils import escape_html

from brm_app.brm_app.doctype.brm_settings.brm_settings import get_settings
from brm_app.controllers.customer_linked import CUSTOMER_LINKED_DOCTYPES
from brm_app.exceptions import BRMLinkExistsError

PORTFOLIO = "Customer Portfolio"
MAX_NAMED_PER_DOCTYPE = 5


def after_insert(doc, method=None) -> None:
	"""Create the new customer's Customer Portfolio when BRM Settings ask for it (and it has none)."""
	if not get_settings().auto_create_portfolio:
		return
	if frappe.db.exists(PORTFOLIO, {"customer": doc.name}):
		return
	portfolio = frappe.get_doc({"doctype": PORTFOLIO, "customer": doc.name})
	# The portfolio is part of creating the customer: whoever may create a Customer gets its portfolio,
	# even without the right to create portfolios by hand.
	portfolio.insert(ignore_permissions=True)


def on_trash(doc, method=None) -> None:
	"""Refuse to delete a customer that BRM records use, naming them.

	frappe refuses too, but for a Customer (which can be disabled) its message only says
	"You can disable this Customer instead of deleting it" without naming the records.
	"""
	linked = []
	for doctype in (PORTFOLIO, *CUSTOMER_LINKED_DOCTYPES):
		names = frappe.get_all(
			doctype, filters={"customer": doc.name}, pluck="name", limit=MAX_NAMED_PER_DOCTYPE + 1
		)
		if names:
			shown = ", ".join(escape_html(name) for name in names[:MAX_NAMED_PER_DOCTYPE])
			more = " …" if len(names) > MAX_NAMED_PER_DOCTYPE else ""
			linked.append(f"{_(doctype)}: {shown}{more}")
	if linked:
		frappe.throw(
			_(
				"Cannot delete Customer {0} because BRM records use it: {1}. Disable the customer instead, or delete those records first."
			).format(frappe.bold(escape_html(doc.name)), "; ".join(linked)),
			exc=BRMLinkExistsError,
			title=_("Customer in Use"),
		)
