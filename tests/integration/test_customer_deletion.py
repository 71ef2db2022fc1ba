"""Deleting a Customer: its untouched portfolio (the one the Customer hook made) goes with it; a portfolio
holding anything a person put into it blocks the deletion, and the message names what it holds."""

import frappe
import pytest
from frappe.utils import nowdate

from brm_app.exceptions import BRMLinkExistsError
from brm_app.integrations.customer import portfolio_content
from tests.support.factories import make_agreement, make_contact, make_customer, make_it_service
from tests.support.users import as_role, make_user

PORTFOLIO = "Customer Portfolio"


def new_customer() -> str:
	"""A customer with the portfolio the Customer hook makes for it, untouched."""
	customer = make_customer().name
	assert frappe.db.exists(PORTFOLIO, customer)
	return customer


def test_a_customer_and_its_untouched_portfolio_are_deleted_together():
	customer = new_customer()
	assert portfolio_content(customer) == []
	frappe.delete_doc("Customer", customer)
	assert not frappe.db.exists("Customer", customer)
	assert not frappe.db.exists(PORTFOLIO, customer)


def test_a_sales_user_without_rights_on_portfolios_deletes_a_customer_created_by_mistake():
	customer = new_customer()
	user = make_user("brm-del-sales@example.com", ("Sales Master Manager",))
	assert not frappe.has_permission(PORTFOLIO, "delete", customer, user=user)
	with as_role("Sales Master Manager", email=user):
		frappe.delete_doc("Customer", customer)
	assert not frappe.db.exists("Customer", customer)
	assert not frappe.db.exists(PORTFOLIO, customer)


def test_saving_the_portfolio_without_changing_it_keeps_it_untouched():
	customer = new_customer()
	frappe.get_doc(PORTFOLIO, customer).save(ignore_permissions=True, ignore_version=False)
	assert not frappe.db.exists("Version", {"ref_doctype": PORTFOLIO, "docname": customer})
	frappe.delete_doc("Customer", customer)
	assert not frappe.db.exists(PORTFOLIO, customer)


def _stakeholder(doc):
	doc.append("stakeholders", {"contact": make_contact(doc.customer).name})


def _team(doc):
	doc.append("relationship_team", {"user": make_user("brm-del-team@example.com", ("Employee",))})


def _outcome(doc):
	doc.append("business_outcomes", {"objective": "Faster billing", "status": "Proposed"})


def _service(doc):
	doc.append("services", {"it_service": make_it_service().name})


def _strategy(doc):
	doc.business_strategy = "<p>Grow managed services</p>"


def _importance(doc):
	doc.strategic_importance = "Strategic"


@pytest.mark.parametrize(
	"change, named",
	[
		(_team, "Relationship Team: 1"),
		(_outcome, "Business Outcomes: 1"),
		(_service, "Services Consumed: 1"),
		(_strategy, "Customer Strategy"),
		(_importance, "changed by Administrator"),
	],
)
def test_a_portfolio_with_content_blocks_the_deletion_naming_what_it_holds(change, named):
	customer = new_customer()
	doc = frappe.get_doc(PORTFOLIO, customer)
	change(doc)
	# frappe records no Version under tests unless asked (in production every changing save does)
	doc.save(ignore_permissions=True, ignore_version=False)
	with pytest.raises(BRMLinkExistsError) as refused:
		frappe.delete_doc("Customer", customer)
	message = str(refused.value)
	assert f"Customer Portfolio {customer} (" in message
	assert named in message
	assert frappe.db.exists("Customer", customer)
	assert frappe.db.exists(PORTFOLIO, customer)


def test_a_stakeholder_blocks_the_deletion():
	"""ERPNext deletes the customer's own contacts first (Customer.on_trash, before brm_app's hook): the
	stakeholder's contact is refused by frappe's link check, which names the portfolio."""
	customer = new_customer()
	doc = frappe.get_doc(PORTFOLIO, customer)
	_stakeholder(doc)
	doc.save(ignore_permissions=True, ignore_version=False)
	assert portfolio_content(customer) == ["Stakeholders: 1", "changed by Administrator"]
	with pytest.raises(frappe.LinkExistsError) as refused:
		frappe.delete_doc("Customer", customer)
	assert customer in str(refused.value)
	assert frappe.db.exists(PORTFOLIO, customer)


def test_a_comment_or_an_attachment_is_content():
	commented, attached = new_customer(), new_customer()
	frappe.get_doc(PORTFOLIO, commented).add_comment("Comment", "Met the CIO")
	frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "minutes.txt",
			"content": b"minutes",
			"attached_to_doctype": PORTFOLIO,
			"attached_to_name": attached,
		}
	).insert(ignore_permissions=True)
	assert portfolio_content(commented) == ["comments"]
	assert portfolio_content(attached) == ["attachments"]
	for customer in (commented, attached):
		with pytest.raises(BRMLinkExistsError):
			frappe.delete_doc("Customer", customer)


def test_an_agreement_of_the_customer_blocks_the_deletion_of_an_untouched_portfolio():
	customer = new_customer()
	agreement = make_agreement(customer)
	assert portfolio_content(customer) == []
	with pytest.raises(BRMLinkExistsError) as refused:
		frappe.delete_doc("Customer", customer)
	assert agreement.name in str(refused.value)
	assert frappe.db.exists(PORTFOLIO, customer)


def test_the_refusal_is_translated():
	customer = new_customer()
	doc = frappe.get_doc(PORTFOLIO, customer)
	doc.append("business_outcomes", {"objective": "Faster billing", "status": "Proposed"})
	doc.save(ignore_permissions=True, ignore_version=False)
	frappe.local.lang = "id"
	try:
		with pytest.raises(BRMLinkExistsError) as refused:
			frappe.delete_doc("Customer", customer)
	finally:
		frappe.local.lang = "en"
	message = str(refused.value)
	assert "tidak dapat dihapus" in message
	assert "Hasil Bisnis: 1" in message
	assert "diubah oleh Administrator" in message


def test_an_agreed_outcome_names_its_table_once():
	customer = new_customer()
	contact = make_contact(customer)
	doc = frappe.get_doc(PORTFOLIO, customer)
	doc.append(
		"business_outcomes",
		{"objective": "Uptime", "status": "Agreed", "agreed_on": nowdate(), "agreed_by": contact.name},
	)
	doc.save(ignore_permissions=True, ignore_version=False)
	assert portfolio_content(customer) == ["Business Outcomes: 1", "changed by Administrator"]
