"""doc_events for ERPNext's Customer: a portfolio for each new customer; deleting a customer takes its
untouched portfolio along and is refused while BRM records hold data about it.

An *untouched* portfolio is one nobody has put anything into: no stakeholders, relationship team, business
outcomes or services; no strategy, plans or drivers; never changed after it was created (no Version), no
comment and no attachment; and no agreement, opportunity, business case or survey of its customer. It is
what `after_insert` makes for every new customer, so a customer created by mistake can still be deleted
(and ERPNext's own code and tests that create and delete customers keep working).
"""

import frappe
from frappe import _
from frappe.utils import escape_html

from brm_app.controllers.customer_linked import CUSTOMER_LINKED_DOCTYPES
from brm_app.exceptions import BRMLinkExistsError
from brm_app.settings import get_settings

PORTFOLIO = "Customer Portfolio"
MAX_NAMED_PER_DOCTYPE = 5
# what a person puts into a portfolio
CONTENT_TABLES = ("stakeholders", "relationship_team", "business_outcomes", "services")
CONTENT_TEXTS = ("business_strategy", "business_plans", "business_drivers")


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
	"""Delete the customer's untouched portfolio with it; refuse while BRM records hold data, naming them.

	frappe refuses too, but for a Customer (which can be disabled) its message only says
	"You can disable this Customer instead of deleting it" without naming the records.
	"""
	linked = linked_records(doc.name)
	portfolios = frappe.get_all(PORTFOLIO, filters={"customer": doc.name}, pluck="name")
	for name in portfolios:
		held = portfolio_content(name)
		if held:
			linked.insert(0, f"{_(PORTFOLIO)} {escape_html(name)} ({', '.join(held)})")
	if linked:
		frappe.throw(
			_(
				"Cannot delete Customer {0} because BRM records use it: {1}. Disable the customer instead, or delete those records first."
			).format(frappe.bold(escape_html(doc.name)), "; ".join(linked)),
			exc=BRMLinkExistsError,
			title=_("Customer in Use"),
		)
	# deleting the customer is the permission that counts: its untouched portfolio goes with it
	for name in portfolios:
		from brm_app.brm_app.doctype.brm_alert.brm_alert import delete_for_portfolio

		delete_for_portfolio(name)  # its alerts (docs/alerts.md)
		frappe.delete_doc(PORTFOLIO, name, ignore_permissions=True, force=True)


def linked_records(customer: str) -> list[str]:
	"""'<doctype>: name, name …' for each BRM doctype with records of `customer`."""
	linked = []
	for doctype in CUSTOMER_LINKED_DOCTYPES:
		names = frappe.get_all(
			doctype, filters={"customer": customer}, pluck="name", limit=MAX_NAMED_PER_DOCTYPE + 1
		)
		if names:
			shown = ", ".join(escape_html(name) for name in names[:MAX_NAMED_PER_DOCTYPE])
			more = " …" if len(names) > MAX_NAMED_PER_DOCTYPE else ""
			linked.append(f"{_(doctype)}: {shown}{more}")
	return linked


def portfolio_content(name: str) -> list[str]:
	"""What a person has put into the portfolio (translated, for a message); empty when it is untouched."""
	doc = frappe.get_doc(PORTFOLIO, name)
	meta = doc.meta
	held = [
		f"{_(meta.get_label(table))}: {len(doc.get(table))}" for table in CONTENT_TABLES if doc.get(table)
	]
	held += [_(meta.get_label(field)) for field in CONTENT_TEXTS if (doc.get(field) or "").strip()]
	editors = frappe.get_all(
		"Version",
		filters={"ref_doctype": PORTFOLIO, "docname": name},
		pluck="owner",
		distinct=True,
		order_by="owner",
	)
	if editors:
		held.append(_("changed by {0}").format(", ".join(escape_html(user) for user in editors)))
	reference = {"reference_doctype": PORTFOLIO, "reference_name": name}
	if frappe.db.exists("Comment", {**reference, "comment_type": "Comment"}):
		held.append(_("comments"))
	if frappe.db.exists("File", {"attached_to_doctype": PORTFOLIO, "attached_to_name": name}):
		held.append(_("attachments"))
	return held
